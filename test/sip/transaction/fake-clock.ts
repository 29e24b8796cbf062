import type { TimerHandle, TimerService } from '../../../src/sip/transaction/index.ts';

interface Entry {
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * Fake time for transaction tests: timers fire only when the test advances the clock, in
 * order of due time then creation. `pending` counts timers set and not yet fired or cleared.
 */
export class FakeClock implements TimerService {
  now = 0;
  private seq = 0;
  private readonly heap: Entry[] = [];
  private readonly active = new Set<Entry>();

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const entry: Entry = { at: this.now + Math.max(0, ms), seq: this.seq++, callback };
    this.active.add(entry);
    this.push(entry);
    return entry;
  }

  clearTimeout(handle: TimerHandle): void {
    this.active.delete(handle as Entry);
  }

  get pending(): number {
    return this.active.size;
  }

  /** Due times (relative to now) of the pending timers, sorted. */
  dueIn(): number[] {
    return [...this.active].map((e) => e.at - this.now).sort((a, b) => a - b);
  }

  /** Advances the clock by `ms`, firing every timer due by then (timers set meanwhile too). */
  tick(ms: number): void {
    const target = this.now + ms;
    for (let top = this.heap[0]; top !== undefined && top.at <= target; top = this.heap[0]) {
      this.pop();
      if (!this.active.delete(top)) continue;
      this.now = top.at;
      top.callback();
    }
    this.now = target;
  }

  private before(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.before(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.before(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

/** Lets settled promises (transport sends) run their callbacks. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
