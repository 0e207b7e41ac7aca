// The I/O-free pieces: query strings, dates, Retry-After parsing, the error table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  KeitoApiError,
  KeitoAuthError,
  KeitoConflictError,
  KeitoForbiddenError,
  KeitoNotFoundError,
  KeitoRateLimitError,
  KeitoServerError,
  KeitoValidationError,
} from '../dist/index.js';
import { errorClassFor, parseRetryAfterSeconds } from '../dist/core/errors.js';
import { compactDate, isoDate } from '../dist/internal/dates.js';
import { buildQuery, pathOf } from '../dist/internal/query.js';

test('query strings leave out undefined and null, and write lists comma-separated', () => {
  assert.equal(buildQuery(undefined), '');
  assert.equal(buildQuery({ a: undefined, b: null }), '');
  assert.equal(buildQuery({ is_running: true, page: 2, source: ['agent', 'cli'], q: 'a b&c' }), '?is_running=true&page=2&source=agent%2Ccli&q=a+b%26c');
  assert.equal(pathOf('/x/{id}/y', { id: 'a/b' }), '/x/a%2Fb/y');
  assert.throws(() => pathOf('/x/{id}', {}), TypeError);
});

test('dates: YYYY-MM-DD and the reports YYYYMMDD', () => {
  assert.equal(isoDate(new Date(2026, 2, 6)), '2026-03-06');
  assert.equal(compactDate('2026-03-06'), '20260306');
  assert.equal(compactDate('20260306'), '20260306');
  assert.equal(compactDate(new Date(2026, 11, 31)), '20261231');
});

test('Retry-After: seconds or an HTTP date; nonsense is ignored', () => {
  assert.equal(parseRetryAfterSeconds('5'), 5);
  assert.equal(parseRetryAfterSeconds('0'), 0);
  assert.equal(parseRetryAfterSeconds(null), undefined);
  assert.equal(parseRetryAfterSeconds('soon'), undefined);
  const now = Date.parse('2026-03-06T10:00:00Z');
  assert.equal(parseRetryAfterSeconds('Fri, 06 Mar 2026 10:00:30 GMT', now), 30);
  assert.equal(parseRetryAfterSeconds('Fri, 06 Mar 2026 09:00:00 GMT', now), 0);
});

test('one error class per status', () => {
  const table = {
    400: KeitoValidationError,
    401: KeitoAuthError,
    403: KeitoForbiddenError,
    404: KeitoNotFoundError,
    409: KeitoConflictError,
    413: KeitoApiError,
    422: KeitoValidationError,
    429: KeitoRateLimitError,
    500: KeitoServerError,
    503: KeitoServerError,
  };
  for (const [status, Class] of Object.entries(table)) assert.equal(errorClassFor(Number(status)), Class, status);
});
