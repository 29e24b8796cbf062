/** How many nonce-counts below the highest one are remembered, so requests may arrive out of order. */
export const NONCE_COUNT_WINDOW = 32;

export interface NonceTableOptions {
  /** How long a nonce may be used. */
  lifetimeMs: number;
  /** How long an expired nonce is still recognised, so a right answer gets stale=true. */
  retainMs: number;
  /** Bound on remembered nonces: past it the oldest are forgotten. */
  maxEntries: number;
  now: () => number;
}

interface Entry<T> {
  issuedAt: number;
  data: T;
  /** Highest nonce-count accepted so far (0: none). */
  highestNc: number;
  /** Bit i set: nonce-count highestNc − i was accepted. */
  seenNc: number;
}

export type NonceLookup<T> = { data: T; expired: boolean };

/**
 * The nonces a server has issued, with what it must remember for each: when it was issued
 * (lifetime and staleness, RFC 7616 §3.3 "stale") and which nonce-counts were used (replay
 * protection, RFC 7616 §3.4 and §5.10). Entries are kept in issue order, so forgetting the
 * expired ones is a walk from the oldest.
 */
export class NonceTable<T> {
  readonly #options: NonceTableOptions;
  readonly #entries = new Map<string, Entry<T>>();

  constructor(options: NonceTableOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#entries.size;
  }

  add(nonce: string, data: T): void {
    this.#prune();
    this.#entries.set(nonce, { issuedAt: this.#options.now(), data, highestNc: 0, seenNc: 0 });
    while (this.#entries.size > this.#options.maxEntries) this.#dropOldest();
  }

  lookup(nonce: string): NonceLookup<T> | undefined {
    this.#prune();
    const entry = this.#entries.get(nonce);
    if (!entry) return undefined;
    return { data: entry.data, expired: this.#options.now() - entry.issuedAt >= this.#options.lifetimeMs };
  }

  /** Records a nonce-count; false when it was used already or is too far behind the highest. */
  acceptNonceCount(nonce: string, nc: number): boolean {
    const entry = this.#entries.get(nonce);
    if (!entry || !Number.isSafeInteger(nc) || nc <= 0) return false;
    if (nc > entry.highestNc) {
      const shift = nc - entry.highestNc;
      entry.seenNc = shift >= NONCE_COUNT_WINDOW ? 1 : ((entry.seenNc << shift) | 1) >>> 0;
      entry.highestNc = nc;
      return true;
    }
    const behind = entry.highestNc - nc;
    if (behind >= NONCE_COUNT_WINDOW || (entry.seenNc >>> behind) & 1) return false;
    entry.seenNc = (entry.seenNc | (1 << behind)) >>> 0;
    return true;
  }

  delete(nonce: string): void {
    this.#entries.delete(nonce);
  }

  #prune(): void {
    const horizon = this.#options.now() - this.#options.lifetimeMs - this.#options.retainMs;
    for (const [nonce, entry] of this.#entries) {
      if (entry.issuedAt > horizon) break;
      this.#entries.delete(nonce);
    }
  }

  #dropOldest(): void {
    const oldest = this.#entries.keys().next();
    if (!oldest.done) this.#entries.delete(oldest.value);
  }
}
