import { ExpiryHeap, type HeapItem } from './expiry-heap.ts';

/** setTimeout's longest delay (about 24.8 days); a later deadline is looked at again then. */
const MAX_DELAY_MS = 2 ** 31 - 1;

interface Entry<K> extends HeapItem {
  readonly key: K;
}

/**
 * The deadlines of many keys (registrations, subscriptions) under one timer: a heap ordered by
 * deadline, and the timer set for the first of them. A Node timer per key costs about 200 bytes
 * with its closure and context; an entry here about 70 (its map slot and heap entry).
 * `onDue(key)` is called once for each key whose deadline passed, the key removed first (so it
 * may set a new deadline for it). The timer does not keep the process alive.
 */
export class Deadlines<K> {
  readonly #heap = new ExpiryHeap<Entry<K>>();
  readonly #entries = new Map<K, Entry<K>>();
  #timer: NodeJS.Timeout | undefined;
  /** When #timer fires; Infinity when there is none. */
  #timerAt = Number.POSITIVE_INFINITY;

  constructor(private readonly onDue: (key: K) => void) {}

  get size(): number {
    return this.#entries.size;
  }

  /** The deadline of `key` (ms since the epoch), if it has one. */
  at(key: K): number | undefined {
    return this.#entries.get(key)?.expiry;
  }

  /** Sets or moves the deadline of `key` (ms since the epoch). */
  set(key: K, at: number): void {
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { key, expiry: at, heapIndex: -1 };
      this.#entries.set(key, entry);
    }
    this.#heap.set(entry, at);
    this.#arm();
  }

  delete(key: K): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#heap.remove(entry);
    this.#entries.delete(key);
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    for (const entry of this.#entries.values()) this.#heap.remove(entry);
    this.#entries.clear();
  }

  /** The timer at the first deadline, unless it already fires at or before it. */
  #arm(): void {
    const first = this.#heap.first;
    if (!first || (this.#timer !== undefined && this.#timerAt <= first.expiry)) return;
    clearTimeout(this.#timer);
    this.#timerAt = first.expiry;
    this.#timer = setTimeout(
      () => this.#fire(),
      Math.min(MAX_DELAY_MS, Math.max(0, first.expiry - Date.now())),
    );
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    try {
      for (const entry of this.#heap.upTo(now)) {
        // An earlier onDue may have moved or deleted this key.
        if (this.#entries.get(entry.key) !== entry || entry.expiry > now) continue;
        this.delete(entry.key);
        this.onDue(entry.key);
      }
    } finally {
      this.#arm();
    }
  }
}
