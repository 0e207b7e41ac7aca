import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Page, PagePromise } from '../dist/index.js';
import { uniqueKey, useServer } from './support/context.mjs';

const ctx = useServer();
const COUNT = 260;
const PARALLEL = 8;

test(`pages across ${COUNT} entries: page objects, nextPage(), and for await over every page`, async () => {
  const { agent, demo } = ctx;
  const sessionId = uniqueKey('pages');
  const created = new Set();
  for (let i = 0; i < COUNT; i += PARALLEL) {
    const batch = [];
    for (let j = i; j < Math.min(i + PARALLEL, COUNT); j++) {
      const day = String((j % 28) + 1).padStart(2, '0');
      batch.push(
        agent.timeEntries.create({
          project_id: demo.project_id,
          task_id: demo.task_id,
          spent_date: `2026-02-${day}`,
          hours: 0.25,
          source: 'agent',
          metadata: { session_id: sessionId, n: j },
        }),
      );
    }
    for (const e of await Promise.all(batch)) created.add(e.id);
  }
  assert.equal(created.size, COUNT);

  const listed = agent.timeEntries.list({ session_id: sessionId, per_page: 100 });
  assert.ok(listed instanceof PagePromise);
  const first = await listed;
  assert.ok(first instanceof Page);
  assert.equal(first.page, 1);
  assert.equal(first.per_page, 100);
  assert.equal(first.total_entries, COUNT);
  assert.equal(first.total_pages, 3);
  assert.equal(first.data.length, 100);
  assert.equal(first.hasNextPage(), true);
  assert.match(first.links.next, /session_id=/, 'links keep the filters');

  const second = await first.nextPage();
  assert.equal(second.page, 2);
  assert.equal(second.data.length, 100);
  const third = await second.nextPage();
  assert.equal(third.page, 3);
  assert.equal(third.data.length, COUNT - 200);
  assert.equal(third.hasNextPage(), false);
  await assert.rejects(third.nextPage(), RangeError);

  const seen = [];
  for await (const entry of agent.timeEntries.list({ session_id: sessionId, per_page: 100 })) seen.push(entry.id);
  assert.equal(seen.length, COUNT);
  assert.deepEqual(new Set(seen), created, 'every entry exactly once');

  const small = await agent.timeEntries.list({ session_id: sessionId, per_page: 50 }).toArray();
  assert.equal(small.length, COUNT);
  assert.equal(new Set(small.map((e) => e.id)).size, COUNT);

  const fromPage3 = [];
  for await (const entry of await agent.timeEntries.list({ session_id: sessionId, per_page: 100, page: 3 })) fromPage3.push(entry.id);
  assert.equal(fromPage3.length, COUNT - 200, 'iterating a page walks from that page on');

  const empty = await agent.timeEntries.list({ session_id: 'no-such-session' });
  assert.equal(empty.total_entries, 0);
  assert.equal(empty.hasNextPage(), false);
  assert.deepEqual(await agent.timeEntries.list({ session_id: 'no-such-session' }).toArray(), []);
});
