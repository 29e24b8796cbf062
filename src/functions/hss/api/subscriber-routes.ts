/**
 * ARCHITECTURE.md §7: `/api/v1/subscribers` (POST, GET list with paging) and
 * `/api/v1/subscribers/{impu}` (GET, PUT, DELETE). A subscriber is the whole subscription the
 * public identity belongs to; each write is one store transaction, so a failed one leaves nothing.
 */
import type { FastifyInstance } from 'fastify';
import { normalizePublicIdentity } from '../../../ims/identity.ts';
import type { Logger } from '../../../log/logger.ts';
import { StoreError } from '../../../store/store-error.ts';
import type { ListPage, SubscriberStore } from '../../../store/subscriber-store.ts';
import { ApiError, fromStoreError, zodIssues } from './api-error.ts';
import { ListQuery } from './resource-schemas.ts';
import type { SubscriberAccess } from './subscriber-access.ts';
import { renameFields, subscriptionFromBody } from './subscription-input.ts';
import { redactSubscription, servedByScscf } from './views.ts';

type ImpuParams = { Params: { impu: string } };

export const SUBSCRIBERS = '/api/v1/subscribers';

/** The path of a subscriber resource (the identity URL-encoded: `sip%3Aalice%40ims.test`). */
export function subscriberPath(impu: string): string {
  return `${SUBSCRIBERS}/${encodeURIComponent(impu)}`;
}

function sameIdentity(a: string, b: string): boolean {
  try {
    return normalizePublicIdentity(a) === b;
  } catch {
    return false;
  }
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/**
 * One page of the list: after `cursor`, or after the first `offset` subscriptions. The store
 * pages by cursor only; an offset is reached by walking pages of the largest size, so it costs
 * in proportion to the offset (the OpenAPI document says to prefer the cursor for deep pages).
 */
async function listPage(store: SubscriberStore, query: ListQuery): Promise<ListPage> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const search = query.search !== undefined ? { search: query.search } : {};
  let cursor = query.cursor;
  let skip = query.offset ?? 0;
  while (skip > 0) {
    const step = Math.min(skip, MAX_LIMIT);
    const skipped = await store.listSubscriptions({
      limit: step,
      ...search,
      ...(cursor !== undefined ? { cursor } : {}),
    });
    if (skipped.nextCursor === undefined) return { items: [], total: skipped.total };
    cursor = skipped.nextCursor;
    skip -= step;
  }
  return store.listSubscriptions({ limit, ...search, ...(cursor !== undefined ? { cursor } : {}) });
}

/** The list's query; 400 naming each parameter this API does not know, and what it does know. */
function parseListQuery(raw: unknown): ListQuery {
  const result = ListQuery.safeParse(raw);
  if (result.success) return result.data;
  const issues = zodIssues(result.error).map((i) =>
    i.message === 'is not a known field'
      ? {
          field: i.field,
          message: `is not a known query parameter (${Object.keys(ListQuery.shape).join(', ')})`,
        }
      : i,
  );
  throw ApiError.badRequest(issues, 'query');
}

export function subscriberRoutes(app: FastifyInstance, access: SubscriberAccess, logger: Logger): void {
  const { store } = access;

  app.post(SUBSCRIBERS, async (request, reply) => {
    const { subscription, fieldNames, generatedPassword } = subscriptionFromBody(request.body, undefined, {
      homeRealm: access.homeRealm,
    });
    const created = await store.createSubscription(subscription).catch(async (err: unknown) => {
      throw renameFields(await access.impuConflictFirst(subscription, err), fieldNames);
    });
    logger.info({ subscription: created.id, impu: created.publicIdentities[0]?.impu }, 'subscriber created');
    return reply
      .code(201)
      .header('location', subscriberPath(created.publicIdentities[0]?.impu ?? ''))
      .send({
        ...redactSubscription(created),
        // Shown this once: only its HA1 values are stored.
        ...(generatedPassword !== undefined ? { password: generatedPassword } : {}),
      });
  });

  app.get(SUBSCRIBERS, async (request) => {
    const query = parseListQuery(request.query);
    if (query.offset !== undefined && query.cursor !== undefined)
      throw ApiError.badRequest([{ field: 'offset', message: 'give cursor or offset, not both' }], 'query');
    const page = await listPage(store, query).catch((err: unknown) => {
      // A cursor this store did not make is a bad query, not bad data.
      if (err instanceof StoreError && err.code === 'INVALID') throw ApiError.badRequest(err.issues, 'query');
      throw err;
    });
    return {
      items: page.items.map(redactSubscription),
      total: page.total,
      ...(page.nextCursor !== undefined ? { nextCursor: page.nextCursor } : {}),
    };
  });

  app.get<ImpuParams>(`${SUBSCRIBERS}/:impu`, async (request) => {
    const { subscription } = await access.find(request.params.impu);
    return redactSubscription(subscription);
  });

  app.put<ImpuParams>(`${SUBSCRIBERS}/:impu`, async (request) => {
    const { subscription: first } = await access.find(request.params.impu);
    const updated = await access.replace(first.id, async () => {
      const { impu, subscription: current } = await access.find(request.params.impu);
      const { subscription, fieldNames, shortForm } = subscriptionFromBody(request.body, current, {
        homeRealm: access.homeRealm,
      });
      if (!subscription.publicIdentities.some((p) => sameIdentity(p.impu, impu)))
        throw ApiError.unprocessable([
          {
            field: shortForm ? 'impu' : 'publicIdentities',
            message: `must keep ${impu}, the identity in the path (delete and create to rename)`,
          },
        ]);
      const stored = await store.updateSubscription(current.id, subscription).catch((err: unknown) => {
        throw renameFields(err, fieldNames);
      });
      logger.info({ subscription: stored.id, impu }, 'subscriber updated');
      await access.profileChanged(stored);
      return stored;
    });
    return redactSubscription(updated);
  });

  app.delete<ImpuParams>(`${SUBSCRIBERS}/:impu`, async (request, reply) => {
    const { impu, subscription } = await access.find(request.params.impu);
    if (access.actions !== undefined && servedByScscf(subscription)) {
      // TS 29.228 §6.1.3: the S-CSCF is told the user is gone before its data is.
      await access.actions.deregister(impu, 'subscription removed').catch((err: unknown) => {
        logger.warn({ err, impu }, 'hss api: de-registration (RTR) before removal failed');
      });
    }
    await store.deleteSubscription(subscription.id).catch((err: unknown) => {
      throw err instanceof StoreError ? fromStoreError(err) : err;
    });
    logger.info({ subscription: subscription.id, impu }, 'subscriber removed');
    return reply.code(204).send();
  });
}
