import type { PagePromise } from '../core/pagination.js';
import type { BodyOf, ItemOf, QueryOf, ResponseOf } from '../core/types.js';
import type { RequestOptions } from '../internal/http.js';
import { Resource, seg } from '../internal/resource.js';
import { today } from '../internal/dates.js';

const PATH = '/api/v2/time_entries';

export type TimeEntry = ResponseOf<'GET /api/v2/time_entries/{id}'>;
export type TimeEntryListParams = QueryOf<'GET /api/v2/time_entries'>;
export type TimeEntryCreateParams = BodyOf<'POST /api/v2/time_entries'>;
export type TimeEntryUpdateParams = BodyOf<'PATCH /api/v2/time_entries/{id}'>;
export type TimeEntryStopParams = BodyOf<'PATCH /api/v2/time_entries/{id}/stop'>;
export type TimeEntryRestartParams = BodyOf<'PATCH /api/v2/time_entries/{id}/restart'>;
/** A timer starts now: no hours, no end; `spent_date` defaults to today (local date). */
export type StartTimerParams = Omit<TimeEntryCreateParams, 'hours' | 'ended_time' | 'is_running' | 'spent_date'> & {
  spent_date?: string;
};

export class TimeEntries extends Resource {
  /** Entries, newest first; await for the first page or `for await` for all of them. */
  list(params?: TimeEntryListParams, options?: RequestOptions): PagePromise<ItemOf<'GET /api/v2/time_entries', 'time_entries'>> {
    return this.listPages(PATH, 'time_entries', params, options);
  }

  async get(id: string, options?: RequestOptions): Promise<TimeEntry> {
    return this.getJson(`${PATH}/${seg(id)}`, undefined, options);
  }

  async create(body: TimeEntryCreateParams, options?: RequestOptions): Promise<ResponseOf<'POST /api/v2/time_entries'>> {
    return this.postJson(PATH, body, options);
  }

  /** PATCH: only the fields given change; `metadata` merges, `metadata: null` clears it. */
  async update(id: string, body: TimeEntryUpdateParams, options?: RequestOptions): Promise<ResponseOf<'PATCH /api/v2/time_entries/{id}'>> {
    return this.patchJson(`${PATH}/${seg(id)}`, body, options);
  }

  async delete(id: string, options?: RequestOptions): Promise<void> {
    return this.deleteJson(`${PATH}/${seg(id)}`, options);
  }

  /** Starts a running timer (409 `timer_already_running` unless `replace_running: true`). */
  async startTimer(body: StartTimerParams, options?: RequestOptions): Promise<ResponseOf<'POST /api/v2/time_entries'>> {
    const { spent_date, ...rest } = body;
    return this.postJson(PATH, { ...rest, spent_date: spent_date ?? today(), is_running: true }, options);
  }

  /** Stops a running timer; the server computes the duration. `notes`, when given, replace the entry's. */
  async stopTimer(id: string, body?: TimeEntryStopParams, options?: RequestOptions): Promise<ResponseOf<'PATCH /api/v2/time_entries/{id}/stop'>> {
    return this.patchJson(`${PATH}/${seg(id)}/stop`, body ?? {}, options);
  }

  /** Runs a stopped entry again as the user's timer. */
  async restartTimer(
    id: string,
    body?: TimeEntryRestartParams,
    options?: RequestOptions,
  ): Promise<ResponseOf<'PATCH /api/v2/time_entries/{id}/restart'>> {
    return this.patchJson(`${PATH}/${seg(id)}/restart`, body ?? {}, options);
  }
}
