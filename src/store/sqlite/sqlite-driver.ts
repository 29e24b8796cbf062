/**
 * better-sqlite3 behind the async SqlDriver interface. better-sqlite3 is synchronous, so each
 * operation of this driver runs to completion before the next starts (an async queue): a
 * transaction's awaits never let another operation see or touch its uncommitted rows. Across
 * processes, BEGIN IMMEDIATE takes SQLite's write lock before the first read, so
 * read-modify-write sequences (SQN) are serialised there too.
 *
 * Group commit: with synchronous=FULL each COMMIT waits for the disk (an fsync, milliseconds,
 * and better-sqlite3 blocks the event loop meanwhile). So the write transactions that arrive in
 * one turn of the event loop share one SQLite transaction, each inside its own SAVEPOINT (a
 * failing one is rolled back alone), and one COMMIT at the next turn makes them all durable.
 * None of them settles before that COMMIT: nothing is answered from data not on disk yet. A
 * failed COMMIT fails the whole batch. Reads outside a transaction (`get`, `all`) go through a
 * second, read-only connection: in WAL mode it sees the last commit, never the open batch, and
 * never waits for the writer.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver, SqlExecutor, SqlFailure, SqlParam } from '../sql/sql-driver.ts';
import { StoreError } from '../store-error.ts';

export interface SqliteDriverOptions {
  /**
   * PRAGMA synchronous: FULL (default) syncs the WAL on every commit, so a committed SQN
   * survives a power loss too; NORMAL survives process crashes only.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** How long a writer waits for another process's write lock (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Page cache of this connection in MiB (default 64): index inserts in random order need it. */
  cacheMiB?: number;
}

/** `fn`'s result as a promise; what it throws, as a rejection. */
function promised<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}

