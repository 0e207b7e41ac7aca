/** The base every resource extends: typed verbs over the transport, and list pages. */
import { Page, PagePromise, type Envelope } from '../core/pagination.js';
import type { RequestOptions, Transport } from './http.js';

export abstract class Resource {
  constructor(protected readonly transport: Transport) {}

  protected async getJson<T>(path: string, query?: object, options?: RequestOptions): Promise<T> {
    return (await this.transport.request<T>({ method: 'GET', path, query, options })).data;
  }

  protected async postJson<T>(path: string, body: unknown, options?: RequestOptions): Promise<T> {
    return (await this.transport.request<T>({ method: 'POST', path, body: body ?? {}, options })).data;
  }

  protected async patchJson<T>(path: string, body: unknown, options?: RequestOptions): Promise<T> {
    return (await this.transport.request<T>({ method: 'PATCH', path, body: body ?? {}, options })).data;
  }

  protected async deleteJson<T = void>(path: string, options?: RequestOptions): Promise<T> {
    return (await this.transport.request<T>({ method: 'DELETE', path, options })).data;
  }

  /** A lazy list: `key` names the array in the envelope (`time_entries`, `results`, ...). */
  protected listPages<T>(
    path: string | (() => string),
    key: string,
    query: object | undefined,
    options?: RequestOptions,
  ): PagePromise<T> {
    const fetchPage = async (page: number): Promise<Page<T>> => {
      const url = typeof path === 'string' ? path : path();
      const envelope = await this.getJson<Envelope>(url, { ...query, page }, options);
      return new Page<T>(envelope, key, fetchPage);
    };
    const first = (query as { page?: number } | undefined)?.page ?? 1;
    return new PagePromise(() => fetchPage(first));
  }
}

/** `id` encoded for a path segment; an empty id is a TypeError, not a request to the list. */
export function seg(id: string): string {
  if (typeof id !== 'string' || id === '') throw new TypeError('an id is required');
  return encodeURIComponent(id);
}
