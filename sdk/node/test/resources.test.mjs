// Every resource method against the live server. A method whose endpoint has not landed on the
// server is skipped with a reason (never faked).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeitoConflictError, KeitoNotFoundError, KeitoValidationError, LLM_USAGE_CATEGORY_ID, OutcomeTypes } from '../dist/index.js';
import { requires, uniqueKey, useServer } from './support/context.mjs';

const ctx = useServer();
const DAY = '2026-03-06';

test('users: me, list, create, get, update', async (t) => {
  if (!requires(t, ctx, 'GET /api/v2/users/me', 'GET /api/v2/users', 'POST /api/v2/users', 'GET /api/v2/users/{id}', 'PATCH /api/v2/users/{id}'))
    return;
  const me = await ctx.agent.users.me();
  assert.equal(me.id, ctx.demo.agent_user_id);
  assert.equal(me.user_type, 'agent');
  const admin = await ctx.admin.users.me();
  assert.ok(admin.roles.includes('administrator'));

  const bot = await ctx.admin.users.create({ user_type: 'agent', name: 'triage-bot-02' });
  assert.equal(bot.user_type, 'agent');
  const listed = await ctx.admin.users.list().toArray();
  assert.ok(listed.some((u) => u.id === bot.id) && listed.some((u) => u.id === me.id));
  assert.equal((await ctx.admin.users.get(bot.id)).id, bot.id);
  const updated = await ctx.admin.users.update(bot.id, { weekly_capacity: 72000 });
  assert.equal(updated.weekly_capacity, 72000);
});

test('users: a manager restricted to teammates sees only their time', async (t) => {
  if (!requires(t, ctx, 'GET /api/v2/users/{id}/teammates', 'PATCH /api/v2/users/{id}/teammates')) return;
  const manager = await ctx.admin.users.create({ first_name: 'Mona', email: `mona.${uniqueKey()}@example.com`, roles: ['manager'] });
  const ann = await ctx.admin.users.create({ first_name: 'Ann', email: `ann.${uniqueKey()}@example.com` });
  assert.deepEqual(await ctx.admin.users.teammates(manager.id).toArray(), []);
  const set = await ctx.admin.users.setTeammates(manager.id, [ann.id, ctx.demo.agent_user_id]);
  assert.deepEqual(new Set(set.teammates.map((p) => p.id)), new Set([ann.id, ctx.demo.agent_user_id]));
  const listed = await ctx.admin.users.teammates(manager.id, { per_page: 1 }).toArray();
  assert.equal(listed.length, 2);
  await assert.rejects(ctx.admin.users.setTeammates(ann.id, []), KeitoValidationError);
  const cleared = await ctx.admin.users.setTeammates(manager.id, []);
  assert.equal(cleared.total_entries, 0);
});

test('approvals: submit, reject, resubmit, approve, withdraw', async (t) => {
  if (!requires(t, ctx, 'POST /api/v2/approvals', 'GET /api/v2/approvals', 'POST /api/v2/approvals/{id}/approve')) return;
  const week = { period_start: '2024-06-03', period_end: '2024-06-09' };
  await ctx.agent.timeEntries.create({ project_id: ctx.demo.project_id, task_id: ctx.demo.task_id, spent_date: '2024-06-04', hours: 1.25 });
  const first = await ctx.agent.approvals.submit(week);
  assert.equal(first.status, 'submitted');
  assert.equal(first.hours, 1.25);
  const queue = await ctx.admin.approvals.list({ status: 'submitted', from: week.period_start, to: week.period_end }).toArray();
  assert.ok(queue.some((a) => a.id === first.id));
  const rejected = await ctx.admin.approvals.reject(first.id, 'Add notes, please');
  assert.equal(rejected.reason, 'Add notes, please');
  await assert.rejects(ctx.admin.approvals.approve(first.id), KeitoConflictError);
  const second = await ctx.agent.approvals.submit(week);
  assert.equal((await ctx.admin.approvals.approve(second.id)).status, 'approved');
  assert.equal((await ctx.admin.approvals.withdraw(second.id)).status, 'submitted');
  assert.equal((await ctx.agent.approvals.get(second.id)).status, 'submitted');
});

