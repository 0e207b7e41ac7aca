// `npm test` runs this one file: every test file in one process against one live server
// (a keito-server start costs seconds; the files do not depend on each other's data).
import './client.test.mjs';
import './errors.test.mjs';
import './generated-types.test.mjs';
import './internals.test.mjs';
import './pagination.test.mjs';
import './quickstart.test.mjs';
import './resources.test.mjs';
import './retries.test.mjs';
import './time-entries.test.mjs';
import './track-agent-work.test.mjs';

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

test('test/all.mjs runs every test file', () => {
  const here = new URL('.', import.meta.url);
  const me = readFileSync(new URL('all.mjs', here), 'utf8');
  for (const name of readdirSync(here).filter((n) => n.endsWith('.test.mjs'))) {
    assert.ok(me.includes(`import './${name}';`), `add import './${name}'; to test/all.mjs`);
  }
});
