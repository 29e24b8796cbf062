/**
 * The registration store several S-CSCFs share: records in Redis (keys in redis-scripts.ts).
 * `update` is optimistic: read the record and its index, run the callback, then a write
 * script applies the result only if the index keys and record revisions it read are
 * unchanged; otherwise the callback runs again on the fresh record, up to a bound.
 *
 * DEVIATION from WATCH/MULTI/EXEC: WATCH belongs to a connection, and one ioredis connection
 * carries every concurrent update of this S-CSCF, so one update's EXEC would drop another's
 * WATCH. The check-and-write script gives the same optimistic concurrency on one shared,
 * pipelined connection. Updates of the same IMPU from this instance are queued, so retries
 * only happen between instances.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../../log/logger.ts';
import { silentLogger } from '../../log/logger.ts';
import { StoreError } from '../store-error.ts';
import { READ_SCRIPT, type RedisScript, WRITE_SCRIPT } from './redis-scripts.ts';
import {
  checkUpdate,
  decodeRegistration,
  earliestExpiry,
  encodeRegistration,
  withoutImpu,
} from './registration-codec.ts';
import type { Registration, RegistrationStore, RegistrationUpdate } from './types.ts';

export interface RedisRegistrationStoreOptions {
  /** redis://[user:password@]host:port/db */
  url: string;
  /** Key prefix; default `ims:reg:`. */
  keyPrefix?: string;
  logger?: Logger;
  /** Attempts of an update that keeps meeting concurrent writes before it gives up; default 32. */
  maxAttempts?: number;
  /** Connect timeout at open, ms; default 5000. */
  connectTimeoutMs?: number;
}

/** What an update writes, as the write script's argument lists. */
class WritePlan {
  readonly indexChecks: string[] = [];
  readonly recordChecks: string[] = [];
  readonly records: string[] = [];
  readonly indexWrites: string[] = [];

  checkIndex(impu: string, id: string | undefined): void {
    this.indexChecks.push(impu, id ?? '');
  }
  checkRecord(id: string, revision: number | undefined): void {
    this.recordChecks.push(id, revision === undefined ? '' : String(revision));
  }
  writeRecord(id: string, reg: Registration | null): void {
    const expiry = reg ? earliestExpiry(reg) : undefined;
    this.records.push(
      id,
      reg ? encodeRegistration(reg) : '',
      expiry === undefined ? '' : String(expiry),
      reg?.state === 'registered' ? '1' : '0',
    );
  }
  writeIndex(impu: string, id: string | null): void {
    this.indexWrites.push(impu, id ?? '');
  }
  args(prefix: string): string[] {
    return [
      prefix,
      ...[this.indexChecks, this.recordChecks, this.records, this.indexWrites].flatMap((list) => [
        String(list.length / (list === this.records ? 4 : 2)),
        ...list,
      ]),
    ];
  }
}

export class RedisRegistrationStore implements RegistrationStore {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly prefix: string;
  private readonly maxAttempts: number;
  private readonly where: string;
  private closed = false;

  private constructor(
    private readonly redis: Redis,
    options: RedisRegistrationStoreOptions,
    private readonly logger: Logger,
  ) {
    this.prefix = options.keyPrefix ?? 'ims:reg:';
    this.maxAttempts = options.maxAttempts ?? 32;
    this.where = redactUrl(options.url);
  }

  /** Connects and checks the server with PING; rejects with StoreError UNAVAILABLE if it cannot. */
  static async open(options: RedisRegistrationStoreOptions): Promise<RedisRegistrationStore> {
    const logger = (options.logger ?? silentLogger).child({ store: 'registrations', backend: 'redis' });
    let connected = false;
    let lastError: Error | undefined;
    const redis = new Redis(options.url, {
      lazyConnect: true,
      connectTimeout: options.connectTimeoutMs ?? 5000,
      // Commands issued while the connection is down wait for one reconnection, then fail.
      maxRetriesPerRequest: 1,
      // At open, fail at once; once up, keep reconnecting (the S-CSCF answers 500 meanwhile).
      retryStrategy: (times) => (connected ? Math.min(times * 100, 2000) : null),
    });
    let errorsLogged = 0;
    redis.on('error', (err: Error) => {
      lastError = err;
      if (connected && errorsLogged++ % 100 === 0)
        logger.error({ err: err.message }, 'Redis registration store connection error');
    });
    redis.on('ready', () => {
      if (errorsLogged > 0) logger.info('Redis registration store connection back');
      errorsLogged = 0;
    });
    const where = redactUrl(options.url);
    try {
      await redis.connect();
      const pong = await redis.ping();
      if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
    } catch (err) {
      redis.disconnect();
      const why = lastError?.message ?? (err as Error).message;
      throw new StoreError('UNAVAILABLE', `cannot reach Redis at ${where}: ${why}`, { cause: err });
    }
    connected = true;
    logger.info({ url: where }, 'Redis registration store connected');
    return new RedisRegistrationStore(redis, options, logger);
  }

  async get(impu: string): Promise<Registration | undefined> {
    return (await this.read(impu))?.current;
  }

  update(
    impu: string,
    fn: (current: Registration | undefined) => RegistrationUpdate,
  ): Promise<Registration | undefined> {
    return this.serialize(impu, () => this.tryUpdate(impu, fn));
  }

  async expiring(time: number): Promise<string[]> {
    const ids = await this.call(() => this.redis.zrangebyscore(`${this.prefix}expiry`, '-inf', time));
    const out: string[] = [];
    for (const reg of await this.records(ids)) if (reg) out.push(reg.impus[0] as string);
    return out;
  }

