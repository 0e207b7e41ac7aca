/**
 * v2 lists are numbered pages: `{<key>: [...], page, per_page, total_pages, total_entries, links}`.
 * `list()` returns a `PagePromise`: await it for the first `Page`, or `for await` over it to walk
 * every item of every page (one request per page, made only when the loop gets there).
 */

export interface PageLinks {
  first: string;
  next: string | null;
  previous: string | null;
  last: string;
}

export interface Envelope {
  page: number;
  per_page: number;
  total_pages: number;
  total_entries: number;
  links?: PageLinks;
  [key: string]: unknown;
}

/** Fetches page `n` of the same list with the same filters. */
export type PageFetcher<T> = (page: number) => Promise<Page<T>>;

export class Page<T> implements AsyncIterable<T> {
  /** The items on this page. */
  readonly data: T[];
  readonly page: number;
  readonly per_page: number;
  readonly total_pages: number;
  readonly total_entries: number;
  readonly links: PageLinks | undefined;
  /** The whole envelope as the server sent it. */
  readonly raw: Envelope;

  constructor(
    envelope: Envelope,
    key: string,
    private readonly fetchPage: PageFetcher<T>,
  ) {
    const items = envelope[key];
    this.data = Array.isArray(items) ? (items as T[]) : [];
    this.page = envelope.page;
    this.per_page = envelope.per_page;
    this.total_pages = envelope.total_pages;
    this.total_entries = envelope.total_entries;
    this.links = envelope.links;
    this.raw = envelope;
  }

  hasNextPage(): boolean {
    return this.page < this.total_pages && this.data.length > 0;
  }

  /** The following page; throws when there is none (check `hasNextPage()` first). */
  async nextPage(): Promise<Page<T>> {
    if (!this.hasNextPage()) throw new RangeError(`page ${this.page} is the last of ${this.total_pages}`);
    return this.fetchPage(this.page + 1);
  }

  /** Every item from this page to the last. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let current: Page<T> = this;
    for (;;) {
      yield* current.data;
      if (!current.hasNextPage()) return;
      current = await current.nextPage();
    }
  }
}

/** A lazy first page: awaitable (the `Page`) and async-iterable (every item of every page). */
export class PagePromise<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  private first: Promise<Page<T>> | undefined;

  constructor(private readonly load: () => Promise<Page<T>>) {}

  private get promise(): Promise<Page<T>> {
    this.first ??= this.load();
    return this.first;
  }

  then<A = Page<T>, B = never>(
    onfulfilled?: ((value: Page<T>) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.promise.then(onfulfilled, onrejected);
  }

  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Page<T> | B> {
    return this.promise.catch(onrejected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this.promise;
  }

  /** Every item of every page, in one array. */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const item of this) all.push(item);
    return all;
  }
}
