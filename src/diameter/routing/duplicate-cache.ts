export type DuplicateState = { state: 'new' } | { state: 'pending' } | { state: 'answered'; answer: Buffer };

interface Entry {
  expires: number;
  answer: Buffer | undefined;
}

/**
 * RFC 6733 §5.5.4 / §6.1.2 duplicate detection of received requests by Origin-Host and
 * End-to-End Identifier: a retransmission (T flag) of a request already answered gets the same
 * answer again; one still being processed is dropped. Bounded in time and in size, without timers.
 */
export class DuplicateCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly lifetimeMs = 60_000,
    private readonly maxEntries = 20_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Looks the request up and, when new, records it as being processed. */
  begin(originHost: string, endToEndId: number): DuplicateState {
    const key = `${originHost}\u0000${endToEndId}`;
    const t = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > t)
      return hit.answer ? { state: 'answered', answer: hit.answer } : { state: 'pending' };
    this.entries.delete(key);
    this.entries.set(key, { expires: t + this.lifetimeMs, answer: undefined });
    this.evict(t);
    return { state: 'new' };
  }

  /** Stores the answer sent for a request. */
  complete(originHost: string, endToEndId: number, answer: Buffer): void {
    const e = this.entries.get(`${originHost}\u0000${endToEndId}`);
    if (e) e.answer = answer;
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(t: number): void {
    for (const [key, e] of this.entries) {
      if (this.entries.size <= this.maxEntries && e.expires > t) break;
      this.entries.delete(key);
    }
  }
}