test('clients: create, get, update, list, delete', async (t) => {
  if (!requires(t, ctx, 'POST /api/v2/clients', 'GET /api/v2/clients', 'GET /api/v2/clients/{id}', 'PATCH /api/v2/clients/{id}', 'DELETE /api/v2/clients/{id}'))
    return;
  const client = await ctx.admin.clients.create({ name: `Globex ${uniqueKey()}`, currency: 'EUR' });
  assert.match(client.id, /^cli_/);
  assert.equal(client.currency, 'EUR');
  assert.equal((await ctx.admin.clients.get(client.id)).name, client.name);
  const renamed = await ctx.admin.clients.update(client.id, { name: `${client.name} GmbH` });
  assert.equal(renamed.name, `${client.name} GmbH`);
  const all = await ctx.admin.clients.list().toArray();
  assert.ok(all.some((c) => c.id === client.id) && all.some((c) => c.id === ctx.demo.client_id));
  await ctx.admin.clients.delete(client.id);
  await assert.rejects(ctx.admin.clients.get(client.id), KeitoNotFoundError);
});

test('contacts: create, get, update, list, delete', async (t) => {
  if (!requires(t, ctx, 'POST /api/v2/contacts', 'GET /api/v2/contacts', 'GET /api/v2/contacts/{id}', 'PATCH /api/v2/contacts/{id}', 'DELETE /api/v2/contacts/{id}'))
    return;
  const contact = await ctx.admin.contacts.create({ client_id: ctx.demo.client_id, first_name: 'Ada', email: 'ada@acme.test' });
  assert.equal(contact.client.id, ctx.demo.client_id);
  assert.equal((await ctx.admin.contacts.get(contact.id)).first_name, 'Ada');
  assert.equal((await ctx.admin.contacts.update(contact.id, { last_name: 'Lovelace' })).last_name, 'Lovelace');
  const page = await ctx.admin.contacts.list({ client_id: ctx.demo.client_id });
  assert.ok(page.data.some((c) => c.id === contact.id));
  await ctx.admin.contacts.delete(contact.id);
  await assert.rejects(ctx.admin.contacts.get(contact.id), KeitoNotFoundError);
});

test('tasks: list, create, get, update, delete', async (t) => {
  if (!requires(t, ctx, 'GET /api/v2/tasks', 'POST /api/v2/tasks', 'GET /api/v2/tasks/{id}', 'PATCH /api/v2/tasks/{id}', 'DELETE /api/v2/tasks/{id}'))
    return;
  const names = (await ctx.admin.tasks.list().toArray()).map((x) => x.name);
  assert.ok(names.includes('Development') && names.includes('Code Review'));
  const task = await ctx.admin.tasks.create({ name: `Research ${uniqueKey()}`, default_hourly_rate: 90 });
  assert.equal((await ctx.admin.tasks.get(task.id)).name, task.name);
  assert.equal((await ctx.admin.tasks.update(task.id, { billable_by_default: false })).billable_by_default, false);
  await ctx.admin.tasks.delete(task.id);
  await assert.rejects(ctx.admin.tasks.get(task.id), KeitoNotFoundError);
});

