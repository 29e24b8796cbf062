/**
 * A binary min-heap of items keyed by their expiry (a registration's earliest binding, a
 * deadline), each item remembering its position so a changed or removed item is fixed in
 * O(log n). `upTo(time)` walks only the part of the heap at or before `time`: O(k) for k due
 * items, whatever the number of items.
 */
export interface HeapItem {
  /** When the item expires, ms since the epoch. */
  expiry: number;
  /** Index in the heap array, -1 when not in the heap. */
  heapIndex: number;
}

export class ExpiryHeap<T extends HeapItem> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  /** The item that expires first (undefined when empty). */
  get first(): T | undefined {
    return this.items[0];
  }

  /** Puts `item` in at `expiry`, or moves it there when already in. */
  set(item: T, expiry: number): void {
    if (item.heapIndex < 0) {
      item.expiry = expiry;
      item.heapIndex = this.items.length;
      this.items.push(item);
      this.up(item.heapIndex);
      return;
    }
    const before = item.expiry;
    item.expiry = expiry;
    if (expiry < before) this.up(item.heapIndex);
    else if (expiry > before) this.down(item.heapIndex);
  }

  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    item.heapIndex = -1;
    const last = this.items.pop() as T;
    if (i === this.items.length) return;
    this.items[i] = last;
    last.heapIndex = i;
    this.down(i);
    this.up(last.heapIndex);
  }

  /** Every item whose expiry is at or before `time`, in no particular order. */
  upTo(time: number): T[] {
    const due: T[] = [];
    const stack = this.items.length > 0 ? [0] : [];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      const item = this.items[i];
      if (item === undefined || item.expiry > time) continue;
      due.push(item);
      stack.push(2 * i + 1, 2 * i + 2);
    }
    return due;
  }

  private up(i: number): void {
    const items = this.items;
    const item = items[i] as T;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p] as T;
      if (parent.expiry <= item.expiry) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const item = items[i] as T;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (items[r] as T).expiry < (items[l] as T).expiry ? r : l;
      const child = items[c] as T;
      if (child.expiry >= item.expiry) break;
      items[i] = child;
      child.heapIndex = i;
      i = c;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
