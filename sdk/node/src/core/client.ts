import { KeitoError } from './errors.js';
import { baseUrlFromEnv, env } from '../internal/env.js';
import { Transport } from '../internal/http.js';
import { Approvals } from '../resources/approvals.js';
import { Invoices } from '../resources/invoices.js';
import { Outcomes } from '../resources/outcomes.js';
import { Reports } from '../resources/reports.js';
import { Projects } from '../resources/projects.js';
import { Clients, Contacts, ExpenseCategories, Expenses, Tasks } from '../resources/simple.js';
import { TimeEntries } from '../resources/time-entries.js';
import { Users } from '../resources/users.js';

/** Retries after the first attempt, for 408, 429 and 5xx answers and for network failures. */
export const DEFAULT_MAX_RETRIES = 3;
/** Milliseconds one attempt may take. */
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface KeitoOptions {
  /** `kto_...`; default `KEITO_API_KEY`. */
  apiKey?: string | undefined;
  /** The workspace id sent as `Keito-Account-Id`; default `KEITO_ACCOUNT_ID`. */
  accountId?: string | undefined;
  /** Default `KEITO_API_URL`, else `KEITO_BASE_URL`, else `http://localhost:8000`. */
  baseUrl?: string | undefined;
  /** Default 3. */
  maxRetries?: number | undefined;
  /** Milliseconds per attempt; default 30000. */
  timeout?: number | undefined;
  /** A fetch to use instead of the global one (proxies, tracing). */
  fetch?: typeof fetch | undefined;
}

/**
 * The Keito v2 API. Every resource hangs off the client and mirrors the URL tree:
 * `keito.timeEntries` is `/api/v2/time_entries`, `keito.invoices.messages` is
 * `/api/v2/invoices/{id}/messages`.
 */
export class Keito {
  readonly baseUrl: string;
  readonly accountId: string;
  readonly timeEntries: TimeEntries;
  readonly expenses: Expenses;
  readonly expenseCategories: ExpenseCategories;
  readonly projects: Projects;
  readonly clients: Clients;
  readonly contacts: Contacts;
  readonly tasks: Tasks;
  readonly users: Users;
  readonly approvals: Approvals;
  readonly invoices: Invoices;
  readonly reports: Reports;
  readonly outcomes: Outcomes;

  constructor(options: KeitoOptions = {}) {
    const apiKey = options.apiKey ?? env('KEITO_API_KEY');
    const accountId = options.accountId ?? env('KEITO_ACCOUNT_ID');
    if (!apiKey) throw new KeitoError('No API key: pass { apiKey } or set KEITO_API_KEY.');
    if (!accountId) throw new KeitoError('No account id: pass { accountId } or set KEITO_ACCOUNT_ID.');
    const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    const timeout = options.timeout ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new KeitoError('maxRetries must be a whole number, 0 or more.');
    if (!(timeout > 0)) throw new KeitoError('timeout must be a positive number of milliseconds.');
    this.baseUrl = (options.baseUrl ?? baseUrlFromEnv()).replace(/\/+$/, '');
    this.accountId = accountId;
    const transport = new Transport({
      apiKey,
      accountId,
      baseUrl: this.baseUrl,
      maxRetries,
      timeout,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    });
    this.timeEntries = new TimeEntries(transport);
    this.expenses = new Expenses(transport);
    this.expenseCategories = new ExpenseCategories(transport);
    this.projects = new Projects(transport);
    this.clients = new Clients(transport);
    this.contacts = new Contacts(transport);
    this.tasks = new Tasks(transport);
    this.users = new Users(transport);
    this.approvals = new Approvals(transport);
    this.invoices = new Invoices(transport);
    this.reports = new Reports(transport);
    this.outcomes = new Outcomes(transport);
  }
}
