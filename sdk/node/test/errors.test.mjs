import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import {
  Keito,
  KeitoApiError,
  KeitoAuthError,
  KeitoConflictError,
  KeitoConnectionError,
  KeitoError,
  KeitoForbiddenError,
  KeitoNotFoundError,
  KeitoRateLimitError,
  KeitoServerError,
  KeitoTimeoutError,
  KeitoValidationError,
} from '../dist/index.js';
import { requires, uniqueKey, useServer } from './support/context.mjs';

const ctx = useServer();

function isApiError(Class, status, code) {
  return (err) => {
    assert.ok(err instanceof Class, `expected ${Class.name}, got ${err?.name}: ${err?.message}`);
    assert.ok(err instanceof KeitoApiError && err instanceof KeitoError);
    assert.equal(err.status, status);
    if (code) assert.equal(err.code, code);
    assert.equal(typeof err.error, 'string');
    assert.equal(typeof err.error_description, 'string');
    assert.ok(err.error_description.length > 0);
    assert.equal(err.headers.get('x-keito-api-version'), '2');
    return true;
  };
}

test('401: a key the server does not know is a KeitoAuthError', async () => {
  const keito = new Keito({ apiKey: 'kto_not_a_real_key', accountId: ctx.demo.account_id, baseUrl: ctx.server.url });
  await assert.rejects(keito.timeEntries.list(), isApiError(KeitoAuthError, 401, 'authentication_error'));
});

test('401: a real key with another account id is a KeitoAuthError', async () => {
  const keito = new Keito({ apiKey: ctx.demo.api_key, accountId: 'acc_someone_else', baseUrl: ctx.server.url });
  await assert.rejects(keito.timeEntries.list(), isApiError(KeitoAuthError, 401));
});

test('400: a create without project_id is a KeitoValidationError naming the field', async () => {
  await assert.rejects(
    ctx.agent.timeEntries.create({ task_id: ctx.demo.task_id, spent_date: '2026-03-06', hours: 1 }),
    (err) => isApiError(KeitoValidationError, 400, 'validation_error')(err) && /project_id/.test(err.error_description),
  );
});

test('400: metadata over 4 KB is a KeitoValidationError with code metadata_too_large', async () => {
  await assert.rejects(
    ctx.agent.timeEntries.create({
      project_id: ctx.demo.project_id,
      task_id: ctx.demo.task_id,
      spent_date: '2026-03-06',
      hours: 1,
      metadata: { blob: 'x'.repeat(5000) },
    }),
    isApiError(KeitoValidationError, 400, 'metadata_too_large'),
  );
});

test('422: one Idempotency-Key with two different bodies is a KeitoValidationError (idempotency_key_reused)', async () => {
  const key = uniqueKey('idem');
  const body = { project_id: ctx.demo.project_id, task_id: ctx.demo.task_id, spent_date: '2026-03-06', hours: 1 };
  await ctx.agent.timeEntries.create(body, { idempotencyKey: key });
  await assert.rejects(
    ctx.agent.timeEntries.create({ ...body, hours: 2 }, { idempotencyKey: key }),
    isApiError(KeitoValidationError, 422, 'idempotency_key_reused'),
  );
});

test('403: an agent (member) may not create a client: KeitoForbiddenError', async (t) => {
  if (!requires(t, ctx, 'POST /api/v2/clients')) return;
  await assert.rejects(ctx.agent.clients.create({ name: 'Not allowed' }), isApiError(KeitoForbiddenError, 403));
});

test('404: an id that does not exist is a KeitoNotFoundError', async () => {
  await assert.rejects(ctx.agent.timeEntries.get('te_does_not_exist'), isApiError(KeitoNotFoundError, 404, 'not_found'));
  await assert.rejects(ctx.agent.timeEntries.delete('te_does_not_exist'), isApiError(KeitoNotFoundError, 404, 'not_found'));
});

test('409: stopping a stopped entry is a KeitoConflictError (timer_not_running)', async () => {
  const entry = await ctx.agent.timeEntries.create({
    project_id: ctx.demo.project_id,
    task_id: ctx.demo.task_id,
    spent_date: '2026-03-06',
    hours: 1,
  });
  await assert.rejects(ctx.agent.timeEntries.stopTimer(entry.id), isApiError(KeitoConflictError, 409, 'timer_not_running'));
});

test('429 without retries left: KeitoRateLimitError with retryAfter from the header', async () => {
  const fault = `429;count=1;key=${uniqueKey('rl')};retry_after=7`;
  await assert.rejects(
    ctx.agent.timeEntries.list({}, { maxRetries: 0, headers: { 'Keito-Test-Fault': fault } }),
    (err) => isApiError(KeitoRateLimitError, 429, 'rate_limited')(err) && err.retryAfter === 7,
  );
});

test('503 without retries left: KeitoServerError (a KeitoApiError) with the status and code', async () => {
  const fault = `503;count=1;key=${uniqueKey('503')};retry_after=0`;
  await assert.rejects(
    ctx.agent.timeEntries.list({}, { maxRetries: 0, headers: { 'Keito-Test-Fault': fault } }),
    isApiError(KeitoServerError, 503, 'service_unavailable'),
  );
});

test('no answer within timeout: KeitoTimeoutError, after retrying', async () => {
  let connections = 0;
  const sockets = [];
  const silent = createServer((socket) => {
    connections += 1;
    sockets.push(socket); // accept, read, never answer
  });
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const keito = new Keito({
      apiKey: 'kto_x',
      accountId: 'acc_x',
      baseUrl: `http://127.0.0.1:${silent.address().port}`,
      timeout: 150,
      maxRetries: 1,
    });
    const started = Date.now();
    await assert.rejects(keito.users.me(), (err) => err instanceof KeitoTimeoutError && err instanceof KeitoError);
    assert.equal(connections, 2, 'one attempt and one retry');
    assert.ok(Date.now() - started >= 300);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
});

test('nothing listening: KeitoConnectionError', async () => {
  const closed = createServer();
  await new Promise((r) => closed.listen(0, '127.0.0.1', r));
  const { port } = closed.address();
  await new Promise((r) => closed.close(r));
  const keito = new Keito({ apiKey: 'kto_x', accountId: 'acc_x', baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0 });
  await assert.rejects(keito.users.me(), (err) => err instanceof KeitoConnectionError && /could not reach/.test(err.message));
});
