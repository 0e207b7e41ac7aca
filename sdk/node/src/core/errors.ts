/**
 * Every error the SDK throws is a `KeitoError`. An answer from the server is a `KeitoApiError`
 * (or a subclass chosen by its status); no answer at all is a timeout or a connection error.
 *
 *     KeitoError
 *     ├── KeitoApiError            any non-2xx answer: status, code, error, error_description, headers
 *     │   ├── KeitoValidationError 400 / 422  (validation_error, metadata_too_large, idempotency_key_reused, ...)
 *     │   ├── KeitoAuthError       401        (authentication_error)
 *     │   ├── KeitoForbiddenError  403        (authorization_error, project_not_assigned)
 *     │   ├── KeitoNotFoundError   404        (not_found)
 *     │   ├── KeitoConflictError   409        (timer_already_running, timer_not_running, entry_locked)
 *     │   ├── KeitoRateLimitError  429        (rate_limited; retryAfter in seconds)
 *     │   └── KeitoServerError     5xx
 *     ├── KeitoTimeoutError        no answer within `timeout` ms
 *     └── KeitoConnectionError     the request never reached the server (DNS, refused, reset)
 *
 * `code` is the stable machine-readable code shared by the server, both SDKs and the CLI;
 * branch on it (or on the class), never on the human sentence in `error_description`.
 */

export class KeitoError extends Error {
  override name = 'KeitoError';
}

export interface KeitoApiErrorInit {
  status: number;
  code: string | undefined;
  error: string | undefined;
  error_description: string | undefined;
  headers: Headers;
  body: unknown;
  method: string;
  url: string;
}

export class KeitoApiError extends KeitoError {
  override name = 'KeitoApiError';
  /** HTTP status of the answer. */
  readonly status: number;
  /** Stable code, e.g. `timer_already_running`; undefined when the body carried none. */
  readonly code: string | undefined;
  /** Lowercase status phrase, e.g. `conflict`. */
  readonly error: string | undefined;
  /** A sentence saying what to fix. */
  readonly error_description: string | undefined;
  readonly headers: Headers;
  /** The parsed body (or the raw text when it was not JSON). */
  readonly body: unknown;
  readonly method: string;
  readonly url: string;

  constructor(init: KeitoApiErrorInit) {
    const what = init.error_description ?? init.error ?? 'request failed';
    super(`[${init.status}${init.code ? ` ${init.code}` : ''}] ${init.method} ${init.url}: ${what}`);
    this.status = init.status;
    this.code = init.code;
    this.error = init.error;
    this.error_description = init.error_description;
    this.headers = init.headers;
    this.body = init.body;
    this.method = init.method;
    this.url = init.url;
  }
}

export class KeitoValidationError extends KeitoApiError {
  override name = 'KeitoValidationError';
}
export class KeitoAuthError extends KeitoApiError {
  override name = 'KeitoAuthError';
}
export class KeitoForbiddenError extends KeitoApiError {
  override name = 'KeitoForbiddenError';
}
export class KeitoNotFoundError extends KeitoApiError {
  override name = 'KeitoNotFoundError';
}
export class KeitoConflictError extends KeitoApiError {
  override name = 'KeitoConflictError';
}
export class KeitoServerError extends KeitoApiError {
  override name = 'KeitoServerError';
}

export class KeitoRateLimitError extends KeitoApiError {
  override name = 'KeitoRateLimitError';
  /** Seconds the server asked us to wait (`Retry-After`), when it said. */
  readonly retryAfter: number | undefined;

  constructor(init: KeitoApiErrorInit) {
    super(init);
    this.retryAfter = parseRetryAfterSeconds(init.headers.get('retry-after'));
  }
}

export class KeitoTimeoutError extends KeitoError {
  override name = 'KeitoTimeoutError';
}

export class KeitoConnectionError extends KeitoError {
  override name = 'KeitoConnectionError';
}

/** `Retry-After` as seconds: either delta-seconds or an HTTP date. */
export function parseRetryAfterSeconds(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}

/** The error class for an HTTP status; one table, so the tree above stays the truth. */
export function errorClassFor(status: number): new (init: KeitoApiErrorInit) => KeitoApiError {
  switch (status) {
    case 400:
    case 422:
      return KeitoValidationError;
    case 401:
      return KeitoAuthError;
    case 403:
      return KeitoForbiddenError;
    case 404:
      return KeitoNotFoundError;
    case 409:
      return KeitoConflictError;
    case 429:
      return KeitoRateLimitError;
    default:
      return status >= 500 ? KeitoServerError : KeitoApiError;
  }
}
