/**
 * node-postgres behind the SqlDriver interface: a pool, `?` placeholders turned into `$n`,
 * named (server-side prepared) statements, BIGINT read back as a number (every value stored is
 * below 2^53), write transactions at READ COMMITTED with explicit row locks, read snapshots at
 * REPEATABLE READ.
 */
import pg from 'pg';
import type { Logger } from '../../log/logger.ts';
import { silentLogger } from '../../log/logger.ts';
import type { SqlDriver, SqlExecutor, SqlFailure, SqlParam } from '../sql/sql-driver.ts';
import { StoreError } from '../store-error.ts';

export interface PgDriverOptions {
  /** `postgres://user:password@host:port/database`. */
  url: string;
  /** Pool size (default 10). */
  maxConnections?: number;
  logger?: Logger;
}

const INT8_OID = 20;

export class PgDriver implements SqlDriver {
  readonly dialect = 'postgres';
  readonly statementRollback = false;
  readonly #pool: pg.Pool;
  readonly #names = new Map<string, { name: string; text: string }>();
  readonly #exec: SqlExecutor;

  constructor(options: PgDriverOptions) {
    const logger = options.logger ?? silentLogger;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === INT8_OID
            ? Number
            : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // An idle client that loses its server must not crash the process; the next query reconnects.
    this.#pool.on('error', (err) => logger.warn({ err }, 'PostgreSQL idle connection error'));
    this.#exec = this.#executor(this.#pool);
  }

  /** Checks the server can be reached; StoreError UNAVAILABLE otherwise. */
  async connect(): Promise<void> {
    try {
      await this.#pool.query('SELECT 1');
    } catch (err) {
      throw new StoreError('UNAVAILABLE', `cannot reach PostgreSQL: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  all<R>(sql: string, params?: readonly SqlParam[]): Promise<R[]> {
    return this.#exec.all<R>(sql, params);
  }
  get<R>(sql: string, params?: readonly SqlParam[]): Promise<R | undefined> {
    return this.#exec.get<R>(sql, params);
  }
  run(sql: string, params?: readonly SqlParam[]): Promise<number> {
    return this.#exec.run(sql, params);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#inTransaction('BEGIN', fn);
  }

  snapshot<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  lockClause(alias: string): string {
    return ` FOR UPDATE OF ${alias}`;
  }

  classify(err: unknown): SqlFailure {
    const code = (err as { code?: unknown })?.code;
    if (code === '23505') return 'unique';
    if (code === '23503') return 'foreign-key';
    return undefined;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #inTransaction<T>(begin: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query(begin);
      const result = await fn(this.#executor(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection itself failed: do not give it back to the pool
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  #executor(target: pg.Pool | pg.PoolClient): SqlExecutor {
    const query = async (sql: string, params: readonly SqlParam[] = []) => {
      const named = this.#named(sql);
      // Only DML is prepared by name; DDL and the like go as plain text.
      return named.name === ''
        ? target.query(named.text, params as SqlParam[])
        : target.query({ ...named, values: params as SqlParam[] });
    };
    return {
      all: async <R>(sql: string, params?: readonly SqlParam[]) => (await query(sql, params)).rows as R[],
      get: async <R>(sql: string, params?: readonly SqlParam[]) =>
        (await query(sql, params)).rows[0] as R | undefined,
      run: async (sql: string, params?: readonly SqlParam[]) => (await query(sql, params)).rowCount ?? 0,
    };
  }

  /** The `$n` text of a statement and a stable name, so each connection prepares it once. */
  #named(sql: string): { name: string; text: string } {
    let named = this.#names.get(sql);
    if (named === undefined) {
      let n = 0;
      const dml = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i.test(sql);
      named = { name: dml ? `ims_${this.#names.size}` : '', text: sql.replace(/\?/g, () => `$${++n}`) };
      this.#names.set(sql, named);
    }
    return named;
  }
}