interface Batch {
  committed: Promise<void>;
  settle: (err?: unknown) => void;
}

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  readonly statementRollback = true;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  #tail: Promise<unknown> = Promise.resolve();
  readonly #exec: SqlExecutor;
  /** The open group-commit batch: settles when its COMMIT is done (or failed). */
  #batch: Batch | undefined;
  readonly #path: string;
  readonly #busyTimeoutMs: number;
  #reader: Database.Database | undefined;
  /** Statements of the read-only connection; null: this SQL is not for it (it writes). */
  readonly #readerStatements = new Map<string, Database.Statement | null>();

  /** Opens (creating the file and its directory on first run) the database at `path`. */
  constructor(path: string, options: SqliteDriverOptions = {}) {
    this.#path = path;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.#db = new Database(path, { timeout: this.#busyTimeoutMs });
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      this.#db.pragma('foreign_keys = ON');
      this.#db.pragma(`cache_size = ${-1024 * (options.cacheMiB ?? 64)}`);
    } catch (err) {
      throw new StoreError('UNAVAILABLE', `cannot open SQLite database ${path}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const db = this.#db;
    const stmt = (sql: string): Database.Statement => {
      let s = this.#statements.get(sql);
      if (s === undefined) {
        s = db.prepare(sql);
        this.#statements.set(sql, s);
      }
      return s;
    };
    this.#exec = {
      all: async <R>(sql: string, params: readonly SqlParam[] = []) => stmt(sql).all(...params) as R[],
      get: async <R>(sql: string, params: readonly SqlParam[] = []) =>
        stmt(sql).get(...params) as R | undefined,
      run: async (sql: string, params: readonly SqlParam[] = []) => {
        const s = stmt(sql);
        if (s.reader) {
          s.all(...params);
          return 0;
        }
        return s.run(...params).changes;
      },
    };
  }

  all<R>(sql: string, params: readonly SqlParam[] = []): Promise<R[]> {
    const reader = this.#readStatement(sql);
    if (reader) return promised(() => reader.all(...params) as R[]);
    return this.#durable(() => this.#exec.all<R>(sql, params));
  }
  get<R>(sql: string, params: readonly SqlParam[] = []): Promise<R | undefined> {
    const reader = this.#readStatement(sql);
    if (reader) return promised(() => reader.get(...params) as R | undefined);
    return this.#durable(() => this.#exec.get<R>(sql, params));
  }
  run(sql: string, params?: readonly SqlParam[]): Promise<number> {
    return this.#durable(() => this.#exec.run(sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#durable(async () => {
      if (this.#batch === undefined) this.#openBatch();
      return this.#inSavepoint(fn);
    });
  }

  snapshot<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#durable(() =>
      // Inside an open batch, the batch's transaction is the snapshot (nothing else writes);
      // else a deferred transaction reads from one WAL snapshot, whatever other processes commit.
      this.#batch !== undefined ? this.#inSavepoint(fn) : this.#inTransaction('BEGIN', fn),
    );
  }

  lockClause(): string {
    return '';
  }

  classify(err: unknown): SqlFailure {
    const code = (err as { code?: unknown })?.code;
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') return 'unique';
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign-key';
    return undefined;
  }

  async close(): Promise<void> {
    await this.#serialize(async () => {
      if (this.#batch !== undefined) this.#commitBatch(this.#batch);
      this.#reader?.close();
      if (this.#db.open) this.#db.close();
    });
  }

  async #inTransaction<T>(begin: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.#db.exec(begin);
    try {
      const result = await fn(this.#exec);
      this.#db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      throw err;
    }
  }

  /** A write transaction's statements in a savepoint of the open batch, undone alone if `fn` throws. */
  async #inSavepoint<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.#db.exec('SAVEPOINT tx');
    try {
      const result = await fn(this.#exec);
      this.#db.exec('RELEASE tx');
      return result;
    } catch (err) {
      if (this.#db.inTransaction) {
        this.#db.exec('ROLLBACK TO tx');
        this.#db.exec('RELEASE tx');
      }
      throw err;
    }
  }

  /** BEGIN IMMEDIATE now; COMMIT once the operations queued in this turn of the event loop ran. */
  #openBatch(): void {
    this.#db.exec('BEGIN IMMEDIATE');
    let settle!: (err?: unknown) => void;
    const committed = new Promise<void>((resolve, reject) => {
      settle = (err) => (err === undefined ? resolve() : reject(err));
    });
    committed.catch(() => undefined);
    const batch = { committed, settle };
    this.#batch = batch;
    setImmediate(() => this.#serialize(async () => this.#commitBatch(batch)));
  }

  /**
   * The statement prepared on the read-only connection, or undefined where there is none (an
   * in-memory database, a statement that writes, or the database closed).
   */
  #readStatement(sql: string): Database.Statement | undefined {
    if (this.#path === ':memory:' || !this.#db.open) return undefined;
    let s = this.#readerStatements.get(sql);
    if (s === undefined) {
      try {
        this.#reader ??= new Database(this.#path, { readonly: true, timeout: this.#busyTimeoutMs });
        const prepared = this.#reader.prepare(sql);
        s = prepared.reader ? prepared : null;
      } catch {
        // Not preparable there (e.g. a write): the writer's path says what is wrong.
        s = null;
      }
      this.#readerStatements.set(sql, s);
    }
    return s ?? undefined;
  }

  #commitBatch(batch: Batch): void {
    if (this.#batch !== batch) return;
    this.#batch = undefined;
    try {
      this.#db.exec('COMMIT');
      batch.settle();
    } catch (err) {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      batch.settle(err);
    }
  }

  /**
   * Runs `op` in turn (see #serialize); if it ran inside an open batch, its result is given only
   * once that batch is committed, so no caller sees data the disk does not hold yet.
   */
  async #durable<T>(op: () => Promise<T>): Promise<T> {
    let batch: Batch | undefined;
    const result = await this.#serialize(async () => {
      const r = await op();
      batch = this.#batch;
      return r;
    });
    if (batch !== undefined) await batch.committed;
    return result;
  }

  /** Runs `op` after every operation queued before it. */
  #serialize<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(op, op);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}
