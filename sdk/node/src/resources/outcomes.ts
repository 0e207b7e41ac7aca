import type { ResponseOf } from '../core/types.js';
import { today } from '../internal/dates.js';
import type { RequestOptions } from '../internal/http.js';
import { Resource } from '../internal/resource.js';

/** Common outcome types; any other string is allowed too. */
export const OutcomeTypes = {
  TICKET_RESOLVED: 'ticket_resolved',
  LEAD_QUALIFIED: 'lead_qualified',
  MEETING_BOOKED: 'meeting_booked',
  DOCUMENT_GENERATED: 'document_generated',
  CODE_REVIEW_COMPLETED: 'code_review_completed',
  PR_MERGED: 'pr_merged',
  DEPLOYMENT_COMPLETED: 'deployment_completed',
  TEST_SUITE_PASSED: 'test_suite_passed',
  DATA_PROCESSED: 'data_processed',
  EMAIL_SENT: 'email_sent',
  INVOICE_CREATED: 'invoice_created',
  WORKFLOW_COMPLETED: 'workflow_completed',
  CUSTOM: 'custom',
} as const;

export interface OutcomeLogParams {
  project_id: string;
  task_id: string;
  /** Defaults to today (local date). */
  spent_date?: string;
  /** Defaults to `agent`. */
  source?: 'web' | 'cli' | 'api' | 'agent' | 'calendar' | 'desktop';
  outcome: {
    type: string;
    /** Becomes the entry's notes. */
    description?: string;
    /** Price of one outcome, in the workspace currency. */
    unit_price?: number;
    /** Defaults to 1. */
    quantity?: number;
    /** Defaults to true. */
    success?: boolean;
    evidence?: Record<string, unknown>;
  };
  /** Extra metadata, kept alongside the outcome keys. */
  metadata?: Record<string, unknown>;
}

export class Outcomes extends Resource {
  /**
   * Records a billable result as a zero-hour time entry whose metadata carries the outcome
   * (`outcome_type`, `outcome_quantity`, `outcome_success`, `outcome_unit_price`,
   * `outcome_evidence`); `reports.agentSummary` counts them.
   */
  log(params: OutcomeLogParams, options?: RequestOptions): Promise<ResponseOf<'POST /api/v2/time_entries'>> {
    const { outcome } = params;
    const metadata: Record<string, unknown> = {
      ...params.metadata,
      outcome_type: outcome.type,
      outcome_quantity: outcome.quantity ?? 1,
      outcome_success: outcome.success ?? true,
    };
    if (outcome.unit_price !== undefined) metadata['outcome_unit_price'] = outcome.unit_price;
    if (outcome.evidence !== undefined) metadata['outcome_evidence'] = outcome.evidence;
    const body: Record<string, unknown> = {
      project_id: params.project_id,
      task_id: params.task_id,
      spent_date: params.spent_date ?? today(),
      hours: 0,
      billable: true,
      source: params.source ?? 'agent',
      metadata,
    };
    if (outcome.description !== undefined) body['notes'] = outcome.description;
    return this.postJson('/api/v2/time_entries', body, options);
  }
}
