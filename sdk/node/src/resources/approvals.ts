import type { PagePromise } from '../core/pagination.js';
import type { BodyOf, ItemOf, QueryOf, ResponseOf } from '../core/types.js';
import type { RequestOptions } from '../internal/http.js';
import { Resource, seg } from '../internal/resource.js';

const PATH = '/api/v2/approvals';

/** Timesheet approvals: submit a period, then a manager approves, rejects or withdraws. */
export class Approvals extends Resource {
  /** Your submissions, or those of the people you manage; every page. */
  list(params?: QueryOf<'GET /api/v2/approvals'>, options?: RequestOptions): PagePromise<Approval> {
    return this.listPages(PATH, 'approvals', params, options);
  }

  get(id: string, options?: RequestOptions): Promise<ResponseOf<'GET /api/v2/approvals/{id}'>> {
    return this.getJson(`${PATH}/${seg(id)}`, undefined, options);
  }

  /** Submits every unsubmitted (or rejected) stopped entry and expense of the period. */
  submit(body: BodyOf<'POST /api/v2/approvals'>, options?: RequestOptions): Promise<ResponseOf<'POST /api/v2/approvals'>> {
    return this.postJson(PATH, body, options);
  }

  approve(id: string, options?: RequestOptions): Promise<ResponseOf<'POST /api/v2/approvals/{id}/approve'>> {
    return this.postJson(`${PATH}/${seg(id)}/approve`, undefined, options);
  }

  reject(id: string, reason: string, options?: RequestOptions): Promise<ResponseOf<'POST /api/v2/approvals/{id}/reject'>> {
    return this.postJson(`${PATH}/${seg(id)}/reject`, { reason }, options);
  }

  withdraw(id: string, options?: RequestOptions): Promise<ResponseOf<'POST /api/v2/approvals/{id}/withdraw'>> {
    return this.postJson(`${PATH}/${seg(id)}/withdraw`, undefined, options);
  }
}
export type Approval = ItemOf<'GET /api/v2/approvals', 'approvals'>;