test('projects: list, get, create, update, delete, and their user and task assignments', async (t) => {
  if (!requires(t, ctx, 'GET /api/v2/projects', 'POST /api/v2/projects', 'GET /api/v2/projects/{id}', 'PATCH /api/v2/projects/{id}', 'DELETE /api/v2/projects/{id}'))
    return;
  const mine = await ctx.agent.projects.list();
  assert.ok(mine.data.some((p) => p.id === ctx.demo.project_id));
  assert.equal((await ctx.agent.projects.get(ctx.demo.project_id)).code, 'ACME');
  const project = await ctx.admin.projects.create({ client_id: ctx.demo.client_id, name: `Mobile ${uniqueKey()}`, bill_by: 'project', hourly_rate: 120 });
  assert.equal(project.bill_by, 'Project', 'enums are answered as Harvest writes them');
  assert.equal((await ctx.admin.projects.update(project.id, { notes: 'phase 2' })).notes, 'phase 2');

  if (ctx.server.serves('POST /api/v2/projects/{project_id}/user_assignments')) {
    const ua = await ctx.admin.projects.userAssignments.create(project.id, { user_id: ctx.demo.agent_user_id });
    const uas = await ctx.admin.projects.userAssignments.list(project.id).toArray();
    assert.ok(uas.some((a) => a.id === ua.id));
    assert.equal((await ctx.admin.projects.userAssignments.get(project.id, ua.id)).id, ua.id);
    const ua2 = await ctx.admin.projects.userAssignments.update(project.id, ua.id, { hourly_rate: 95 });
    assert.equal(ua2.hourly_rate, 95);
    await ctx.admin.projects.userAssignments.delete(project.id, ua.id);
    await assert.rejects(ctx.admin.projects.userAssignments.get(project.id, ua.id), KeitoNotFoundError);
  } else t.diagnostic('user assignments not served yet');
  if (ctx.server.serves('POST /api/v2/projects/{project_id}/task_assignments')) {
    const before = await ctx.admin.projects.taskAssignments.list(project.id).toArray();
    assert.ok(before.length >= 1, 'default tasks are assigned');
    const extra = await ctx.admin.tasks.create({ name: `Design ${uniqueKey()}` });
    const ta = await ctx.admin.projects.taskAssignments.create(project.id, { task_id: extra.id, hourly_rate: 80 });
    assert.equal((await ctx.admin.projects.taskAssignments.get(project.id, ta.id)).id, ta.id);
    const ta2 = await ctx.admin.projects.taskAssignments.update(project.id, ta.id, { billable: false });
    assert.equal(ta2.billable, false);
    await ctx.admin.projects.taskAssignments.delete(project.id, ta.id);
    assert.equal((await ctx.admin.projects.taskAssignments.list(project.id).toArray()).length, before.length);
  } else t.diagnostic('task assignments not served yet');
  await ctx.admin.projects.delete(project.id);
  await assert.rejects(ctx.admin.projects.get(project.id), KeitoNotFoundError);
});

test('expense categories: list (with LLM Usage), get, create, update', async (t) => {
  if (!requires(t, ctx, 'GET /api/v2/expense_categories', 'GET /api/v2/expense_categories/{id}', 'POST /api/v2/expense_categories', 'PATCH /api/v2/expense_categories/{id}'))
    return;
  const all = await ctx.agent.expenseCategories.list().toArray();
  assert.ok(all.some((c) => c.id === LLM_USAGE_CATEGORY_ID));
  const llm = await ctx.agent.expenseCategories.get(LLM_USAGE_CATEGORY_ID);
  assert.equal(llm.id, LLM_USAGE_CATEGORY_ID);
  const cat = await ctx.admin.expenseCategories.create({ name: `Mileage ${uniqueKey()}`, unit_name: 'mile', unit_price: 0.5 });
  assert.equal(cat.unit_name, 'mile');
  assert.equal((await ctx.admin.expenseCategories.update(cat.id, { unit_price: 0.65 })).unit_price, 0.65);
});

