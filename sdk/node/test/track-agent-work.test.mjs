import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeitoNotFoundError, LLM_USAGE_CATEGORY_ID, trackAgentWork } from '../dist/index.js';
import { requires, useServer } from './support/context.mjs';

const ctx = useServer();

test('success: a running agent timer while the work runs, then a stopped entry and a priced LLM expense', async (t) => {
  if (!requires(t, ctx, 'POST /api/v2/expenses')) return;
  const { agent, demo } = ctx;
  let during;
  const tracked = await trackAgentWork(
    agent,
    { projectId: demo.project_id, taskId: demo.task_id, agentId: 'review-bot-01', model: 'claude-opus-4-6', agentType: 'claude-code', notes: 'Reviewed PR #7' },
    async ({ sessionId, entry }) => {
      during = await agent.timeEntries.get(entry.id);
      assert.equal(during.metadata.session_id, sessionId);
      return { result: 'LGTM', inputTokens: 30000, outputTokens: 15000 };
    },
  );
  assert.equal(tracked.result, 'LGTM');
  assert.match(tracked.sessionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

  assert.equal(during.is_running, true, 'the timer ran while the work did');
  assert.equal(during.source, 'agent');
  assert.deepEqual(during.metadata, {
    agent_id: 'review-bot-01',
    model: 'claude-opus-4-6',
    session_id: tracked.sessionId,
    agent_type: 'claude-code',
  });

  const entry = await agent.timeEntries.get(tracked.entry.id);
  assert.equal(entry.is_running, false);
  assert.equal(entry.notes, 'Reviewed PR #7');

  const expenses = await agent.expenses.list({ project_id: demo.project_id }).toArray();
  const mine = expenses.filter((e) => e.metadata?.session_id === tracked.sessionId);
  assert.equal(mine.length, 1);
  const [expense] = mine;
  assert.equal(expense.id, tracked.expense.id);
  assert.equal(expense.expense_category.id, LLM_USAGE_CATEGORY_ID);
  assert.equal(expense.source, 'agent');
  assert.equal(expense.units, 45);
  assert.equal(expense.metadata.model, 'claude-opus-4-6');
  assert.equal(expense.metadata.input_tokens, 30000);
  assert.equal(expense.metadata.output_tokens, 15000);
  assert.ok(expense.total_cost > 0, 'the server priced the tokens');
  if (expense.cost_breakdown) assert.equal(expense.cost_breakdown.method, 'model');
});

test('failure: the entry is deleted, no expense is logged, and the error is rethrown', async () => {
  const { agent, demo } = ctx;
  let entryId;
  let sessionId;
  const boom = new Error('model refused');
  await assert.rejects(
    trackAgentWork(agent, { projectId: demo.project_id, taskId: demo.task_id, agentId: 'review-bot-01', model: 'claude-opus-4-6' }, async (c) => {
      entryId = c.entry.id;
      sessionId = c.sessionId;
      throw boom;
    }),
    (err) => err === boom,
  );
  await assert.rejects(agent.timeEntries.get(entryId), KeitoNotFoundError);
  assert.equal((await agent.timeEntries.list({ session_id: sessionId })).total_entries, 0);
  assert.equal((await agent.timeEntries.list({ is_running: true })).total_entries, 0, 'no running timer left behind');
  if (ctx.server.serves('GET /api/v2/expenses')) {
    const expenses = await agent.expenses.list().toArray();
    assert.ok(!expenses.some((e) => e.metadata?.session_id === sessionId));
  }
});
