/**
 * Request and response types of each call, looked up by "METHOD path" in the generated
 * `Operations` (src/generated/types.ts, built from the server's /openapi.json and the v2
 * contract). An operation the server does not publish yet falls back to loose object types,
 * and becomes strict as soon as `npm run generate` sees it.
 */
import type { Operations, UntypedResponse } from '../generated/types.js';

interface LooseOperation {
  path: Record<string, string>;
  query: { page?: number; per_page?: number; [key: string]: unknown };
  body: { [key: string]: unknown };
  response: UntypedResponse;
}

export type Op<K extends string> = K extends keyof Operations ? Operations[K] : LooseOperation;
/** The JSON body of operation K. */
export type BodyOf<K extends string> = NonNullable<Op<K>['body']>;
/** The query parameters of operation K. */
export type QueryOf<K extends string> = Op<K>['query'];
/** What operation K answers. */
export type ResponseOf<K extends string> = Op<K>['response'];
/** The element type of list operation K's `Key` array. */
export type ItemOf<K extends string, Key extends string> =
  ResponseOf<K> extends { [P in Key]: Array<infer T> } ? T : UntypedResponse;

export type { Operations, UntypedResponse };
