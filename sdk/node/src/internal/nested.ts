/** A collection under one parent object, e.g. `/api/v2/invoices/{id}/payments`. */
import type { PagePromise } from '../core/pagination.js';
import type { BodyOf, ItemOf, QueryOf, ResponseOf } from '../core/types.js';
import type { DeleteResult } from './crud.js';
import type { RequestOptions } from './http.js';
import { Resource, seg } from './resource.js';

/** `P` is the path template with `{parent}` standing for the parent id, as the server spells it. */
export abstract class NestedResource<P extends string, Key extends string, ItemPath extends string> extends Resource {
  protected abstract readonly path: P;
  protected abstract readonly itemPath: ItemPath;
  protected abstract readonly key: Key;

  private fill(template: string, parentId: string, id?: string): string {
    let out = template.replace(/\{[a-z_]*\}/, seg(parentId));
    if (id !== undefined) out = out.replace(/\{[a-z_]*\}/, seg(id));
    return out;
  }

  list(parentId: string, params?: QueryOf<`GET ${P}`>, options?: RequestOptions): PagePromise<ItemOf<`GET ${P}`, Key>> {
    return this.listPages(() => this.fill(this.path, parentId), this.key, params, options);
  }

  async create(parentId: string, body: BodyOf<`POST ${P}`>, options?: RequestOptions): Promise<ResponseOf<`POST ${P}`>> {
    return this.postJson(this.fill(this.path, parentId), body, options);
  }

  protected async getItem(parentId: string, id: string, options?: RequestOptions): Promise<ResponseOf<`GET ${ItemPath}`>> {
    return this.getJson(this.fill(this.itemPath, parentId, id), undefined, options);
  }

  protected async updateItem(
    parentId: string,
    id: string,
    body: BodyOf<`PATCH ${ItemPath}`>,
    options?: RequestOptions,
  ): Promise<ResponseOf<`PATCH ${ItemPath}`>> {
    return this.patchJson(this.fill(this.itemPath, parentId, id), body, options);
  }

  async delete(parentId: string, id: string, options?: RequestOptions): Promise<DeleteResult<`DELETE ${ItemPath}`>> {
    return this.deleteJson(this.fill(this.itemPath, parentId, id), options);
  }
}

/** A nested collection whose items can also be read and changed one by one. */
export abstract class NestedCrudResource<P extends string, Key extends string, ItemPath extends string> extends NestedResource<
  P,
  Key,
  ItemPath
> {
  async get(parentId: string, id: string, options?: RequestOptions): Promise<ResponseOf<`GET ${ItemPath}`>> {
    return this.getItem(parentId, id, options);
  }

  async update(parentId: string, id: string, body: BodyOf<`PATCH ${ItemPath}`>, options?: RequestOptions): Promise<ResponseOf<`PATCH ${ItemPath}`>> {
    return this.updateItem(parentId, id, body, options);
  }
}
