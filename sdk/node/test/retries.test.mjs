import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Keito, KeitoServerError, KeitoNotFoundError } from '../dist/index.js';
import { retryDelayMs, isRetryableStatus } from '../dist/internal/retry.js';
import { uniqueKey, useServer } from './support/context.mjs';

const ctx = useServer();

/** A client whose fetch records every attempt (the server is real; we only watch). */
function watched(options = {}) {
  const attempts = [];
  const keito = new Keito({
    apiKey: ctx.demo.api_key,
    accountId: ctx.demo.account_id,
    baseUrl: ctx.server.url,
    ...options,
    fetch: async (url, init) => {
      const res = await fetch(url, init);
      attempts.push({ method: init.method, url: String(url), headers: { ...init.headers }, status: res.status });
      return res;
    },
  });
  return { keito, attempts };
}

const fault = (status, count, retryAfter = 0) => ({
  headers: { 'Keito-Test-Fault': `${status};count=${count};key=${uniqueKey(String(status))};retry_after=${retryAfter}` },
});

test('GET: two 503s, then the answer', async () => {
  const { keito, attempts } = watched();
  const page = await keito.timeEntries.list({}, fault(503, 2));
  assert.equal(page.page, 1);
  assert.deepEqual(attempts.map((a) => a.status), [503, 503, 200]);
});

test('GET: two 429s, then the answer; Retry-After is honoured', async () => {
  const { keito, attempts } = watched();
  const started = Date.now();
  await keito.users.me(fault(429, 1, 1));
  assert.ok(Date.now() - started >= 950, 'waited the 1 s the server asked for');
  assert.deepEqual(attempts.map((a) => a.status), [429, 200]);
  const { keito: k2, attempts: a2 } = watched();
  await k2.timeEntries.list({}, fault(429, 2));
  assert.deepEqual(a2.map((a) => a.status), [429, 429, 200]);
});

test('POST: retried with the same Idempotency-Key, and exactly one entry is created', async () => {
  const { keito, attempts } = watched();
  const sessionId = uniqueKey('post-retry');
  const entry = await keito.timeEntries.create(
    { project_id: ctx.demo.project_id, task_id: ctx.demo.task_id, spent_date: '2026-03-06', hours: 0.5, metadata: { session_id: sessionId } },
    fault(503, 2),
  );
  assert.deepEqual(attempts.map((a) => a.status), [503, 503, 201]);
  const keys = attempts.map((a) => a.headers['Idempotency-Key']);
  assert.match(keys[0], /^[0-9a-f-]{36}$/);
  assert.deepEqual(new Set(keys).size, 1, 'one key across the retries');
  const found = await keito.timeEntries.list({ session_id: sessionId });
  assert.deepEqual(found.data.map((e) => e.id), [entry.id]);
});

test('POST: a repeated call with the same key is replayed by the server, not created twice', async () => {
  const { keito } = watched();
  const sessionId = uniqueKey('replay');
  const body = { project_id: ctx.demo.project_id, task_id: ctx.demo.task_id, spent_date: '2026-03-06', hours: 1, metadata: { session_id: sessionId } };
  const key = uniqueKey('replay-key');
  const first = await keito.timeEntries.create(body, { idempotencyKey: key });
  const again = await keito.timeEntries.create(body, { idempotencyKey: key });
  assert.equal(again.id, first.id);
  assert.equal((await keito.timeEntries.list({ session_id: sessionId })).total_entries, 1);
});

test('every POST gets its own fresh key', async () => {
  const { keito, attempts } = watched();
  for (let i = 0; i < 2; i++) {
    await keito.timeEntries.create({ project_id: ctx.demo.project_id, task_id: ctx.demo.task_id, spent_date: '2026-03-06', hours: 1 });
  }
  const [a, b] = attempts.map((x) => x.headers['Idempotency-Key']);
  assert.ok(a && b && a !== b);
  assert.ok(attempts.every((x) => x.headers.Authorization === `Bearer ${ctx.demo.api_key}`));
  assert.ok(attempts.every((x) => x.headers['Keito-Account-Id'] === ctx.demo.account_id));
});

test('PATCH and DELETE are retried too', async () => {
  const { keito, attempts } = watched();
  const timer = await keito.timeEntries.startTimer({ project_id: ctx.demo.project_id, task_id: ctx.demo.task_id, replace_running: true });
  const stopped = await keito.timeEntries.stopTimer(timer.id, {}, fault(503, 1));
  assert.equal(stopped.is_running, false);
  await keito.timeEntries.delete(timer.id, fault(429, 1));
  assert.deepEqual(attempts.map((a) => `${a.method} ${a.status}`), ['POST 201', 'PATCH 503', 'PATCH 200', 'DELETE 429', 'DELETE 204']);
});

test('retries stop at maxRetries: the last answer is thrown', async () => {
  const { keito, attempts } = watched({ maxRetries: 2 });
  await assert.rejects(keito.timeEntries.list({}, fault(503, 10)), KeitoServerError);
  assert.equal(attempts.length, 3);
  const { keito: k0, attempts: a0 } = watched({ maxRetries: 0 });
  await assert.rejects(k0.timeEntries.list({}, fault(503, 10)), KeitoServerError);
  assert.equal(a0.length, 1);
});

test('a 4xx is never retried', async () => {
  const { keito, attempts } = watched();
  await assert.rejects(keito.timeEntries.get('te_nope'), KeitoNotFoundError);
  assert.equal(attempts.length, 1);
});

test('retry rules: statuses, Retry-After, exponential backoff with jitter', () => {
  for (const s of [408, 429, 500, 502, 503, 504]) assert.ok(isRetryableStatus(s, undefined), String(s));
  for (const s of [400, 401, 403, 404, 409, 422]) assert.ok(!isRetryableStatus(s, undefined), String(s));
  assert.ok(isRetryableStatus(409, 'idempotency_in_progress'));
  assert.equal(retryDelayMs(1, '0'), 0);
  assert.equal(retryDelayMs(3, '2'), 2000);
  assert.equal(retryDelayMs(1, '3600'), 60_000, 'a Retry-After is capped at a minute');
  assert.equal(retryDelayMs(1, null, () => 0), 250);
  assert.equal(retryDelayMs(1, null, () => 1), 500);
  assert.equal(retryDelayMs(2, null, () => 1), 1000);
  assert.equal(retryDelayMs(10, null, () => 1), 8000, 'backoff is capped at 8 s');
  const date = new Date(Date.now() + 5000).toUTCString();
  const fromDate = retryDelayMs(1, date);
  assert.ok(fromDate > 3000 && fromDate <= 5000, String(fromDate));
});

test('an abort signal ends the call, even while it waits to retry', async () => {
  const { keito, attempts } = watched();
  const started = Date.now();
  await assert.rejects(
    keito.timeEntries.list({}, { ...fault(503, 5, 30), signal: AbortSignal.timeout(300) }),
    (err) => err.name === 'TimeoutError' || err.name === 'AbortError',
  );
  assert.ok(Date.now() - started < 5000, 'did not sit out the 30 s Retry-After');
  assert.equal(attempts.length, 1);
});
