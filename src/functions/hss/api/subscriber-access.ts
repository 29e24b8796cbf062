/**
 * What the route handlers share: finding the subscription of a `{impu}` in the path (exactly,
 * never through a wildcard: provisioning must not change a wildcarded PSI's subscription by one
 * of the identities it stands for), read-modify-write of a subscription, and the runtime
 * actions (RTR, PPR) of the HSS's Diameter side.
 */
import { normalizePublicIdentity } from '../../../ims/identity.ts';
import type { Logger } from '../../../log/logger.ts';
import { StoreError } from '../../../store/store-error.ts';
import type { SubscriberStore } from '../../../store/subscriber-store.ts';
import type { NewSubscription, Subscription } from '../model.ts';
import { ApiError } from './api-error.ts';
import { type FieldNames, renameFields } from './subscription-input.ts';
import { servedByScscf } from './views.ts';

/**
 * What the HSS's Diameter side does for the API (HssActions of ../actions.ts fits); absent: the
 * API runs without it. A rejection is a failure (HssActionError: no answer, or refused).
 */
export interface HssApiActions {
  /** Administrative de-registration: RTR to the S-CSCF serving `impu` (TS 29.228 §6.1.3). */
  deregister(impu: string, reason: string): Promise<unknown>;
  /** Push-Profile-Request with the subscription's new profile (TS 29.228 §6.1.4). */
  pushProfile(subscriptionId: string): Promise<unknown>;
}

export interface Found {
  /** The identity of the path in its stored spelling. */
  impu: string;
  subscription: Subscription;
}

export class SubscriberAccess {
  /** Per-subscription chains of read-modify-write, so that two edits in this process do not lose one. */
  readonly #chains = new Map<string, Promise<unknown>>();

  constructor(
    readonly store: SubscriberStore,
    readonly actions: HssApiActions | undefined,
    private readonly logger: Logger,
    /** The HSS's home realm (its Diameter Origin-Realm): where a tel IMPU's default IMPI lives. */
    readonly homeRealm?: string,
  ) {}

  /** The stored spelling of an identity given in the path; a bare `+E.164` is taken as a tel URI. 400. */
  parseImpu(text: string, field = 'impu'): string {
    try {
      return normalizePublicIdentity(text.startsWith('+') ? `tel:${text}` : text);
    } catch (err) {
      throw ApiError.badRequest([{ field, message: (err as Error).message }], 'identity');
    }
  }

  /** The subscription `impu` (path text) belongs to. 400, 404. */
  async find(text: string): Promise<Found> {
    const impu = this.parseImpu(text);
    const match = await this.store.getSubscriptionByImpu(impu);
    if (match === undefined || match.wildcarded || match.publicIdentity.impu !== impu)
      throw ApiError.notFound(`no subscriber ${impu}`);
    return { impu, subscription: match.subscription };
  }

  /**
   * Replaces the subscription `impu` belongs to by what `change` makes of it, in one store
   * transaction, then pushes the new profile to the S-CSCF serving it (if any).
   * DEVIATION: the read and the write are two store calls; edits through this process are
   * serialised, but two HSS front-ends editing the same subscription at once may lose one.
   */
  async modify(
    text: string,
    change: (found: Found) => NewSubscription,
    names: FieldNames = (f) => f,
  ): Promise<Subscription> {
    const { subscription } = await this.find(text);
    return this.#serialised(subscription.id, async () => {
      const found = await this.find(text);
      let updated: Subscription;
      try {
        updated = await this.store.updateSubscription(found.subscription.id, change(found));
      } catch (err) {
        throw renameFields(err, names);
      }
      await this.profileChanged(updated);
      return updated;
    });
  }

  /**
   * A create refused because something is taken is reported on a public identity first: an
   * operator adding a subscriber twice hears that the IMPU exists, not that its derived IMPI
   * does. Returns the CONFLICT on the first taken IMPU (exact match, `publicIdentities[i].impu`),
   * or `err` as it is.
   */
  async impuConflictFirst(subscription: NewSubscription, err: unknown): Promise<unknown> {
    if (!(err instanceof StoreError) || err.code !== 'CONFLICT' || /\.impu$/.test(err.field ?? ''))
      return err;
    for (const [i, pu] of subscription.publicIdentities.entries()) {
      let impu: string;
      try {
        impu = normalizePublicIdentity(pu.impu);
      } catch {
        continue;
      }
      const match = await this.store.getSubscriptionByImpu(impu).catch(() => undefined);
      if (match !== undefined && !match.wildcarded && match.publicIdentity.impu === impu)
        return new StoreError(
          'CONFLICT',
          `${impu} already belongs to subscription ${match.subscription.id}`,
          {
            field: `publicIdentities[${i}].impu`,
          },
        );
    }
    return err;
  }

  /** Replaces a whole subscription (PUT), serialised with the other edits of it. */
  replace(id: string, fn: () => Promise<Subscription>): Promise<Subscription> {
    return this.#serialised(id, fn);
  }

  /** TS 29.228 §6.1.4: a changed profile of a user an S-CSCF serves is pushed to it (PPR). */
  async profileChanged(subscription: Subscription): Promise<void> {
    if (this.actions === undefined || !servedByScscf(subscription)) return;
    try {
      await this.actions.pushProfile(subscription.id);
    } catch (err) {
      // The change is stored: the S-CSCF gets it at the next registration at the latest.
      this.logger.warn({ err, subscription: subscription.id }, 'hss api: profile push (PPR) failed');
    }
  }

  async #serialised<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#chains.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.#chains.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.#chains.get(key) === tail) this.#chains.delete(key);
    }
  }
}
