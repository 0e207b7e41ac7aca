// src/generated/types.ts must be what the generator makes from the live server's /openapi.json
// and the v2 contract: a server change that the SDK's types do not know fails here. Only the
// doc comments may lag (reported, not failed), so a reworded description does not break CI.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { OUTPUT, generate, loadContract } from '../scripts/generate-types.mjs';
import { useServer } from './support/context.mjs';

const ctx = useServer();

/** The file without its doc comments: the types alone. */
function typesOnly(text) {
  return text
    .replace(/\/\*\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('//'));
}

test('src/generated/types.ts matches the running server (run `npm run generate` if not)', (t) => {
  const fresh = generate(ctx.server.openapi, loadContract());
  const committed = readFileSync(OUTPUT, 'utf8');
  if (fresh === committed) return;
  const a = typesOnly(committed);
  const b = typesOnly(fresh);
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) {
    t.diagnostic('only doc comments differ from the server; `npm run generate` refreshes them');
    return;
  }
  assert.fail(
    `src/generated/types.ts has drifted from the server's /openapi.json:\n` +
      `  file:   ${a[i]?.trim() ?? '<end>'}\n  server: ${b[i]?.trim() ?? '<end>'}\n` +
      'Run `npm run generate` in sdk/node and commit the result.',
  );
});

test('every v2 operation the server serves has a type', () => {
  const text = readFileSync(OUTPUT, 'utf8');
  for (const [path, item] of Object.entries(ctx.server.openapi.paths)) {
    if (!path.startsWith('/api/v2/')) continue;
    for (const method of Object.keys(item)) {
      assert.ok(text.includes(`"${method.toUpperCase()} ${path}": {`), `${method.toUpperCase()} ${path}`);
    }
  }
});
