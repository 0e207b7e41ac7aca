import type { PagePromise } from '../core/pagination.js';
import type { BodyOf, ItemOf, QueryOf, ResponseOf } from '../core/types.js';
import { DeletableCrudResource } from '../internal/crud.js';
import type { RequestOptions, Transport } from '../internal/http.js';
import { NestedResource } from '../internal/nested.js';
import { Resource, seg } from '../internal/resource.js';

const MESSAGES = '/api/v2/invoices/{id}/messages';

/** What was sent about an invoice; creating a message sends it (a draft becomes open). */
export class InvoiceMessages extends Resource {
  list(invoiceId: string, params?: QueryOf<`GET ${typeof MESSAGES}`>, options?: RequestOptions): PagePromise<InvoiceMessage> {
    return this.listPages(() => `/api/v2/invoices/${seg(invoiceId)}/messages`, 'invoice_messages', params, options);
  }

  async create(
    invoiceId: string,
    body: BodyOf<`POST ${typeof MESSAGES}`>,
    options?: RequestOptions,
  ): Promise<ResponseOf<`POST ${typeof MESSAGES}`>> {
    return this.postJson(`/api/v2/invoices/${seg(invoiceId)}/messages`, body, options);
  }

  /** The same as `create` (the name the reference Node SDK uses). */
  async send(invoiceId: string, body: BodyOf<`POST ${typeof MESSAGES}`>, options?: RequestOptions): Promise<ResponseOf<`POST ${typeof MESSAGES}`>> {
    return this.create(invoiceId, body, options);
  }
}
export type InvoiceMessage = ItemOf<`GET ${typeof MESSAGES}`, 'invoice_messages'>;

/** Payments recorded against an invoice; paying the whole due amount marks it paid. */
export class InvoicePayments extends NestedResource<
  '/api/v2/invoices/{id}/payments',
  'invoice_payments',
  '/api/v2/invoices/{id}/payments/{payment_id}'
> {
  protected readonly path = '/api/v2/invoices/{id}/payments';
  protected readonly itemPath = '/api/v2/invoices/{id}/payments/{payment_id}';
  protected readonly key = 'invoice_payments';
}

export class Invoices extends DeletableCrudResource<'/api/v2/invoices', 'invoices'> {
  protected readonly path = '/api/v2/invoices';
  protected readonly key = 'invoices';
  readonly messages: InvoiceMessages;
  readonly payments: InvoicePayments;

  constructor(transport: Transport) {
    super(transport);
    this.messages = new InvoiceMessages(transport);
    this.payments = new InvoicePayments(transport);
  }
}
export type Invoice = ItemOf<'GET /api/v2/invoices', 'invoices'>;
