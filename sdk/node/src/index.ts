export { Keito, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, type KeitoOptions } from './core/client.js';
export {
  KeitoError,
  KeitoApiError,
  KeitoValidationError,
  KeitoAuthError,
  KeitoForbiddenError,
  KeitoNotFoundError,
  KeitoConflictError,
  KeitoRateLimitError,
  KeitoServerError,
  KeitoTimeoutError,
  KeitoConnectionError,
  type KeitoApiErrorInit,
} from './core/errors.js';
export { Page, PagePromise, type PageLinks, type Envelope } from './core/pagination.js';
export {
  trackAgentWork,
  LLM_USAGE_CATEGORY_ID,
  type AgentWorkTarget,
  type AgentWorkResult,
  type TrackedAgentWork,
} from './core/track-agent-work.js';
export type { BodyOf, ItemOf, Op, QueryOf, ResponseOf } from './core/types.js';
export type { RequestOptions } from './internal/http.js';
export { SDK_VERSION } from './internal/http.js';
export * from './resources/time-entries.js';
export * from './resources/simple.js';
export * from './resources/projects.js';
export * from './resources/users.js';
export * from './resources/approvals.js';
export * from './resources/invoices.js';
export * from './resources/reports.js';
export * from './resources/outcomes.js';
export type * as Generated from './generated/types.js';
