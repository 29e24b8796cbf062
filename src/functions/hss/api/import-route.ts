/**
 * `POST /api/v1/subscribers:import`: many subscriptions in one request, as NDJSON (one record
 * a line, read as it arrives: the request is never held whole) or a JSON array. Each record is
 * a SubscriptionRequest (the short form of `ims subscriber import` rows, or the whole model)
 * and is stored atomically on its own; bad records are answered by their position, the others
 * imported (SubscriberStore.bulkImport). A short-form record without password or k gets a
 * generated password, answered once in `generatedPasswords`.
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

/** A record handed to the store, with what naming its failures and its answer needs. */
interface Pending {
  /** Position in the request. */
  index: number;
  subscription: NewSubscription;
  names: FieldNames;
  generatedPassword?: string;
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
    const generatedPasswords: { index: number; impu: string; password: string }[] = [];
    let failed = 0;
    let imported = 0;
    const fail = (f: ImportFailure) => {
      failed++;
      if (failures.length < MAX_LISTED_FAILURES) failures.push(f);
    };
    // Stored a batch at a time, so that every failure of a batch is known: a generated
    // password is answered only for a record that was imported.
    const store = async (batch: Pending[]): Promise<void> => {
      const result = await access.store.bulkImport(
        batch.map((p) => p.subscription),
        { batchSize: BATCH_SIZE, maxFailures: batch.length },
      );
      imported += result.imported;
      const refused = new Set<number>();
      for (const f of result.failures) {
        const pending = batch[f.index];
        refused.add(f.index);
        const error = pending ? await access.impuConflictFirst(pending.subscription, f.error) : f.error;
        fail(failureOf(pending?.index ?? f.index, error, pending?.names ?? ((n) => n)));
      }
      batch.forEach((p, i) => {
        if (p.generatedPassword !== undefined && !refused.has(i))
          generatedPasswords.push({
            index: p.index,
            impu: p.subscription.publicIdentities[0]?.impu ?? '',
            password: p.generatedPassword,
          });
      });
    };

    const started = Date.now();
    let processed = 0;
    let batch: Pending[] = [];
    for await (const record of records) {
      const index = processed++;
      try {
        if (record instanceof NotJson)
          throw new ApiError(400, `not JSON: ${record.message}`, {
            issues: [{ field: '', message: `not JSON: ${record.message}` }],
          });
        const { subscription, fieldNames, generatedPassword } = subscriptionFromBody(record, undefined, {
          homeRealm: access.homeRealm,
        });
        batch.push({
          index,
          subscription,
          names: fieldNames,
          ...(generatedPassword !== undefined ? { generatedPassword } : {}),
        });
      } catch (err) {
        fail(failureOf(index, err, (f) => f));
      }
      if (batch.length >= BATCH_SIZE) {
        await store(batch);
        batch = [];
      }
    }
    if (batch.length > 0) await store(batch);
    failures.sort((a, b) => a.index - b.index);
    logger.info(
      {
        processed,
        imported,
        failed,
        generatedPasswords: generatedPasswords.length,
        ms: Date.now() - started,
      },
      'subscribers imported',
    );
    return { processed, imported, failed, failures, generatedPasswords };
  });
}
