import type { DnsAnswer } from './types.ts';

interface Entry {
  answer: DnsAnswer<unknown>;
  expires: number;
}

/** TTL limits of the cache, in seconds. */
export interface CacheTtls {
  /** For answers without a TTL (node:dns gives none for SRV and NAPTR). */
  defaultTtl: number;
  /** For NXDOMAIN and empty answers (RFC 2308 would read the SOA minimum; node:dns hides it). */
  negativeTtl: number;
  /** Upper bound for any TTL. */
  maxTtl: number;
}

/**
 * DNS answers kept for their TTL (RFC 1035 §3.2.1), keyed by query type and name; concurrent
 * identical queries share one lookup. Failures are not cached. The clock is injectable.
 */
export class DnsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<DnsAnswer<unknown>>>();

  constructor(
    private readonly ttls: CacheTtls,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  async get<T>(type: string, name: string, query: () => Promise<DnsAnswer<T>>): Promise<DnsAnswer<T>> {
    const key = `${type} ${name}`;
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) return hit.answer as DnsAnswer<T>;
    if (hit) this.entries.delete(key);
    let pending = this.inFlight.get(key) as Promise<DnsAnswer<T>> | undefined;
    if (!pending) {
      pending = query()
        .then((answer) => {
          const ttl = answer.negative
            ? this.ttls.negativeTtl
            : Math.min(answer.ttl ?? this.ttls.defaultTtl, this.ttls.maxTtl);
          if (ttl > 0) this.entries.set(key, { answer, expires: this.now() + ttl * 1000 });
          return answer;
        })
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  clear(): void {
    this.entries.clear();
  }
}
