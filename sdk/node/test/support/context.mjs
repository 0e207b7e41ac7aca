// Set-up: a live server, and clients for the demo's agent and administrator.
import { after, before } from 'node:test';
import { Keito } from '../../dist/index.js';
import { startServer } from './server.mjs';

// One server per process: `npm test` runs every test file in one process (test/all.mjs), so the
// server starts once; `node --test test/x.test.mjs` alone starts its own.
let shared;

export function useServer() {
  const ctx = {};
  if (!shared) {
    shared = startServer();
    after(async () => {
      await (await shared).stop();
    });
  }
  before(async () => {
    const server = await shared;
    const { demo, url } = server;
    ctx.server = server;
    ctx.demo = demo;
    ctx.agent = new Keito({ apiKey: demo.api_key, accountId: demo.account_id, baseUrl: url });
    ctx.admin = new Keito({ apiKey: demo.admin_api_key, accountId: demo.account_id, baseUrl: url });
  });
  return ctx;
}

/** Skips (with a reason that says so) a test whose endpoint has not landed on the server yet. */
export function requires(t, ctx, ...keys) {
  const missing = keys.filter((k) => !ctx.server.serves(k));
  if (missing.length) {
    t.skip(`not served yet: ${missing.join(', ')}`);
    return false;
  }
  return true;
}

let counter = 0;
/** A key unique to this process, for the server's fault switch. */
export function uniqueKey(label = 'k') {
  counter += 1;
  return `${label}-${process.pid}-${Date.now()}-${counter}`;
}