test('expenses: create (LLM Usage priced by the server), get, update, list, delete', async (t) => {
  if (!requires(t, ctx, 'POST /api/v2/expenses', 'GET /api/v2/expenses', 'GET /api/v2/expenses/{id}', 'PATCH /api/v2/expenses/{id}', 'DELETE /api/v2/expenses/{id}'))
    return;
  const sessionId = uniqueKey('exp');
  const expense = await ctx.agent.expenses.create({
    project_id: ctx.demo.project_id,
    expense_category_id: LLM_USAGE_CATEGORY_ID,
    spent_date: DAY,
    units: 45,
    source: 'agent',
    metadata: { session_id: sessionId, model: 'claude-opus-4-6', input_tokens: 30000, output_tokens: 15000 },
  });
  assert.match(expense.id, /^exp_/);
  assert.equal(expense.expense_category.id, LLM_USAGE_CATEGORY_ID);
  assert.ok(expense.total_cost > 0, 'priced from the model');
  assert.equal((await ctx.agent.expenses.get(expense.id)).id, expense.id);
  assert.equal((await ctx.agent.expenses.update(expense.id, { notes: 'review run' })).notes, 'review run');
  const manual = await ctx.agent.expenses.create({ project_id: ctx.demo.project_id, expense_category_id: LLM_USAGE_CATEGORY_ID, spent_date: DAY, total_cost: 1.25 });
  assert.equal(manual.total_cost, 1.25);
  const listed = await ctx.agent.expenses.list({ project_id: ctx.demo.project_id }).toArray();
  assert.ok(listed.some((e) => e.id === expense.id) && listed.some((e) => e.id === manual.id));
  await ctx.agent.expenses.delete(manual.id);
  await assert.rejects(ctx.agent.expenses.get(manual.id), KeitoNotFoundError);
});

test('invoices: create, get, update, list, messages (send), payments, delete', async (t) => {
  if (!requires(t, ctx, 'POST /api/v2/invoices', 'GET /api/v2/invoices', 'GET /api/v2/invoices/{id}', 'PATCH /api/v2/invoices/{id}', 'DELETE /api/v2/invoices/{id}', 'GET /api/v2/invoices/{id}/messages', 'POST /api/v2/invoices/{id}/messages'))
    return;
  const invoice = await ctx.admin.invoices.create({
    client_id: ctx.demo.client_id,
    subject: 'March work',
    line_items: [{ kind: 'Service', description: 'Agent reviews', quantity: 3, unit_price: 100 }],
  });
  assert.equal(invoice.state, 'draft');
  assert.equal(invoice.amount, 300);
  assert.equal((await ctx.admin.invoices.get(invoice.id)).line_items.length, 1);
  assert.equal((await ctx.admin.invoices.update(invoice.id, { notes: 'Thanks!' })).notes, 'Thanks!');
  assert.ok((await ctx.admin.invoices.list({ client_id: ctx.demo.client_id }).toArray()).some((i) => i.id === invoice.id));

  const message = await ctx.admin.invoices.messages.create(invoice.id, { recipients: [{ name: 'Ada', email: 'ada@acme.test' }], subject: 'Invoice' });
  assert.equal(message.invoice_id ?? invoice.id, invoice.id);
  assert.equal((await ctx.admin.invoices.get(invoice.id)).state, 'open', 'sending opens a draft');
  const messages = await ctx.admin.invoices.messages.list(invoice.id).toArray();
  assert.ok(messages.some((m) => m.id === message.id));

  const reminder = await ctx.admin.invoices.messages.send(invoice.id, { recipients: [{ name: 'Ada', email: 'ada@acme.test' }], event_type: 'reminder' });
  assert.equal(reminder.event_type, 'reminder');

  if (ctx.server.serves('POST /api/v2/invoices/{id}/payments')) {
    const payment = await ctx.admin.invoices.payments.create(invoice.id, { amount: 300 });
    assert.ok((await ctx.admin.invoices.payments.list(invoice.id).toArray()).some((p) => p.id === payment.id));
    assert.equal((await ctx.admin.invoices.get(invoice.id)).state, 'paid');
    assert.deepEqual(await ctx.admin.invoices.payments.delete(invoice.id, payment.id), { id: payment.id, deleted: true });
    assert.equal((await ctx.admin.invoices.get(invoice.id)).state, 'open', 'removing the payment reopens it');
  } else t.diagnostic('invoice payments not served yet');

  const draft = await ctx.admin.invoices.create({ client_id: ctx.demo.client_id });
  const deleted = await ctx.admin.invoices.delete(draft.id);
  assert.deepEqual(deleted, { id: draft.id, deleted: true });
  await assert.rejects(ctx.admin.invoices.get(draft.id), KeitoNotFoundError);
});

