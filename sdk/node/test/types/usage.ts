// Compiled (not run) by `npm test`: the public types must let users write this, and refuse the
// mistakes marked @ts-expect-error. It imports the package by name, as users do.
import { Keito, KeitoRateLimitError, trackAgentWork, type TimeEntry } from '@keito/sdk';

export async function usage(keito: Keito): Promise<void> {
  const entry: TimeEntry = await keito.timeEntries.create({
    project_id: 'prj_1',
    task_id: 'tsk_1',
    spent_date: '2026-03-06',
    hours: 1.5,
    source: 'agent',
    metadata: { session_id: crypto.randomUUID() },
  });
  const hours: number = entry.hours;
  const running: boolean = entry.is_running;
  const session: unknown = entry.metadata?.['session_id'];
  void [hours, running, session];

  // @ts-expect-error project_id is required
  await keito.timeEntries.create({ task_id: 'tsk_1', spent_date: '2026-03-06' });
  // @ts-expect-error hours is a number
  await keito.timeEntries.update(entry.id, { hours: '1.5' });

  // @ts-expect-error expense_category_id is required
  await keito.expenses.create({ project_id: 'prj_1', spent_date: '2026-03-06', units: 45 });
  await keito.invoices.list({ state: 'open' });
  const invoice = await keito.invoices.get('inv_1');
  const state: 'draft' | 'open' | 'paid' | 'closed' = invoice.state;
  void state;
  // @ts-expect-error users have no delete endpoint
  await keito.users.delete('usr_1');
  const row = (await keito.reports.summary({ group_by: 'model' })).data[0];
  const llm: number | undefined = row?.llm_cost;
  void llm;

  for await (const e of keito.timeEntries.list({ project_id: 'prj_1', per_page: 100 })) {
    const id: string = e.id;
    void id;
  }
  const page = await keito.timeEntries.list();
  if (page.hasNextPage()) await page.nextPage();

  try {
    await keito.users.me();
  } catch (err) {
    if (err instanceof KeitoRateLimitError) {
      const wait: number | undefined = err.retryAfter;
      void wait;
    }
  }

  const tracked = await trackAgentWork(
    keito,
    { projectId: 'prj_1', taskId: 'tsk_1', agentId: 'bot', model: 'claude-opus-4-6' },
    async () => ({ result: 42, inputTokens: 10, outputTokens: 5 }),
  );
  const answer: number = tracked.result;
  void answer;
}
