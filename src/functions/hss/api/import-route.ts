/**
 * `POST /api/v1/subscribers:import`: many subscriptions in one request, as NDJSON (one record
 * a line, read as it arrives: the request is never held whole) or a JSON array. Each record is
 * a SubscriptionRequest (the short form of `ims subscriber import` rows, or the whole model)
 * and is stored atomically on its own; bad records are answered by their position, the others
 * imported (SubscriberStore.bulkImport).
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ValidationIssue } from '../../../ims/validation.ts';
import type { Logger } from '../../../log/logger.ts';
import { StoreError } from '../../../store/store-error.ts';
import type { NewSubscription } from '../model.ts';
import { ApiError } from './api-error.ts';
import type { SubscriberAccess } from './subscriber-access.ts';
import { SUBSCRIBERS } from './subscriber-routes.ts';
import { type FieldNames, renameFields, subscriptionFromBody } from './subscription-input.ts';

/** The path; fastify spells a literal ':' in a route as '::'. */
export const IMPORT_PATH = `${SUBSCRIBERS}:import`;
export const NDJSON = 'application/x-ndjson';
/** Failures listed in the answer (all are counted). */
const MAX_LISTED_FAILURES = 1000;
const BATCH_SIZE = 1000;

interface ImportFailure {
  index: number;
  error: string;
  issues: ValidationIssue[];
}

async function* ndjsonRecords(stream: Readable): AsyncGenerator<unknown> {
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line);
    } catch (err) {
      yield new NotJson((err as Error).message);
    }
  }
}

class NotJson {
  constructor(readonly message: string) {}
}

function failureOf(index: number, err: unknown, names: FieldNames): ImportFailure {
  const renamed = renameFields(err, names);
  if (renamed instanceof ApiError) return { index, error: renamed.message, issues: renamed.issues ?? [] };
  if (renamed instanceof StoreError) return { index, error: renamed.message, issues: renamed.issues };
  return { index, error: (renamed as Error).message, issues: [] };
}

export function importRoute(app: FastifyInstance, access: SubscriberAccess, logger: Logger): void {
  // The NDJSON body is handed to the route as a stream, read line by line.
  app.addContentTypeParser(NDJSON, (_request, payload, done) => done(null, payload));

  app.post(IMPORT_PATH.replace(':import', '::import'), async (request) => {
    const ndjson = (request.headers['content-type'] ?? '').startsWith(NDJSON);
    if (!ndjson && !Array.isArray(request.body))
      throw ApiError.badRequest([{ field: '', message: `must be a JSON array, or ${NDJSON} records` }]);
    const records: AsyncIterable<unknown> | Iterable<unknown> = ndjson
      ? ndjsonRecords(request.body as Readable)
      : (request.body as unknown[]);

    const failures: ImportFailure[] = [];
    let failed = 0;
    const fail = (f: ImportFailure) => {
      failed++;
      if (failures.length < MAX_LISTED_FAILURES) failures.push(f);
    };
    // Which request record each record handed to the store is, and how to name its fields.
    const positions: number[] = [];
    const names: FieldNames[] = [];
    let processed = 0;
    async function* subscriptions(): AsyncGenerator<NewSubscription> {
      for await (const record of records) {
        const index = processed++;
        try {
          if (record instanceof NotJson)
            throw new ApiError(400, `not JSON: ${record.message}`, {
              issues: [{ field: '', message: `not JSON: ${record.message}` }],
            });
          const { subscription, fieldNames } = subscriptionFromBody(record);
          positions.push(index);
          names.push(fieldNames);
          yield subscription;
        } catch (err) {
          fail(failureOf(index, err, (f) => f));
        }
      }
    }

    const started = Date.now();
    const result = await access.store.bulkImport(subscriptions(), {
      batchSize: BATCH_SIZE,
      maxFailures: MAX_LISTED_FAILURES,
    });
    for (const f of result.failures) {
      const index = positions[f.index] ?? f.index;
      fail(failureOf(index, f.error, names[f.index] ?? ((n) => n)));
    }
    // Those the store counted but did not list.
    failed += result.failed - result.failures.length;
    failures.sort((a, b) => a.index - b.index);
    logger.info(
      { processed, imported: result.imported, failed, ms: Date.now() - started },
      'subscribers imported',
    );
    return { processed, imported: result.imported, failed, failures };
  });
}