test('reports.teamTime: hours per person, dates sent as YYYYMMDD', async (t) => {
  if (!requires(t, ctx, 'GET /api/v2/reports/time/team')) return;
  await ctx.agent.timeEntries.create({ project_id: ctx.demo.project_id, task_id: ctx.demo.task_id, spent_date: '2026-04-10', hours: 2, billable: true });
  const page = await ctx.admin.reports.teamTime({ from: '2026-04-01', to: new Date(2026, 3, 30) });
  const row = page.data.find((r) => r.user_id === ctx.demo.agent_user_id);
  assert.ok(row, 'the agent is in the team report');
  assert.equal(row.total_hours, 2);
  const all = await ctx.admin.reports.teamTime({ from: '20260401', to: '20260430' }).toArray();
  assert.ok(all.some((r) => r.user_id === ctx.demo.agent_user_id));
});

test('reports.summary: time and LLM spend grouped by agent, computed by the server', async (t) => {
  if (!requires(t, ctx, 'GET /api/v2/reports/summary', 'POST /api/v2/expenses')) return;
  const { agent, admin, demo } = ctx;
  await agent.timeEntries.create({ project_id: demo.project_id, task_id: demo.task_id, spent_date: '2026-05-04', hours: 3, source: 'agent', metadata: { agent_id: 'summary-bot' } });
  await agent.expenses.create({ project_id: demo.project_id, expense_category_id: LLM_USAGE_CATEGORY_ID, spent_date: '2026-05-04', total_cost: 4.5, source: 'agent', metadata: { agent_id: 'summary-bot', model: 'claude-opus-4-6' } });
  const rows = await admin.reports.summary({ group_by: 'agent', from: '2026-05-01', to: new Date(2026, 4, 31) }).toArray();
  const row = rows.find((r) => r.key === 'summary-bot');
  assert.ok(row, `a row for the agent in ${JSON.stringify(rows)}`);
  assert.equal(row.hours, 3);
  assert.equal(row.llm_cost, 4.5);
});

test('outcomes.log and reports.agentSummary (computed from time entries)', async () => {
  const { agent, demo } = ctx;
  const from = '2025-01-01';
  const to = '2025-01-31';
  await agent.timeEntries.create({ project_id: demo.project_id, task_id: demo.task_id, spent_date: '2025-01-10', hours: 1.5, billable: true });
  await agent.timeEntries.create({ project_id: demo.project_id, task_id: demo.task_id, spent_date: '2025-01-11', hours: 0.5, billable: false });
  const outcome = await agent.outcomes.log({
    project_id: demo.project_id,
    task_id: demo.task_id,
    spent_date: '2025-01-12',
    outcome: { type: OutcomeTypes.CODE_REVIEW_COMPLETED, description: 'Reviewed PR #42', unit_price: 2.5, quantity: 3, evidence: { pr: 42 } },
  });
  assert.equal(outcome.hours, 0);
  assert.equal(outcome.source, 'agent');
  assert.equal(outcome.notes, 'Reviewed PR #42');
  assert.equal(outcome.billable, true);
  assert.deepEqual(outcome.metadata, {
    outcome_type: 'code_review_completed',
    outcome_quantity: 3,
    outcome_success: true,
    outcome_unit_price: 2.5,
    outcome_evidence: { pr: 42 },
  });
  await agent.outcomes.log({ project_id: demo.project_id, task_id: demo.task_id, spent_date: '2025-01-13', outcome: { type: 'ticket_resolved', unit_price: 10, success: false } });

  const me = await agent.users.me().catch(() => ({ id: demo.agent_user_id }));
  const summary = await agent.reports.agentSummary({ user_id: me.id, from, to });
  const rate = (await agent.timeEntries.list({ from: '2025-01-10', to: '2025-01-10' })).data[0].billable_rate;
  assert.equal(rate, 150, 'the project rate applies (bill_by Project)');
  assert.deepEqual(summary, {
    time: { total_hours: 2, billable_hours: 1.5, revenue: 225 },
    outcomes: { total: 2, successful: 1, revenue: 7.5 },
    combined: { total_revenue: 232.5 },
  });
});
