/**
 * The bulk path of the SQL store: records are validated as they are read, then written
 * `batchSize` per transaction with the store's prepared INSERTs. A record that fails (an
 * identity already taken) is undone alone while the rest of its batch is committed.
 */
import type { NewSubscription, Subscription } from '../../functions/hss/model.ts';
import { StoreError } from '../store-error.ts';
import type { BulkImportFailure, BulkImportOptions, BulkImportResult } from '../subscriber-store.ts';
import type { SqlDriver, SqlExecutor } from './sql-driver.ts';
import { prepareSubscription } from './subscriber-rows.ts';

export interface BulkImportHooks {
  insert(tx: SqlExecutor, sub: Subscription): Promise<number>;
  /** The error to report for a record whose insert failed with `err`. */
  explain(tx: SqlExecutor, sub: Subscription, err: unknown): Promise<Error>;
}

/** Thrown out of a batch transaction to roll it back when `stopOnError` is set. */
class StopImport extends Error {
  constructor(readonly failure: BulkImportFailure) {
    super('bulk import stopped');
  }
}

export async function runBulkImport(
  driver: SqlDriver,
  source: Iterable<NewSubscription> | AsyncIterable<NewSubscription>,
  options: BulkImportOptions,
  hooks: BulkImportHooks,
): Promise<BulkImportResult> {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new StoreError('INVALID', 'batchSize must be a positive integer', { field: 'batchSize' });
  const maxFailures = options.maxFailures ?? 1000;
  const result: BulkImportResult = { processed: 0, imported: 0, failed: 0, failures: [], stopped: false };
  const fail = (failure: BulkImportFailure) => {
    result.failed++;
    if (result.failures.length < maxFailures) result.failures.push(failure);
  };
  let batch: { index: number; sub: Subscription }[] = [];

  const flush = async () => {
    const items = batch;
    batch = [];
    if (items.length === 0) return;
    const failures: BulkImportFailure[] = [];
    let imported = 0;
    try {
      await driver.transaction(async (tx) => {
        // PostgreSQL needs a savepoint per record to survive a failed INSERT; SQLite undoes the
        // failed statement alone, and `insert` deletes what it had written of the record.
        const savepoints = !driver.statementRollback;
        for (const item of items) {
          if (savepoints) await tx.run('SAVEPOINT bulk_record');
          try {
            await hooks.insert(tx, item.sub);
            imported++;
          } catch (err) {
            if (savepoints) await tx.run('ROLLBACK TO SAVEPOINT bulk_record');
            const failure = { index: item.index, error: await hooks.explain(tx, item.sub, err) };
            if (options.stopOnError) throw new StopImport(failure);
            failures.push(failure);
          } finally {
            if (savepoints) await tx.run('RELEASE SAVEPOINT bulk_record');
          }
        }
      });
      result.imported += imported;
      failures.forEach(fail);
    } catch (err) {
      if (!(err instanceof StopImport)) throw err;
      fail(err.failure);
      result.stopped = true;
    }
    options.onProgress?.({ processed: result.processed, imported: result.imported, failed: result.failed });
  };

  for await (const input of source) {
    const index = result.processed++;
    try {
      batch.push({ index, sub: prepareSubscription(input) });
    } catch (err) {
      fail({ index, error: err as Error });
      if (options.stopOnError) {
        result.stopped = true;
        break;
      }
    }
    if (batch.length >= batchSize) {
      await flush();
      if (result.stopped) break;
    }
  }
  if (!result.stopped) await flush();
  else
    options.onProgress?.({ processed: result.processed, imported: result.imported, failed: result.failed });
  return result;
}
