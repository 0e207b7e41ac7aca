/**
 * The agent pattern in one call (keito-docs §3.4): start a timer, do the work, stop the timer,
 * log what the model cost, all tied together by one `session_id`. If the work fails, the entry
 * is deleted, so a failed session leaves no running timer behind.
 */
import type { Keito } from './client.js';
import type { RequestOptions } from '../internal/http.js';
import type { Expense } from '../resources/simple.js';
import type { TimeEntry } from '../resources/time-entries.js';

/** The built-in LLM Usage expense category, the same id in every workspace. */
export const LLM_USAGE_CATEGORY_ID = 'cat_llm_usage';
/** Tokens per expense unit: LLM Usage is counted in thousands of tokens. */
const TOKENS_PER_UNIT = 1000;

export interface AgentWorkTarget {
  projectId: string;
  taskId: string;
  /** Your agent's id, e.g. `review-bot-01` (metadata.agent_id). */
  agentId: string;
  /** The model the work uses, e.g. `claude-opus-4-6`; the server prices the tokens from it. */
  model: string;
  /** e.g. `claude-code` (metadata.agent_type). */
  agentType?: string;
  /** Notes for the entry (and the default for the expense's). */
  notes?: string;
  /** Defaults to today (local date). */
  spentDate?: string;
  /** Stop a timer this user already has running instead of failing with 409. */
  replaceRunning?: boolean;
  /** Extra metadata for both the entry and the expense. */
  metadata?: Record<string, unknown>;
  /** Options for every request made here. */
  requestOptions?: RequestOptions;
}

export interface AgentWorkResult<T> {
  result: T;
  inputTokens: number;
  outputTokens: number;
}

export interface TrackedAgentWork<T> {
  /** What `work()` returned as `result`. */
  result: T;
  sessionId: string;
  /** The stopped time entry. */
  entry: TimeEntry;
  /** The LLM Usage expense, priced by the server. */
  expense: Expense;
}

export async function trackAgentWork<T>(
  keito: Keito,
  target: AgentWorkTarget,
  work: (context: { sessionId: string; entry: TimeEntry }) => Promise<AgentWorkResult<T>> | AgentWorkResult<T>,
): Promise<TrackedAgentWork<T>> {
  const sessionId = crypto.randomUUID();
  const options = target.requestOptions;
  const metadata: Record<string, unknown> = {
    ...target.metadata,
    agent_id: target.agentId,
    model: target.model,
    session_id: sessionId,
  };
  if (target.agentType !== undefined) metadata['agent_type'] = target.agentType;

  const started = (await keito.timeEntries.startTimer(
    {
      project_id: target.projectId,
      task_id: target.taskId,
      ...(target.spentDate !== undefined && { spent_date: target.spentDate }),
      ...(target.notes !== undefined && { notes: target.notes }),
      ...(target.replaceRunning !== undefined && { replace_running: target.replaceRunning }),
      source: 'agent',
      metadata,
    },
    options,
  )) as TimeEntry;

  let outcome: AgentWorkResult<T>;
  try {
    outcome = await work({ sessionId, entry: started });
  } catch (error) {
    // Discard on failure; if even the delete fails, the work's error is still the one to see.
    await keito.timeEntries.delete(started.id, options).catch(() => undefined);
    throw error;
  }

  const entry = (await keito.timeEntries.stopTimer(started.id, {}, options)) as TimeEntry;
  const inputTokens = Math.max(0, Math.round(outcome.inputTokens));
  const outputTokens = Math.max(0, Math.round(outcome.outputTokens));
  const expense = (await keito.expenses.create(
    {
      project_id: target.projectId,
      expense_category_id: LLM_USAGE_CATEGORY_ID,
      spent_date: entry.spent_date,
      // Thousands of tokens, rounded up, at least 1: the contract's `units` is an integer ≥ 1.
      units: Math.max(1, Math.ceil((inputTokens + outputTokens) / TOKENS_PER_UNIT)),
      notes: `${target.model}: ${inputTokens} input + ${outputTokens} output tokens`,
      source: 'agent',
      metadata: {
        ...target.metadata,
        agent_id: target.agentId,
        session_id: sessionId,
        model: target.model,
        input_tokens: inputTokens,
        output_tokens: outputTokens,
        ...(target.agentType !== undefined && { agent_type: target.agentType }),
      },
    },
    options,
  )) as Expense;
  return { result: outcome.result, sessionId, entry, expense };
}
