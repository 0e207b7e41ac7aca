/**
 * When to retry and how long to wait: pure functions, no I/O, so the rules are readable in one
 * place. A POST is retried only because every POST carries an Idempotency-Key (the server replays
 * the first answer for the same key), so a retry can never create a second object.
 */
import { parseRetryAfterSeconds } from '../core/errors.js';

/** Request timeout, too many requests, and every server error. */
const RETRYABLE_STATUSES = new Set([408, 429]);
/** A 409 that means "the first try with this Idempotency-Key is still running": wait and ask again. */
const RETRYABLE_CODES = new Set(['idempotency_in_progress']);

/** First backoff step, in ms; doubles per attempt. */
const BASE_DELAY_MS = 500;
/** Longest backoff step, in ms. */
const MAX_BACKOFF_MS = 8_000;
/** Longest wait we accept from a Retry-After header, in ms: past that, fail and let the caller decide. */
const MAX_RETRY_AFTER_MS = 60_000;

export function isRetryableStatus(status: number, code: string | undefined): boolean {
  return RETRYABLE_STATUSES.has(status) || status >= 500 || (code !== undefined && RETRYABLE_CODES.has(code));
}

/**
 * Milliseconds to wait before retry number `attempt` (1 for the first retry). The server's
 * Retry-After wins when present (even 0); otherwise exponential backoff with jitter: a random
 * wait between half and all of min(500 ms × 2^(attempt-1), 8 s), so clients that failed
 * together do not retry together.
 */
export function retryDelayMs(attempt: number, retryAfter: string | null, random: () => number = Math.random): number {
  const seconds = parseRetryAfterSeconds(retryAfter);
  if (seconds !== undefined) return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const ceiling = Math.min(BASE_DELAY_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS);
  return ceiling / 2 + random() * (ceiling / 2);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(timer);
      reject(signal?.reason);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}
