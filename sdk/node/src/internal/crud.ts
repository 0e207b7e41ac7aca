/** The Harvest-shaped resource: list, get, create, update (and delete, where the server has it). */
import type { PagePromise } from '../core/pagination.js';
import type { BodyOf, ItemOf, QueryOf, ResponseOf, UntypedResponse } from '../core/types.js';
import type { RequestOptions } from './http.js';
import { Resource, seg } from './resource.js';

/** A DELETE that answers 204 resolves to undefined; one that answers a body resolves to it. */
export type DeleteResult<K extends string> = UntypedResponse extends ResponseOf<K> ? void : ResponseOf<K>;

export abstract class CrudResource<P extends string, Key extends string> extends Resource {
  protected abstract readonly path: P;
  protected abstract readonly key: Key;

  list(params?: QueryOf<`GET ${P}`>, options?: RequestOptions): PagePromise<ItemOf<`GET ${P}`, Key>> {
    return this.listPages(this.path, this.key, params, options);
  }

  async get(id: string, options?: RequestOptions): Promise<ResponseOf<`GET ${P}/{id}`>> {
    return this.getJson(`${this.path}/${seg(id)}`, undefined, options);
  }

  async create(body: BodyOf<`POST ${P}`>, options?: RequestOptions): Promise<ResponseOf<`POST ${P}`>> {
    return this.postJson(this.path, body, options);
  }

  async update(id: string, body: BodyOf<`PATCH ${P}/{id}`>, options?: RequestOptions): Promise<ResponseOf<`PATCH ${P}/{id}`>> {
    return this.patchJson(`${this.path}/${seg(id)}`, body, options);
  }
}

/** A collection whose objects can also be deleted. */
export abstract class DeletableCrudResource<P extends string, Key extends string> extends CrudResource<P, Key> {
  async delete(id: string, options?: RequestOptions): Promise<DeleteResult<`DELETE ${P}/{id}`>> {
    return this.deleteJson(`${this.path}/${seg(id)}`, options);
  }
}
