/**
 * The one place that talks HTTP: auth headers, JSON, timeouts, retries, idempotency keys and
 * error mapping. Resources build a `RequestSpec` and get parsed JSON back; nothing else in the
 * SDK calls fetch.
 */
import {
  KeitoConnectionError,
  KeitoError,
  KeitoTimeoutError,
  errorClassFor,
  type KeitoApiError,
} from '../core/errors.js';
import { buildQuery } from './query.js';
import { isRetryableStatus, retryDelayMs, sleep } from './retry.js';

export const SDK_VERSION = '0.1.0';
/** Statuses whose Response may not carry a body (the Fetch standard's null body statuses). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Per-call options; every resource method takes them as its last argument. */
export interface RequestOptions {
  /** Milliseconds before one attempt is abandoned (overrides the client's `timeout`). */
  timeout?: number;
  /** Retries after the first attempt (overrides the client's `maxRetries`). */
  maxRetries?: number;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
  /** The POST's Idempotency-Key; by default a fresh UUID per call, kept across its retries. */
  idempotencyKey?: string;
  /** Aborts the call (and any wait between retries). */
  signal?: AbortSignal;
}

export interface TransportConfig {
  apiKey: string;
  accountId: string;
  baseUrl: string;
  maxRetries: number;
  timeout: number;
  fetch: typeof fetch;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  query?: object | undefined;
  body?: unknown;
  options?: RequestOptions | undefined;
}

export interface ApiResponse<T> {
  data: T;
  status: number;
  headers: Headers;
}

export class Transport {
  constructor(readonly config: TransportConfig) {}

  async request<T>(spec: RequestSpec): Promise<ApiResponse<T>> {
    const options = spec.options ?? {};
    const url = this.url(spec.path, spec.query);
    const maxRetries = options.maxRetries ?? this.config.maxRetries;
    const headers = this.headers(spec, options);
    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body);

    for (let attempt = 0; ; attempt++) {
      const outcome = await this.attempt(spec.method, url, headers, body, options);
      const retriesLeft = attempt < maxRetries;
      if (outcome.kind === 'response') {
        const { response } = outcome;
        if (response.ok) return { data: (await parseBody(response)) as T, status: response.status, headers: response.headers };
        const error = await toApiError(spec.method, url, response);
        if (!retriesLeft || !isRetryableStatus(response.status, error.code)) throw error;
        await sleep(retryDelayMs(attempt + 1, response.headers.get('retry-after')), options.signal);
      } else {
        if (!retriesLeft || options.signal?.aborted) throw outcome.error;
        await sleep(retryDelayMs(attempt + 1, null), options.signal);
      }
    }
  }

  private url(path: string, query: object | undefined): string {
    return `${this.config.baseUrl.replace(/\/+$/, '')}${path}${buildQuery(query)}`;
  }

  private headers(spec: RequestSpec, options: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.config.apiKey}`,
      'Keito-Account-Id': this.config.accountId,
      Accept: 'application/json',
      'User-Agent': `keito-node/${SDK_VERSION} node/${process.version}`,
    };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    // One key per call, the same on every retry of it: the server replays instead of re-creating.
    if (spec.method === 'POST') headers['Idempotency-Key'] = options.idempotencyKey ?? crypto.randomUUID();
    return { ...headers, ...options.headers };
  }

  private async attempt(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | undefined,
    options: RequestOptions,
  ): Promise<{ kind: 'response'; response: Response } | { kind: 'failure'; error: KeitoError }> {
    const timeout = options.timeout ?? this.config.timeout;
    const timer = AbortSignal.timeout(timeout);
    const signal = options.signal ? AbortSignal.any([options.signal, timer]) : timer;
    try {
      const init: RequestInit = { method, headers, signal };
      if (body !== undefined) init.body = body;
      const response = await this.config.fetch(url, init);
      // Read the body inside the timeout, so a stalled body counts as a timeout too.
      const text = await response.text();
      return { kind: 'response', response: new Response(NULL_BODY_STATUSES.has(response.status) ? null : text, response) };
    } catch (cause) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (timer.aborted) {
        return {
          kind: 'failure',
          error: new KeitoTimeoutError(`${method} ${url} got no answer within ${timeout} ms`, { cause }),
        };
      }
      return {
        kind: 'failure',
        error: new KeitoConnectionError(`${method} ${url} could not reach the server: ${describe(cause)}`, { cause }),
      };
    }
  }
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    return inner instanceof Error ? `${cause.message} (${inner.message})` : cause.message;
  }
  return String(cause);
}

async function parseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

interface ErrorFields {
  error?: unknown;
  error_description?: unknown;
  code?: unknown;
  message?: unknown;
}

async function toApiError(method: string, url: string, response: Response): Promise<KeitoApiError> {
  const body = await parseBody(response);
  let error: string | undefined;
  let description: string | undefined;
  let code: string | undefined;
  if (body && typeof body === 'object') {
    const b = body as ErrorFields;
    if (b.error && typeof b.error === 'object') {
      // The v1 shape {error: {code, message}}, should a proxy or an old server answer with it.
      const inner = b.error as ErrorFields;
      code = str(inner.code);
      description = str(inner.message);
    } else {
      error = str(b.error);
      description = str(b.error_description) ?? str(b.message);
      code = str(b.code);
    }
  } else if (typeof body === 'string' && body.trim() !== '') {
    description = body.trim().slice(0, 500);
  }
  const ErrorClass = errorClassFor(response.status);
  return new ErrorClass({
    status: response.status,
    code,
    error: error ?? (response.statusText.toLowerCase() || undefined),
    error_description: description,
    headers: response.headers,
    body,
    method,
    url,
  });
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
