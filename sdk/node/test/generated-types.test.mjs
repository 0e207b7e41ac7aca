// src/generated/types.ts must be exactly what the generator makes from the live server's
// /openapi.json and the v2 contract: a server change that the SDK's types do not know fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { OUTPUT, generate, loadContract } from '../scripts/generate-types.mjs';
import { useServer } from './support/context.mjs';

const ctx = useServer();

test('src/generated/types.ts matches the running server (run `npm run generate` if not)', () => {
  const fresh = generate(ctx.server.openapi, loadContract());
  const committed = readFileSync(OUTPUT, 'utf8');
  if (fresh !== committed) {
    const a = committed.split('\n');
    const b = fresh.split('\n');
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    assert.fail(
      `src/generated/types.ts has drifted from the server's /openapi.json at line ${i + 1}:\n` +
        `  file:   ${a[i] ?? '<end>'}\n  server: ${b[i] ?? '<end>'}\nRun \`npm run generate\` in sdk/node and commit the result.`,
    );
  }
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