  async countRegistered(): Promise<number> {
    return this.call(() => this.redis.scard(`${this.prefix}registered`));
  }

  async *list(): AsyncIterable<Registration> {
    const seen = new Set<string>();
    const keyPrefix = `${this.prefix}set:`;
    let cursor = '0';
    do {
      const [next, keys] = await this.call(() =>
        this.redis.scan(cursor, 'MATCH', `${escapeGlob(keyPrefix)}*`, 'COUNT', 1000),
      );
      cursor = next;
      const ids = keys.map((k) => k.slice(keyPrefix.length)).filter((id) => !seen.has(id));
      for (const id of ids) seen.add(id);
      for (const reg of await this.records(ids)) if (reg) yield reg;
    } while (cursor !== '0');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.queues.values());
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }

  private async tryUpdate(
    impu: string,
    fn: (current: Registration | undefined) => RegistrationUpdate,
  ): Promise<Registration | undefined> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const read = await this.read(impu);
      const current = read?.current;
      const next = fn(current);
      if (next === undefined) return undefined;
      if (next === null && current === undefined) return undefined;
      const plan = new WritePlan();
      plan.checkIndex(impu, read?.id);
      let stored: Registration | undefined;
      if (next === null) {
        const id = read?.id as string;
        plan.checkRecord(id, current?.revision);
        plan.writeRecord(id, null);
        for (const i of current?.impus ?? []) plan.writeIndex(i, null);
      } else {
        checkUpdate(impu, next);
        stored = { ...next, revision: (current?.revision ?? 0) + 1 };
        const id = read?.id ?? randomUUID();
        plan.checkRecord(id, current?.revision);
        plan.writeRecord(id, stored);
        await this.planIndex(plan, id, current, stored);
      }
      const applied = await this.call(() => this.run(WRITE_SCRIPT, plan.args(this.prefix)));
      if (applied === 1) return stored;
      this.logger.debug({ impu, attempt }, 'registration update met a concurrent write, retrying');
      // Spread the retries of instances that keep colliding.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(attempt, 10)));
    }
    throw new StoreError(
      'CONFLICT',
      `registration update of ${impu} gave up after ${this.maxAttempts} attempts: other S-CSCFs kept writing the record`,
      { field: 'impu' },
    );
  }

  /** The index writes of storing `next` as record `id`, and the other records losing an IMPU to it. */
  private async planIndex(
    plan: WritePlan,
    id: string,
    current: Registration | undefined,
    next: Registration,
  ): Promise<void> {
    const before = new Set(current?.impus ?? []);
    const after = new Set(next.impus);
    for (const i of before) {
      if (after.has(i)) continue;
      plan.checkIndex(i, id);
      plan.writeIndex(i, null);
    }
    const added = next.impus.filter((i) => !before.has(i));
    if (added.length === 0) return;
    const owners = await this.call(() => this.redis.mget(added.map((i) => `${this.prefix}impu:${i}`)));
    const moved = new Map<string, Set<string>>();
    added.forEach((i, n) => {
      const owner = owners[n] ?? undefined;
      plan.checkIndex(i, owner);
      plan.writeIndex(i, id);
      if (owner !== undefined && owner !== id) moved.set(owner, (moved.get(owner) ?? new Set()).add(i));
    });
    const ownerIds = [...moved.keys()];
    const records = await this.records(ownerIds);
    ownerIds.forEach((owner, n) => {
      const reg = records[n];
      plan.checkRecord(owner, reg?.revision);
      if (reg === undefined) return;
      // The IMPU leaves its old implicit set (a public identity is in one set at a time).
      const rest = withoutImpu(reg, moved.get(owner) as Set<string>);
      plan.writeRecord(owner, rest);
    });
  }

  private async read(impu: string): Promise<{ id: string; current: Registration | undefined } | undefined> {
    const reply = (await this.call(() => this.run(READ_SCRIPT, [this.prefix, impu]))) as
      | [string, string | null]
      | null;
    if (reply === null) return undefined;
    const [id, text] = reply;
    return { id, current: text === null ? undefined : this.decode(id, text) };
  }

  private async records(ids: string[]): Promise<(Registration | undefined)[]> {
    if (ids.length === 0) return [];
    const texts = await this.call(() => this.redis.mget(ids.map((id) => `${this.prefix}set:${id}`)));
    return texts.map((t, n) => (t === null ? undefined : this.decode(ids[n] as string, t)));
  }

  private decode(id: string, text: string): Registration {
    try {
      return decodeRegistration(text);
    } catch (err) {
      throw new StoreError(
        'UNAVAILABLE',
        `Redis at ${this.where}: record ${this.prefix}set:${id} is corrupt: ${(err as Error).message}`,
      );
    }
  }

  private async run(s: RedisScript, args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(s.sha, 0, ...args);
    } catch (err) {
      if (!(err as Error).message.startsWith('NOSCRIPT')) throw err;
      return this.redis.eval(s.source, 0, ...args);
    }
  }

  /** Runs a Redis command; any failure becomes StoreError UNAVAILABLE naming the server. */
  private async call<T>(command: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreError('UNAVAILABLE', 'the registration store is closed');
    try {
      return await command();
    } catch (err) {
      if (err instanceof StoreError) throw err;
      throw new StoreError('UNAVAILABLE', `Redis at ${this.where}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** Runs the updates of one IMPU from this instance one after the other. */
  private serialize<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return run;
  }
}

/** The URL without its password, for messages and logs. */
function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** `s` with the glob characters of SCAN MATCH escaped. */
function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}
