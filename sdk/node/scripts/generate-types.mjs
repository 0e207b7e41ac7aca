#!/usr/bin/env node
// Generates src/generated/types.ts from the server's OpenAPI document, so the SDK's request and
// response types cannot drift from what the server serves.
//
// Sources, in order of authority:
//   1. the server's /openapi.json (KEITO_OPENAPI_URL to fetch it from a running server; otherwise
//      the repository's .venv runs create_app() and dumps it, no server needed);
//   2. docs/reference/keito-openapi-v2.yaml, the v2 wire contract, for what (1) does not say yet:
//      operations the server does not serve yet, and response schemas the server does not publish
//      yet (until /openapi.json carries response schemas, every contract response comes from here).
//
// Usage: node scripts/generate-types.mjs           write src/generated/types.ts
//        node scripts/generate-types.mjs --check   exit 1 when the file is out of date
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const PACKAGE_DIR = resolve(HERE, '..');
export const REPO_DIR = resolve(PACKAGE_DIR, '..', '..');
export const OUTPUT = join(PACKAGE_DIR, 'src', 'generated', 'types.ts');
export const CONTRACT = join(REPO_DIR, 'docs', 'reference', 'keito-openapi-v2.yaml');
const API_PREFIX = '/api/v2/';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** The Python that runs the server: KEITO_PYTHON, else the repository's .venv. */
export function pythonPath() {
  return process.env.KEITO_PYTHON || join(REPO_DIR, '.venv', 'bin', 'python');
}

const DUMP = `
import json, sys
mode = sys.argv[1]
if mode == "contract":
    import yaml
    with open(sys.argv[2]) as fh:
        print(json.dumps(yaml.safe_load(fh)))
else:
    from keito_server.app import create_app
    from keito_server.settings import Settings
    print(json.dumps(create_app(Settings.from_env({"KEITO_DATA_DIR": sys.argv[2]})).openapi()))
`;

function runPython(...args) {
  const out = execFileSync(pythonPath(), ['-c', DUMP, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out);
}

/** The v2 contract, parsed (YAML is read by the venv's PyYAML: the SDK has no YAML parser). */
export function loadContract() {
  return runPython('contract', CONTRACT);
}

/** The server's OpenAPI document, from a running server or from create_app(). */
export async function loadServerSpec(url = process.env.KEITO_OPENAPI_URL) {
  if (url) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
    return res.json();
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'keito-openapi-'));
  try {
    return runPython('server', dataDir);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ── schema -> TypeScript ──────────────────────────────────────────────────────────────

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function typeName(ref) {
  const raw = ref.split('/').pop() ?? 'Unknown';
  const clean = raw.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+$/, '');
  return /^[0-9]/.test(clean) ? `T${clean}` : clean;
}

function propKey(name) {
  return IDENT.test(name) ? name : JSON.stringify(name);
}

