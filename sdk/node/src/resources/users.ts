import type { PagePromise } from '../core/pagination.js';
import type { ItemOf, QueryOf, ResponseOf } from '../core/types.js';
import { CrudResource } from '../internal/crud.js';
import type { RequestOptions } from '../internal/http.js';
import { seg } from '../internal/resource.js';

/** People and agents of the workspace; `me()` is whoever the API key belongs to. */
export class Users extends CrudResource<'/api/v2/users', 'users'> {
  protected readonly path = '/api/v2/users';
  protected readonly key = 'users';

  me(options?: RequestOptions): Promise<ResponseOf<'GET /api/v2/users/me'>> {
    return this.getJson('/api/v2/users/me', undefined, options);
  }

  /** A manager's teammates, every page; none means the manager sees the whole workspace. */
  teammates(
    userId: string,
    params?: QueryOf<'GET /api/v2/users/{id}/teammates'>,
    options?: RequestOptions,
  ): PagePromise<Teammate> {
    return this.listPages(`/api/v2/users/${seg(userId)}/teammates`, 'teammates', params, options);
  }

  /** Restrict a manager to these people (administrators); `[]` lifts the restriction. */
  setTeammates(
    userId: string,
    teammateIds: string[],
    options?: RequestOptions,
  ): Promise<ResponseOf<'PATCH /api/v2/users/{id}/teammates'>> {
    return this.patchJson(`/api/v2/users/${seg(userId)}/teammates`, { teammate_ids: teammateIds }, options);
  }
}
export type Teammate = ItemOf<'GET /api/v2/users/{id}/teammates', 'teammates'>;
export type User = ResponseOf<'GET /api/v2/users/me'>;
export type UserListItem = ItemOf<'GET /api/v2/users', 'users'>;
