import type { ItemOf, ResponseOf } from '../core/types.js';
import { CrudResource } from '../internal/crud.js';
import type { RequestOptions } from '../internal/http.js';

/** People and agents of the workspace; `me()` is whoever the API key belongs to. */
export class Users extends CrudResource<'/api/v2/users', 'users'> {
  protected readonly path = '/api/v2/users';
  protected readonly key = 'users';

  me(options?: RequestOptions): Promise<ResponseOf<'GET /api/v2/users/me'>> {
    return this.getJson('/api/v2/users/me', undefined, options);
  }
}
export type User = ResponseOf<'GET /api/v2/users/me'>;
export type UserListItem = ItemOf<'GET /api/v2/users', 'users'>;
