// Starts a real keito-server for one test file: its own SQLite database in a temp
// KEITO_DATA_DIR, a free port, the test-only fault switch on, and the demo workspace from
// `keito-server demo --json`. KEITO_SERVER_CMD overrides the command (default: the repository's
// .venv/bin/python -m keito_server.cli), e.g. KEITO_SERVER_CMD="keito-server".
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '..', '..', '..', '..');
const VENV_PYTHON = join(REPO, '.venv', 'bin', 'python');
// Generous: on a loaded CI machine, importing the server and migrating can take a while.
const STARTUP_TIMEOUT_MS = 180_000;

export function serverCommand() {
  const custom = process.env.KEITO_SERVER_CMD;
  if (custom && custom.trim()) return custom.trim().split(/\s+/);
  return [VENV_PYTHON, '-m', 'keito_server.cli'];
}

/** The Python with keito_server importable (for set-up the API cannot do). */
export function pythonCommand() {
  if (process.env.KEITO_PYTHON) return process.env.KEITO_PYTHON;
  const [first] = serverCommand();
  return first && /python[0-9.]*$/.test(first) ? first : VENV_PYTHON;
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

export async function startServer(extraEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'keito-node-sdk-'));
  const env = {
    ...process.env,
    KEITO_DATA_DIR: dataDir,
    KEITO_DATABASE_URL: '',
    KEITO_ENABLE_FAULT_INJECTION: '1',
    // Pagination tests make hundreds of requests a minute; 429s are tested with the fault switch.
    KEITO_RATE_LIMIT_PER_MINUTE: '100000',
    ...extraEnv,
  };
  const [cmd, ...base] = serverCommand();
  const { stdout } = await promisify(execFile)(cmd, [...base, 'demo', '--json'], { env, cwd: dataDir });
  const demo = JSON.parse(stdout);

  const port = await freePort();
  const child = spawn(cmd, [...base, 'serve', '--port', String(port)], {
    env,
    cwd: dataDir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.on('data', (chunk) => {
    log = (log + chunk).slice(-20_000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`keito-server exited (${child.exitCode}):\n${log}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`keito-server did not start within ${STARTUP_TIMEOUT_MS} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const openapi = await (await fetch(`${url}/openapi.json`)).json();

  return {
    url,
    port,
    dataDir,
    demo,
    openapi,
    env,
    /** True when the server serves `METHOD path` (e.g. "POST /api/v2/expenses"). */
    serves(key) {
      const [method, path] = key.split(' ');
      return Boolean(openapi.paths?.[path]?.[method.toLowerCase()]);
    },
    get log() {
      return log;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
