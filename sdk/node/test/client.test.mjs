// Construction and configuration: options, environment fallbacks, defaults.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, Keito, KeitoError } from '../dist/index.js';
import { useServer } from './support/context.mjs';

const ctx = useServer();
const VARS = ['KEITO_API_KEY', 'KEITO_ACCOUNT_ID', 'KEITO_API_URL', 'KEITO_BASE_URL'];

function withEnv(values, fn) {
  const saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));
  for (const k of VARS) delete process.env[k];
  Object.assign(process.env, values);
  try {
    return fn();
  } finally {
    for (const k of VARS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

test('defaults: http://localhost:8000, 3 retries, 30 s', () => {
  withEnv({}, () => {
    const keito = new Keito({ apiKey: 'kto_x', accountId: 'acc_x' });
    assert.equal(keito.baseUrl, 'http://localhost:8000');
  });
  assert.equal(DEFAULT_MAX_RETRIES, 3);
  assert.equal(DEFAULT_TIMEOUT_MS, 30_000);
});

test('KEITO_API_URL wins over KEITO_BASE_URL; an explicit baseUrl wins over both', () => {
  withEnv({ KEITO_API_KEY: 'k', KEITO_ACCOUNT_ID: 'a', KEITO_API_URL: 'http://api.example/', KEITO_BASE_URL: 'http://base.example' }, () => {
    assert.equal(new Keito().baseUrl, 'http://api.example');
    assert.equal(new Keito({ baseUrl: 'http://mine.example' }).baseUrl, 'http://mine.example');
  });
  withEnv({ KEITO_API_KEY: 'k', KEITO_ACCOUNT_ID: 'a', KEITO_BASE_URL: 'http://base.example' }, () => {
    assert.equal(new Keito().baseUrl, 'http://base.example');
  });
});

test('a missing key or account id fails at construction, naming the env var', () => {
  withEnv({}, () => {
    assert.throws(() => new Keito({ accountId: 'acc_x' }), (e) => e instanceof KeitoError && /KEITO_API_KEY/.test(e.message));
    assert.throws(() => new Keito({ apiKey: 'kto_x' }), (e) => e instanceof KeitoError && /KEITO_ACCOUNT_ID/.test(e.message));
    assert.throws(() => new Keito({ apiKey: 'kto_x', accountId: 'acc_x', maxRetries: -1 }), KeitoError);
    assert.throws(() => new Keito({ apiKey: 'kto_x', accountId: 'acc_x', timeout: 0 }), KeitoError);
  });
});

test('new Keito() with only the environment talks to the server', async () => {
  const keito = withEnv(
    { KEITO_API_KEY: ctx.demo.api_key, KEITO_ACCOUNT_ID: ctx.demo.account_id, KEITO_API_URL: ctx.server.url },
    () => new Keito(),
  );
  const page = await keito.timeEntries.list();
  assert.equal(page.page, 1);
  assert.equal(keito.accountId, ctx.demo.account_id);
});

test('an empty id is refused before any request', async () => {
  await assert.rejects(ctx.agent.timeEntries.get(''), TypeError);
});
