// The quickstart's Node snippets must work against this project, unchanged.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requires, useServer } from './support/context.mjs';
import { REPO, pythonCommand } from './support/server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SNIPPET = join(HERE, 'quickstart', 'snippet.mjs');
const ctx = useServer();

const words = (text) => text.replace(/\s+/g, ' ').trim();

test('the snippet file is word for word the quickstart (shared/seed/quickstart.txt, when beside this checkout)', (t) => {
  const sources = [...new Set([
    join(REPO, '..', 'shared', 'seed', 'quickstart.txt'),
    '/work/shared/seed/quickstart.txt',
  ].map((p) => resolve(p)))].filter(existsSync);
  if (!sources.length) return t.skip('no quickstart document in this checkout');
  const code = readFileSync(SNIPPET, 'utf8').split('\n').filter((l) => !l.startsWith('//')).join('\n');
  const [create, expense] = code.split(/(?=await keito\.expenses\.create)/);
  for (const source of sources) {
    const doc = words(readFileSync(source, 'utf8'));
    assert.ok(doc.includes(words(create)), `${source} has the time entry snippet`);
    assert.ok(doc.includes(words(expense)), `${source} has the LLM expense snippet`);
  }
});

test('quickstart: create the agent time entry, then the LLM expense with its session_id', async (t) => {
  if (!requires(t, ctx, 'POST /api/v2/time_entries', 'POST /api/v2/expenses')) return;
  const { demo, server } = ctx;
  // The snippets name project prj_abc and task tsk_001; give the test workspace those ids.
  await promisify(execFile)(pythonCommand(), [join(HERE, 'support', 'quickstart_ids.py'), join(server.dataDir, 'keito.db'), demo.project_id, demo.task_id]);

  const { stdout } = await promisify(execFile)(process.execPath, [SNIPPET], {
    cwd: HERE,
    env: { ...process.env, KEITO_API_URL: server.url, KEITO_API_KEY: demo.api_key, KEITO_ACCOUNT_ID: demo.account_id },
  });
  const id = /^Created entry: (te_\w+)$/m.exec(stdout)?.[1];
  assert.ok(id, `printed the entry id: ${stdout}`);

  const entry = await ctx.agent.timeEntries.get(id);
  assert.equal(entry.project_id, 'prj_abc');
  assert.equal(entry.hours, 1.5);
  assert.equal(entry.source, 'agent');
  assert.equal(entry.metadata.agent_type, 'claude-code');
  const sessionId = entry.metadata.session_id;
  assert.match(sessionId, /^[0-9a-f-]{36}$/);

  const expenses = await ctx.agent.expenses.list({ project_id: 'prj_abc' }).toArray();
  assert.equal(expenses.length, 1);
  const [expense] = expenses;
  assert.equal(expense.expense_category.id, 'cat_llm_usage');
  assert.equal(expense.metadata.session_id, sessionId, 'the expense carries the entry session_id');
  assert.equal(expense.units, 45);
  assert.ok(expense.total_cost > 0, 'priced by the server from the model and tokens');
});
