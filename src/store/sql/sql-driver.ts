/**
 * What the SQL subscriber store needs from a database: a few statement runners, write
 * transactions that serialise with every other writer, and read snapshots. SQLite
 * (better-sqlite3) and PostgreSQL (pg) implement it; statements are written with `?`
 * placeholders and the SQL both understand.
 */
export type SqlParam = string | number | null;

export interface SqlExecutor {
  all<R>(sql: string, params?: readonly SqlParam[]): Promise<R[]>;
  get<R>(sql: string, params?: readonly SqlParam[]): Promise<R | undefined>;
  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
}

/** How a driver failure is to be read by the store. */
export type SqlFailure = 'unique' | 'foreign-key' | undefined;

export interface SqlDriver extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * True when a failed statement leaves its transaction usable (SQLite undoes the statement
   * alone); false when it aborts the transaction (PostgreSQL: only a savepoint recovers it).
   */
  readonly statementRollback: boolean;
  /**
   * Runs `fn` in a write transaction and commits before the promise settles (rolls back if `fn`
   * throws). SQLite: BEGIN IMMEDIATE (one writer, across processes) and nothing else of this
   * driver runs meanwhile; PostgreSQL: BEGIN on one pooled connection, row locks taken with
   * `lockClause`.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs `fn` on one consistent snapshot, read only. */
  snapshot<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** The clause that locks the selected rows of `alias` until commit ('' where BEGIN IMMEDIATE does it). */
  lockClause(alias: string): string;
  /** Whether an error is a unique or foreign-key violation. */
  classify(err: unknown): SqlFailure;
  close(): Promise<void>;
}
