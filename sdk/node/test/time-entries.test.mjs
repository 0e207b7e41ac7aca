import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeitoConflictError, Page } from '../dist/index.js';
import { useServer } from './support/context.mjs';

const ctx = useServer();

test('create, get, update (metadata merges), list with filters, delete', async () => {
  const { agent, demo } = ctx;
  const entry = await agent.timeEntries.create({
    project_id: demo.project_id,
    task_id: demo.task_id,
    spent_date: '2026-03-06',
    hours: 1.5,
    notes: 'Implemented OAuth flow',
    source: 'agent',
    metadata: { agent_id: 'review-bot-01', session_id: 'sess-crud' },
  });
  assert.match(entry.id, /^te_/);
  assert.equal(entry.hours, 1.5);
  assert.equal(entry.source, 'agent');
  assert.equal(entry.project.id, demo.project_id);

  const got = await agent.timeEntries.get(entry.id);
  assert.deepEqual(got, entry);

  const updated = await agent.timeEntries.update(entry.id, { notes: 'OAuth done', metadata: { model: 'claude-opus-4-6' } });
  assert.equal(updated.notes, 'OAuth done');
  assert.deepEqual(updated.metadata, { agent_id: 'review-bot-01', session_id: 'sess-crud', model: 'claude-opus-4-6' });

  const page = await agent.timeEntries.list({ session_id: 'sess-crud', source: 'agent,cli' });
  assert.ok(page instanceof Page);
  assert.deepEqual(page.data.map((e) => e.id), [entry.id]);
  assert.equal(page.total_entries, 1);
  assert.equal(page.hasNextPage(), false);

  assert.equal(await agent.timeEntries.delete(entry.id), undefined);
  const after = await agent.timeEntries.list({ session_id: 'sess-crud' });
  assert.equal(after.total_entries, 0);
});

test('startTimer, stopTimer (server computes hours), restartTimer, and one running timer per user', async () => {
  const { agent, demo } = ctx;
  const timer = await agent.timeEntries.startTimer({
    project_id: demo.project_id,
    task_id: demo.task_id,
    notes: 'reviewing',
    source: 'agent',
  });
  assert.equal(timer.is_running, true);
  assert.ok(timer.timer_started_at);

  await assert.rejects(
    agent.timeEntries.startTimer({ project_id: demo.project_id, task_id: demo.task_id }),
    (err) => err instanceof KeitoConflictError && err.code === 'timer_already_running' && err.status === 409,
  );

  const stopped = await agent.timeEntries.stopTimer(timer.id, { notes: 'reviewed' });
  assert.equal(stopped.is_running, false);
  assert.equal(stopped.timer_started_at, null);
  assert.equal(stopped.notes, 'reviewed');
  assert.equal(typeof stopped.hours, 'number');

  await assert.rejects(agent.timeEntries.stopTimer(timer.id), (err) => err instanceof KeitoConflictError && err.code === 'timer_not_running');

  const restarted = await agent.timeEntries.restartTimer(timer.id);
  assert.equal(restarted.is_running, true);

  const second = await agent.timeEntries.startTimer({
    project_id: demo.project_id,
    task_id: demo.review_task_id,
    replace_running: true,
  });
  assert.equal(second.is_running, true);
  const first = await agent.timeEntries.get(timer.id);
  assert.equal(first.is_running, false, 'replace_running stopped the first timer');

  const running = await agent.timeEntries.list({ is_running: true });
  assert.deepEqual(running.data.map((e) => e.id), [second.id]);
  await agent.timeEntries.stopTimer(second.id);
});

test(
  'restartTimer refuses a second running timer (409), and replace_running switches timers',
  async () => {
    const { agent, demo } = ctx;
    const a = await agent.timeEntries.create({ project_id: demo.project_id, task_id: demo.task_id, spent_date: '2026-03-02', hours: 1 });
    const b = await agent.timeEntries.startTimer({ project_id: demo.project_id, task_id: demo.review_task_id });
    await assert.rejects(
      agent.timeEntries.restartTimer(a.id),
      (err) => err instanceof KeitoConflictError && err.code === 'timer_already_running',
    );
    try {
      const restarted = await agent.timeEntries.restartTimer(a.id, { replace_running: true }, { maxRetries: 0 });
      assert.equal(restarted.is_running, true);
      assert.equal((await agent.timeEntries.get(b.id)).is_running, false);
    } finally {
      for await (const running of agent.timeEntries.list({ is_running: true })) await agent.timeEntries.stopTimer(running.id);
    }
  },
);
