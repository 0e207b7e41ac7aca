/** Resources that are exactly the Harvest shape (list, get, create, update, delete). */
import type { BodyOf, ItemOf, QueryOf } from '../core/types.js';
import { CrudResource, DeletableCrudResource } from '../internal/crud.js';

export class Expenses extends DeletableCrudResource<'/api/v2/expenses', 'expenses'> {
  protected readonly path = '/api/v2/expenses';
  protected readonly key = 'expenses';
}
export type Expense = ItemOf<'GET /api/v2/expenses', 'expenses'>;
export type ExpenseCreateParams = BodyOf<'POST /api/v2/expenses'>;
export type ExpenseListParams = QueryOf<'GET /api/v2/expenses'>;

/** Categories; the built-in LLM Usage category answers to `cat_llm_usage` in every workspace. */
export class ExpenseCategories extends CrudResource<'/api/v2/expense_categories', 'expense_categories'> {
  protected readonly path = '/api/v2/expense_categories';
  protected readonly key = 'expense_categories';
}
export type ExpenseCategory = ItemOf<'GET /api/v2/expense_categories', 'expense_categories'>;

/** The customers being billed. */
export class Clients extends DeletableCrudResource<'/api/v2/clients', 'clients'> {
  protected readonly path = '/api/v2/clients';
  protected readonly key = 'clients';
}
export type Client = ItemOf<'GET /api/v2/clients', 'clients'>;

export class Contacts extends DeletableCrudResource<'/api/v2/contacts', 'contacts'> {
  protected readonly path = '/api/v2/contacts';
  protected readonly key = 'contacts';
}
export type Contact = ItemOf<'GET /api/v2/contacts', 'contacts'>;

export class Tasks extends DeletableCrudResource<'/api/v2/tasks', 'tasks'> {
  protected readonly path = '/api/v2/tasks';
  protected readonly key = 'tasks';
}
export type Task = ItemOf<'GET /api/v2/tasks', 'tasks'>;