function doc(text, indent) {
  if (!text) return '';
  const lines = String(text).trim().replace(/\*\//g, '*\\/').split('\n');
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

class Emitter {
  constructor(schemas) {
    this.schemas = schemas; // name -> { schema, origin }
    this.used = new Set();
  }

  /** `allRequired`: response objects always carry every documented field, so none is optional. */
  ts(schema, indent, allRequired) {
    if (schema === undefined || schema === null || schema === true) return 'unknown';
    if (schema.$ref) {
      const name = typeName(schema.$ref);
      this.use(name);
      return name;
    }
    let out;
    if (schema.anyOf || schema.oneOf) {
      out = union((schema.anyOf || schema.oneOf).map((s) => this.ts(s, indent, allRequired)));
    } else if (schema.allOf) {
      const parts = schema.allOf.map((s) => this.ts(s, indent, allRequired));
      out = parts.length === 1 ? parts[0] : parts.map((p) => (p.includes('|') ? `(${p})` : p)).join(' & ');
    } else if (schema.const !== undefined) {
      out = JSON.stringify(schema.const);
    } else if (schema.enum) {
      out = union(schema.enum.map((v) => JSON.stringify(v)));
    } else if (Array.isArray(schema.type)) {
      out = union(schema.type.map((t) => this.ts({ ...schema, type: t, nullable: false }, indent, allRequired)));
    } else {
      out = this.scalar(schema, indent, allRequired);
    }
    if (schema.nullable === true && !out.split(' | ').includes('null')) out = union([out, 'null']);
    return out;
  }

  scalar(schema, indent, allRequired) {
    switch (schema.type) {
      case 'string':
        return 'string';
      case 'integer':
      case 'number':
        return 'number';
      case 'boolean':
        return 'boolean';
      case 'null':
        return 'null';
      case 'array':
        return `Array<${this.ts(schema.items, indent, allRequired)}>`;
      case 'object':
      case undefined:
        if (schema.type === undefined && !schema.properties && schema.additionalProperties === undefined) {
          return 'unknown';
        }
        return this.object(schema, indent, allRequired);
      default:
        return 'unknown';
    }
  }

  object(schema, indent, allRequired) {
    const props = schema.properties || {};
    const required = new Set(schema.required || []);
    const inner = indent + '  ';
    let body = '';
    for (const name of Object.keys(props)) {
      const p = props[name];
      const optional = allRequired ? '' : required.has(name) ? '' : '?';
      body += doc(p.description, inner);
      body += `${inner}${propKey(name)}${optional}: ${this.ts(p, inner, allRequired)};\n`;
    }
    const extra = schema.additionalProperties;
    // Open objects (metadata) take any key; `unknown`, because an index signature must admit
    // every named property's type too.
    if (extra !== undefined && extra !== false) body += `${inner}[key: string]: unknown;\n`;
    if (!body) return 'Record<string, unknown>';
    return `{\n${body}${indent}}`;
  }

  use(name) {
    this.used.add(name);
  }

  /** Marks `name` and every schema it refers to as used in a request (or a response). */
  mark(schema, inRequest, seen = new Set()) {
    if (!schema || typeof schema !== 'object') return;
    if (schema.$ref) {
      const name = typeName(schema.$ref);
      if (seen.has(name)) return;
      seen.add(name);
      const entry = this.schemas.get(name);
      if (!entry) return;
      if (inRequest) entry.inRequest = true;
      this.mark(entry.schema, inRequest, seen);
      return;
    }
    for (const value of Object.values(schema)) {
      if (value && typeof value === 'object') this.mark(value, inRequest, seen);
    }
  }
}

function union(parts) {
  const seen = [];
  for (const p of parts) if (!seen.includes(p)) seen.push(p);
  return seen.length ? seen.join(' | ') : 'never';
}

// ── operations ────────────────────────────────────────────────────────────────────────

function jsonSchemaOf(content) {
  const media = content && (content['application/json'] || Object.values(content)[0]);
  const schema = media && media.schema;
  if (!schema || (typeof schema === 'object' && Object.keys(schema).length === 0)) return undefined;
  return schema;
}

function successResponse(op) {
  const codes = Object.keys(op.responses || {})
    .filter((c) => /^2\d\d$/.test(c))
    .sort();
  for (const code of codes) {
    const schema = jsonSchemaOf(op.responses[code].content);
    if (schema) return { code, schema };
  }
  return { code: codes[0], schema: undefined };
}

function parameters(pathItem, op, where) {
  const all = [...(pathItem.parameters || []), ...(op.parameters || [])];
  return all.filter((p) => p && p.in === where);
}

function resolveParam(spec, p) {
  if (!p.$ref) return p;
  return spec.components?.parameters?.[p.$ref.split('/').pop()] ?? p;
}

/** Builds the source text of src/generated/types.ts from the two documents. */
export function generate(serverSpec, contract) {
  const schemas = new Map();
  // Contract schemas first; the server's win where both define a name.
  for (const [name, schema] of Object.entries(contract.components?.schemas || {})) {
    schemas.set(typeName(name), { schema, origin: 'contract' });
  }
  for (const [name, schema] of Object.entries(serverSpec.components?.schemas || {})) {
    schemas.set(typeName(name), { schema, origin: 'server' });
  }

  const ops = new Map();
  const keyPaths = new Map();
  const collect = (spec, origin) => {
    for (const [path, item] of Object.entries(spec.paths || {})) {
      if (!path.startsWith(API_PREFIX)) continue;
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const key = `${method.toUpperCase()} ${path}`;
        keyPaths.set(key, [method, path]);
        ops.set(key, { ...(ops.get(key) || {}), [origin]: { op, item, spec } });
      }
    }
  };
  collect(contract, 'contract');
  collect(serverSpec, 'server');

  const emitter = new Emitter(schemas);
  const lines = [];
  for (const key of [...ops.keys()].sort()) {
    const { server, contract: fromContract } = ops.get(key);
    const primary = server || fromContract;
    const { op, item, spec } = primary;
    const [method, path] = keyPaths.get(key);
    const query = parameters(item, op, 'query').map((p) => resolveParam(spec, p));
    const pathParams = parameters(item, op, 'path').map((p) => resolveParam(spec, p));
    const body = jsonSchemaOf(op.requestBody?.content);
    emitter.mark(body, true);
    for (const p of query) emitter.mark(p.schema, true);

    let response = successResponse(op);
    let responseOrigin = server ? 'server' : 'contract';
    if (!response.schema && server && fromContract) {
      const c = successResponse(fromContract.op);
      if (c.schema) {
        response = { code: response.code, schema: c.schema };
        responseOrigin = 'contract';
      }
    }
    if (!response.schema && method === 'get') {
      // A GET of one object answers what a PATCH of it answers (the contract types only the PATCH).
      const patch = ops.get(`PATCH ${path}`);
      for (const source of [patch?.server, patch?.contract]) {
        const s = source && successResponse(source.op).schema;
        if (s) {
          response = { code: response.code, schema: s };
          responseOrigin = `${source === patch.server ? 'server' : 'contract'} (as PATCH ${path})`;
          break;
        }
      }
    }
    const note = [
      op.operationId || '',
      server ? 'served' : 'in the contract, not served yet',
      `request: ${server ? 'server' : 'contract'}`,
      `response: ${response.schema ? responseOrigin : 'no schema published yet'}`,
    ].join('; ');

    const q = query.length
      ? `{\n${query
          .map((p) => {
            const t = emitter.ts(stripNull(p.schema), '      ', false);
            return `${doc(p.description, '      ')}      ${propKey(p.name)}${p.required ? '' : '?'}: ${t};`;
          })
          .join('\n')}\n    }`
      : 'Record<string, never>';
    const pp = pathParams.length
      ? `{ ${pathParams.map((p) => `${propKey(p.name)}: string`).join('; ')} }`
      : 'Record<string, never>';
    const b = body ? emitter.ts(body, '    ', false) : 'never';
    const r = response.schema ? emitter.ts(response.schema, '    ', true) : 'UntypedResponse';
    lines.push(
      `  /** ${note} */\n  ${JSON.stringify(key)}: {\n` +
        `    path: ${pp};\n    query: ${q};\n    body: ${b};\n    response: ${r};\n  };`,
    );
  }

  // Named schemas, each once, after every operation has named the ones it uses.
  let pending = true;
  while (pending) {
    pending = false;
    for (const name of emitter.used) {
      const entry = schemas.get(name);
      if (entry && entry.rendered === undefined) {
        // A schema only responses use has every field present; a request schema keeps `required`.
        entry.rendered = emitter.ts(entry.schema, '', !entry.inRequest);
        pending = true;
      }
    }
  }
  const named = [...emitter.used]
    .sort()
    .map((name) => {
      const entry = schemas.get(name);
      if (!entry) return `/** ${name}: referenced but not defined. */\nexport type ${name} = unknown;`;
      const origin = `From the ${entry.origin === 'server' ? "server's /openapi.json" : 'v2 contract'}.`;
      const text = entry.schema.description ? `${String(entry.schema.description).trim()}\n\n${origin}` : origin;
      return `${doc(text, '')}export type ${name} = ${entry.rendered};`;
    });

  return (
    `// Generated by scripts/generate-types.mjs from the server's /openapi.json and\n` +
    `// docs/reference/keito-openapi-v2.yaml. Do not edit: run \`npm run generate\`.\n` +
    `// test/generated-types.test.mjs fails when this file no longer matches the server.\n\n` +
    `/** A response whose schema neither the server nor the contract publishes yet. */\n` +
    `export type UntypedResponse = { [key: string]: unknown };\n\n` +
    `${named.join('\n\n')}\n\n` +
    `/** Every v2 operation, keyed by "METHOD path". */\nexport type Operations = {\n${lines.join('\n')}\n};\n`
  );
}

function stripNull(schema) {
  if (!schema) return schema;
  const variants = schema.anyOf || schema.oneOf;
  if (variants) {
    const kept = variants.filter((s) => s.type !== 'null');
    return kept.length === 1 ? { ...kept[0], description: schema.description } : { ...schema, anyOf: kept, oneOf: undefined };
  }
  return { ...schema, nullable: false };
}

async function main() {
  const check = process.argv.includes('--check');
  const text = generate(await loadServerSpec(), loadContract());
  if (check) {
    const current = readFileSync(OUTPUT, 'utf8');
    if (current !== text) {
      console.error(`${OUTPUT} is out of date with the server; run \`npm run generate\`.`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(OUTPUT, text);
  console.log(`wrote ${OUTPUT}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
