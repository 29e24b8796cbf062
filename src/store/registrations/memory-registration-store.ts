/**
 * The registration store of a single S-CSCF: records in memory, each kept as its stored JSON
 * text (registration-codec.ts), found through an IMPU → record index; a min-heap on the
 * earliest binding expiry answers the expiry sweep. With `snapshotPath` the records survive a
 * restart: loaded at open, written every `snapshotIntervalMs` when something changed and on
 * close. Changes after the last snapshot are lost if the process dies (DEVIATION from a
 * write-ahead log: re-registration repairs them, and a log would cost a write per REGISTER).
 */
import type { Logger } from '../../log/logger.ts';
import { detachedString } from '../../util/detached-string.ts';
import { ExpiryHeap, type HeapItem } from '../../util/expiry-heap.ts';
import { StoreError } from '../store-error.ts';
import {
  checkUpdate,
  decodeRegistration,
  earliestExpiry,
  encodeRegistration,
  withoutImpu,
} from './registration-codec.ts';
import { readSnapshot, writeSnapshot } from './registration-snapshot.ts';
import type { Registration, RegistrationStore, RegistrationUpdate } from './types.ts';

export interface MemoryRegistrationStoreOptions {
  /** Snapshot file loaded at open and written on change; none: nothing survives a restart. */
  snapshotPath?: string;
  /** How often a changed store is written to the snapshot; default 10 s. */
  snapshotIntervalMs?: number;
  logger?: Logger;
}

/** One record: its stored text and its place in the expiry heap. */
class Entry implements HeapItem {
  expiry = Number.POSITIVE_INFINITY;
  heapIndex = -1;
  constructor(public text: string) {}
}

export class MemoryRegistrationStore implements RegistrationStore {
  private readonly entries = new Set<Entry>();
  private readonly index = new Map<string, Entry>();
  private readonly heap = new ExpiryHeap<Entry>();
  private registered = 0;
  private dirty = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  private constructor(private readonly options: MemoryRegistrationStoreOptions) {}

  /** Opens the store, loading the snapshot if there is one; a corrupt snapshot rejects naming the file. */
  static async open(options: MemoryRegistrationStoreOptions = {}): Promise<MemoryRegistrationStore> {
    const store = new MemoryRegistrationStore(options);
    const path = options.snapshotPath;
    if (path !== undefined) {
      await store.load(path);
      const interval = options.snapshotIntervalMs ?? 10_000;
      store.timer = setInterval(() => store.flushInBackground(path), interval);
      store.timer.unref();
    }
    return store;
  }

  async get(impu: string): Promise<Registration | undefined> {
    this.assertOpen();
    const entry = this.index.get(impu);
    return entry ? decodeRegistration(entry.text) : undefined;
  }

  /** Atomic: `fn` is synchronous and nothing else runs between the read and the write. */
  async update(
    impu: string,
    fn: (current: Registration | undefined) => RegistrationUpdate,
  ): Promise<Registration | undefined> {
    this.assertOpen();
    const entry = this.index.get(impu);
    const current = entry ? decodeRegistration(entry.text) : undefined;
    const next = fn(current);
    if (next === undefined) return undefined;
    if (next === null) {
      if (entry && current) this.remove(entry, current);
      return undefined;
    }
    checkUpdate(impu, next);
    const stored: Registration = { ...next, revision: (current?.revision ?? 0) + 1 };
    this.put(entry, current, stored, encodeRegistration(stored));
    return stored;
  }

  async expiring(time: number): Promise<string[]> {
    this.assertOpen();
    return this.heap.upTo(time).map((e) => decodeRegistration(e.text).impus[0] as string);
  }

  async countRegistered(): Promise<number> {
    this.assertOpen();
    return this.registered;
  }

  async *list(): AsyncIterable<Registration> {
    this.assertOpen();
    // Records are immutable texts: this copy of the references is a consistent view.
    for (const text of Array.from(this.entries, (e) => e.text)) yield decodeRegistration(text);
  }

  /** Number of records (registered or not). */
  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.writing?.catch(() => undefined);
    const path = this.options.snapshotPath;
    if (path !== undefined && this.dirty) await this.writeSnapshot(path);
  }

  /** Writes the snapshot now if something changed (also done by the timer and on close). */
  async flush(): Promise<void> {
    this.assertOpen();
    const path = this.options.snapshotPath;
    if (path === undefined) return;
    await this.writing?.catch(() => undefined);
    if (this.dirty) await this.writeSnapshot(path);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('UNAVAILABLE', 'the registration store is closed');
  }

  /** Stores `reg` (text `text`) in `entry`, or in a new entry; moves the index with its IMPUs. */
  private put(
    entry: Entry | undefined,
    current: Registration | undefined,
    reg: Registration,
    text: string,
  ): void {
    if (entry && current) {
      if (current.state === 'registered') this.registered--;
      const kept = new Set(reg.impus);
      for (const i of current.impus) if (!kept.has(i) && this.index.get(i) === entry) this.index.delete(i);
      entry.text = text;
    } else {
      entry = new Entry(text);
      this.entries.add(entry);
    }
    if (reg.state === 'registered') this.registered++;
    const expiry = earliestExpiry(reg);
    if (expiry === undefined) this.heap.remove(entry);
    else this.heap.set(entry, expiry);
    for (const i of reg.impus) {
      const other = this.index.get(i);
      if (other !== undefined && other !== entry) this.takeFrom(other, i);
      // A new key is copied: one taken from the REGISTER would keep its whole text for the
      // registration's lifetime (a key already in the map stays as it was stored).
      this.index.set(this.index.has(i) ? i : detachedString(i), entry);
    }
    this.dirty = true;
  }

  /** `impu` moves to another record: the record `from` loses it (and goes when nothing is left). */
  private takeFrom(from: Entry, impu: string): void {
    const reg = decodeRegistration(from.text);
    const rest = withoutImpu(reg, new Set([impu]));
    if (rest === null) this.remove(from, reg);
    else from.text = encodeRegistration(rest);
  }

  private remove(entry: Entry, reg: Registration): void {
    this.entries.delete(entry);
    this.heap.remove(entry);
    if (reg.state === 'registered') this.registered--;
    for (const i of reg.impus) if (this.index.get(i) === entry) this.index.delete(i);
    this.dirty = true;
  }

  private async load(path: string): Promise<void> {
    let loaded = 0;
    await readSnapshot(path, (reg, text) => {
      // Bindings that expired while the S-CSCF was down are kept: its expiry sweep ends them
      // as if it had been up (NOTIFY, SAR TIMEOUT_DEREGISTRATION), so the HSS learns of it.
      const taken = reg.impus.find((i) => this.index.has(i));
      this.put(undefined, undefined, reg, text);
      if (taken !== undefined) this.options.logger?.warn({ impu: taken }, 'snapshot lists an IMPU twice');
      loaded++;
    });
    this.options.logger?.info({ path, loaded }, 'registration snapshot loaded');
  }

  private flushInBackground(path: string): void {
    if (!this.dirty || this.writing || this.closed) return;
    this.writeSnapshot(path).catch((err: unknown) =>
      this.options.logger?.error({ err, path }, 'registration snapshot not written'),
    );
  }

  private async writeSnapshot(path: string): Promise<void> {
    // Texts are immutable: the array of references taken now is the snapshot.
    const texts = Array.from(this.entries, (e) => e.text);
    this.dirty = false;
    const done = writeSnapshot(path, texts).catch((err: unknown) => {
      this.dirty = true;
      throw err;
    });
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.writing = settled;
    void settled.then(() => {
      if (this.writing === settled) this.writing = undefined;
    });
    await done;
  }
}
