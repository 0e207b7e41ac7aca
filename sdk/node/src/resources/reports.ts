import type { PagePromise } from '../core/pagination.js';
import type { ItemOf, QueryOf } from '../core/types.js';
import { compactDate, isoDate } from '../internal/dates.js';
import type { RequestOptions } from '../internal/http.js';
import { Resource } from '../internal/resource.js';
import type { TimeEntry } from './time-entries.js';

const TEAM = '/api/v2/reports/time/team';
const SUMMARY = '/api/v2/reports/summary';

export type TeamTimeResult = ItemOf<`GET ${typeof TEAM}`, 'results'>;
/** `from`/`to` may be `YYYY-MM-DD`, `YYYYMMDD` or a Date; they are sent as `YYYYMMDD`. */
export type TeamTimeParams = Omit<QueryOf<`GET ${typeof TEAM}`>, 'from' | 'to'> & {
  from: string | Date;
  to: string | Date;
};

export type SummaryRow = ItemOf<`GET ${typeof SUMMARY}`, 'results'>;
/** Dates as `YYYY-MM-DD`, `YYYYMMDD` or a Date; `group_by` one of client, project, task, user, source, user_type, model, agent, session. */
export type SummaryParams = Omit<QueryOf<`GET ${typeof SUMMARY}`>, 'from' | 'to' | 'format'> & {
  from?: string | Date;
  to?: string | Date;
};

export interface AgentSummaryParams {
  user_id: string;
  /** First day, inclusive (`YYYY-MM-DD` or a Date). */
  from?: string | Date;
  /** Last day, inclusive. */
  to?: string | Date;
}

/** Time and outcomes of one user (typically an agent), from their time entries. */
export interface AgentSummary {
  time: {
    /** Hours on entries that are not outcomes. */
    total_hours: number;
    billable_hours: number;
    /** Σ billable hours × billable_rate, in the workspace currency. */
    revenue: number;
  };
  outcomes: {
    total: number;
    successful: number;
    /** Σ outcome_unit_price × outcome_quantity over successful outcomes. */
    revenue: number;
  };
  combined: { total_revenue: number };
}

/** Sums in integer millionths, so a thousand 0.1 h entries add up to exactly 100 h. */
const SCALE = 1_000_000;
const micro = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? Math.round(value * SCALE) : 0);
const unmicro = (value: number): number => value / SCALE;

export class Reports extends Resource {
  /** Hours and billable amounts per person (manager or administrator; at most 365 days). */
  teamTime(params: TeamTimeParams, options?: RequestOptions): PagePromise<TeamTimeResult> {
    const query = { ...params, from: compactDate(params.from), to: compactDate(params.to) };
    return this.listPages(TEAM, 'results', query, options);
  }

  /** Hours, billable amounts, costs and LLM spend grouped by `group_by`, computed by the server. */
  summary(params: SummaryParams = {}, options?: RequestOptions): PagePromise<SummaryRow> {
    const query: Record<string, unknown> = { ...params };
    if (params.from !== undefined) query['from'] = compactDate(params.from);
    if (params.to !== undefined) query['to'] = compactDate(params.to);
    return this.listPages(SUMMARY, 'results', query, options);
  }

  /**
   * Time versus outcomes for one user, computed here from every time entry of theirs in the
   * range (keito-docs §3.7). An entry is an outcome when its hours are 0 and its metadata has
   * `outcome_type` (what `outcomes.log` writes).
   */
  async agentSummary(params: AgentSummaryParams, options?: RequestOptions): Promise<AgentSummary> {
    const query = {
      user_id: params.user_id,
      from: params.from instanceof Date ? isoDate(params.from) : params.from,
      to: params.to instanceof Date ? isoDate(params.to) : params.to,
      per_page: 2000,
    };
    let hours = 0;
    let billable = 0;
    let timeRevenue = 0;
    let outcomes = 0;
    let successful = 0;
    let outcomeRevenue = 0;
    for await (const entry of this.listPages<TimeEntry>('/api/v2/time_entries', 'time_entries', query, options)) {
      const meta = (entry.metadata ?? {}) as Record<string, unknown>;
      if (entry.hours === 0 && typeof meta['outcome_type'] === 'string') {
        outcomes += 1;
        if (meta['outcome_success'] !== false) {
          successful += 1;
          const quantity = typeof meta['outcome_quantity'] === 'number' ? meta['outcome_quantity'] : 1;
          outcomeRevenue += Math.round(micro(meta['outcome_unit_price']) * quantity);
        }
        continue;
      }
      hours += micro(entry.hours);
      if (entry.billable) {
        billable += micro(entry.hours);
        // hours × rate in millionths of a currency unit: (h·1e6 × r·1e6) / 1e6.
        timeRevenue += Math.round((micro(entry.hours) * micro(entry.billable_rate)) / SCALE);
      }
    }
    return {
      time: { total_hours: unmicro(hours), billable_hours: unmicro(billable), revenue: unmicro(timeRevenue) },
      outcomes: { total: outcomes, successful, revenue: unmicro(outcomeRevenue) },
      combined: { total_revenue: unmicro(timeRevenue + outcomeRevenue) },
    };
  }
}
