/**
 * The reg event package notifier of the S-CSCF (RFC 3680, RFC 6665, TS 24.229 §5.4.2.1): UEs
 * and P-CSCFs SUBSCRIBE to the registration state of a public identity; a NOTIFY with the full
 * state (application/reginfo+xml) follows at once, then partial state on every change of the
 * registration, and a final NOTIFY when the registration or the subscription ends.
 *
 * Subscriptions are kept in memory only: a restarted S-CSCF answers a refresh with 481 and the
 * subscriber subscribes again (RFC 6665 §4.1.2.2).
 */

import { buildReginfo } from '../../ims/reginfo.ts';
import { REGINFO_CONTENT_TYPE, type ReginfoRegistration } from '../../ims/reginfo-model.ts';
import type { Logger } from '../../log/logger.ts';
import { Dialog, type DialogState, dialogKey } from '../../sip/dialog/dialog.ts';
import {
  ACCEPT,
  createResponse,
  NameAddr,
  newTag,
  P_ASSERTED_IDENTITY,
  parseUri,
  type SipRequest,
  SipUri,
} from '../../sip/message/index.ts';
import type { RequestContext } from '../../sip/proxy/proxy-policy.ts';
import type { Registration, RegistrationStore } from '../../store/registrations/types.ts';
import { Deadlines } from '../../util/deadlines.ts';
import { detachedString } from '../../util/detached-string.ts';
import type { ScscfConfig } from './config.ts';
import type { LocalRequests } from './local-requests.ts';
import { type ContactChange, fullState, partialState, reportedIdentities } from './reginfo-state.ts';
import { canonicalImpu } from './user-profile.ts';

interface RegSubscription {
  key: string;
  dialog: Dialog;
  /** The public identity subscribed to (the SUBSCRIBE's Request-URI). */
  resource: string;
  subscriber: string;
  expiresAt: number;
  /** RFC 3680 §5.1: version of the next document, from 0, one more per NOTIFY. */
  version: number;
  /** NOTIFYs of one subscription go one after the other, in version order. */
  queue: Promise<void>;
  ended: boolean;
}

/** What changed in a registration, for the subscriptions to its identities. */
export interface RegistrationChange {
  /** The identities reported before the change (they are gone from the store when it ended). */
  identities: string[];
  /** The record after the change; undefined or without bindings when the registration ended. */
  after: Registration | undefined;
  changes: ContactChange[];
}

export interface RegEventNotifierDeps {
  config: ScscfConfig;
  registrations: RegistrationStore;
  requests: LocalRequests;
  /** Our Contact in the subscription dialogs (RFC 6665 §4.1.2.2 target for refreshes). */
  contact: NameAddr;
  logger: Logger;
}

/** The event package token of a request's Event header, lower-cased (RFC 6665 §8.2.1). */
export function eventPackage(request: SipRequest): string | undefined {
  const value = request.headers.get('Event');
  return value?.split(';')[0]?.trim().toLowerCase();
}

export class RegEventNotifier {
  readonly #subscriptions = new Map<string, RegSubscription>();
  readonly #byResource = new Map<string, Set<RegSubscription>>();
  /** When each subscription expires (RFC 6665 §4.2.2), under one timer. */
  readonly #expiries = new Deadlines<RegSubscription>((s) => this.#expired(s));
  readonly #log: Logger;

  constructor(private readonly deps: RegEventNotifierDeps) {
    this.#log = deps.logger.child({ component: 'reg-event' });
  }

  get size(): number {
    return this.#subscriptions.size;
  }

  /** True when an in-dialog SUBSCRIBE belongs to one of our subscriptions. */
  hasDialog(request: SipRequest): boolean {
    return this.#subscriptions.has(this.#keyOf(request));
  }

  /** Answers a SUBSCRIBE for the reg event in `context.transaction` (TS 24.229 §5.4.2.1.1). */
  async handleSubscribe(context: RequestContext): Promise<void> {
    const { request, transaction } = context;
    const reply = (status: number, reason?: string, headers: [string, string][] = []) =>
      transaction.respond(createResponse(request, status, { ...(reason ? { reason } : {}), headers }));
    const r = this.deps.config.registrar;
    const asked = request.expires ?? r.subscriptionExpires;
    if (asked !== 0 && asked < r.subscriptionMinExpires) {
      // RFC 6665 §4.2.1.1: too short a subscription gets 423 with Min-Expires.
      reply(423, undefined, [['Min-Expires', String(r.subscriptionMinExpires)]]);
      return;
    }
    const accept = request.all(ACCEPT);
    if (accept.length > 0 && !accept.some((m) => acceptsReginfo(m.essence))) {
      // RFC 6665 §4.2.1.1: the package's body type must be acceptable.
      reply(406, undefined, [['Accept', REGINFO_CONTENT_TYPE]]);
      return;
    }
    const expires = Math.min(asked, r.subscriptionExpires);
    if (request.to.tag !== undefined) {
      // RFC 6665 §4.1.2.2: a refresh (or Expires 0, an unsubscribe) of a subscription we hold.
      const subscription = this.#subscriptions.get(this.#keyOf(request));
      if (subscription === undefined || subscription.ended) {
        reply(481);
        return;
      }
      try {
        subscription.dialog.receiveRequest(request);
      } catch {
        reply(500, 'CSeq out of order');
        return;
      }
      transaction.respond(this.#ok(request, subscription.dialog.id.localTag, expires));
      if (expires === 0) {
        this.#end(subscription, 'terminated', await this.#currentState(subscription));
        return;
      }
      this.#arm(subscription, expires);
      this.#send(subscription, 'full', await this.#currentState(subscription));
      return;
    }

    let resource: string;
    try {
      resource = canonicalImpu(request.uri.toString());
    } catch {
      reply(400, 'Bad Request-URI');
      return;
    }
    const record = await this.deps.registrations.get(resource);
    if (record === undefined || record.state !== 'registered' || record.bindings.length === 0) {
      // TS 24.229 §5.4.2.1.1: only identities registered here can be subscribed to.
      reply(404, 'Not registered here');
      return;
    }
    const subscriber = subscriberIdentity(request);
    if (subscriber === undefined || !mayWatch(subscriber, record)) {
      this.#log.info({ impu: resource, subscriber }, 'reg event subscription refused');
      reply(403, 'Not authorized to watch this registration');
      return;
    }
    const localTag = newTag();
    let dialog: Dialog;
    try {
      dialog = Dialog.fromUasRequest(request, localTag, true);
    } catch (err) {
      reply(400, (err as Error).message);
      return;
    }
    transaction.respond(this.#ok(request, localTag, expires));
    // Kept for the subscription's lifetime: copies, not views into the SUBSCRIBE's text.
    resource = detachedString(resource);
    const subscription: RegSubscription = {
      key: dialog.key,
      dialog,
      resource,
      subscriber: detachedString(subscriber),
      expiresAt: Date.now() + expires * 1000,
      version: 0,
      queue: Promise.resolve(),
      ended: false,
    };
    this.#log.info({ impu: resource, subscriber, expires, callId: request.callId }, 'reg event subscription');
    if (expires === 0) {
      // RFC 6665 §4.2.1.2: a fetch: one NOTIFY with the state, the subscription terminated.
      this.#end(subscription, 'terminated', fullState(record, Date.now()));
      return;
    }
    this.#subscriptions.set(subscription.key, subscription);
    let set = this.#byResource.get(resource);
    if (set === undefined) this.#byResource.set(resource, (set = new Set()));
    set.add(subscription);
    this.#arm(subscription, expires);
    // RFC 6665 §4.2.1.2: a NOTIFY with the current state right after accepting.
    this.#send(subscription, 'full', fullState(record, Date.now()));
  }

  /** TS 24.229 §5.4.2.1.2: tells every subscription to one of the identities what changed. */
  changed(change: RegistrationChange): void {
    if (change.changes.length === 0) return;
    const identities = new Set([...change.identities, ...(change.after?.impus ?? [])]);
    const targets = new Set<RegSubscription>();
    for (const impu of identities) for (const s of this.#byResource.get(impu) ?? []) targets.add(s);
    if (targets.size === 0) return;
    const now = Date.now();
    const remaining = change.after?.bindings.length ?? 0;
    const reported = change.after !== undefined ? reportedIdentities(change.after) : change.identities;
    const registrations = partialState(reported, change.changes, remaining, now);
    for (const s of targets) {
      // The registration is over: the final NOTIFY ends the subscription (RFC 3680 §4.4).
      if (remaining === 0) this.#end(s, 'terminated;reason=noresource', registrations, 'partial');
      else this.#send(s, 'partial', registrations);
    }
  }

  /** Stops timers; subscriptions are forgotten (in memory only). */
  close(): void {
    this.#expiries.clear();
    this.#subscriptions.clear();
    this.#byResource.clear();
  }

  #keyOf(request: SipRequest): string {
    return dialogKey({
      callId: request.callId,
      localTag: request.to.tag ?? '',
      remoteTag: request.from.tag ?? '',
    });
  }

  #ok(request: SipRequest, localTag: string, expires: number) {
    return createResponse(request, 200, {
      toTag: localTag,
      headers: [
        // RFC 3261 §12.1.1: the 2xx of a dialog-creating request copies its Record-Route, so
        // the subscriber's refreshes take the same proxies (a UE's: its P-CSCF, TS 24.229 §5.1.1.3).
        ...request.headers.values('Record-Route').map((rr): [string, string] => ['Record-Route', rr]),
        ['Expires', String(expires)],
        ['Contact', this.deps.contact.toString()],
      ],
    });
  }

  async #currentState(s: RegSubscription): Promise<ReginfoRegistration[]> {
    const record = await this.deps.registrations.get(s.resource);
    return record !== undefined ? fullState(record, Date.now()) : [];
  }

  #arm(s: RegSubscription, expires: number): void {
    s.expiresAt = Date.now() + expires * 1000;
    this.#expiries.set(s, s.expiresAt);
  }

  /** RFC 6665 §4.2.2: an expired subscription ends with a NOTIFY saying so. */
  #expired(s: RegSubscription): void {
    this.#currentState(s).then(
      (state) => this.#end(s, 'terminated;reason=timeout', state),
      () => this.#end(s, 'terminated;reason=timeout', []),
    );
  }

  #end(
    s: RegSubscription,
    subscriptionState: string,
    registrations: ReginfoRegistration[],
    state: 'full' | 'partial' = 'full',
  ): void {
    if (s.ended) return;
    this.#send(s, state, registrations, subscriptionState);
    s.ended = true;
    this.#forget(s);
  }

  #forget(s: RegSubscription): void {
    this.#expiries.delete(s);
    this.#subscriptions.delete(s.key);
    const set = this.#byResource.get(s.resource);
    set?.delete(s);
    if (set?.size === 0) this.#byResource.delete(s.resource);
  }

  /** Queues one NOTIFY in the subscription dialog (RFC 6665 §4.2.2). */
  #send(
    s: RegSubscription,
    state: 'full' | 'partial',
    registrations: ReginfoRegistration[],
    subscriptionState?: string,
  ): void {
    if (s.ended) return;
    const version = s.version++;
    const body = Buffer.from(buildReginfo({ version, state, registrations }), 'utf8');
    const remaining = Math.max(0, Math.round((s.expiresAt - Date.now()) / 1000));
    const notify = s.dialog.createRequest('NOTIFY', {
      contact: this.deps.contact,
      body,
      contentType: REGINFO_CONTENT_TYPE,
    });
    notify.headers.append('Event', 'reg');
    notify.headers.append('Subscription-State', subscriptionState ?? `active;expires=${remaining}`);
    s.queue = s.queue.then(async () => {
      const response = await this.deps.requests.send(notify);
      this.#log.debug({ impu: s.resource, version, status: response.status }, 'reg event NOTIFY answered');
      if (response.status === 481 || response.status === 408) {
        // RFC 6665 §4.2.2: the subscriber is gone; the subscription ends without another NOTIFY.
        s.dialog.terminate();
        s.ended = true;
        this.#forget(s);
      } else if (response.status >= 300) {
        this.#log.info({ impu: s.resource, status: response.status }, 'reg event NOTIFY refused');
      }
    });
  }

  /** For tests and status: the subscriptions to `impu`. */
  subscriptionsOf(impu: string): { subscriber: string; version: number; state: DialogState }[] {
    return [...(this.#byResource.get(impu) ?? [])].map((s) => ({
      subscriber: s.subscriber,
      version: s.version,
      state: s.dialog.state,
    }));
  }
}

function acceptsReginfo(essence: string): boolean {
  return essence === REGINFO_CONTENT_TYPE || essence === 'application/*' || essence === '*/*';
}

/**
 * The subscriber: P-Asserted-Identity, which the P-CSCF sets for UEs and for itself
 * (TS 24.229 §5.2.3). DEVIATION: a SUBSCRIBE without it (a UE talking to the S-CSCF with no
 * P-CSCF in front, as in lab tests) is judged by its From.
 */
function subscriberIdentity(request: SipRequest): string | undefined {
  try {
    const asserted = request.all(P_ASSERTED_IDENTITY).find((p) => p.uri instanceof SipUri);
    const identity = asserted ?? request.from;
    return canonicalImpu(identity.uri.toString());
  } catch {
    return undefined;
  }
}

/**
 * TS 24.229 §5.4.2.1.1: who may watch a registration. Our rule: an identity of the implicit
 * set itself (the UE, any of its identities), or the P-CSCF the registration came through:
 * a subscriber whose host (and port, when both give one) is that of a Path entry or of the
 * P-CSCF recorded with a binding.
 */
function mayWatch(subscriber: string, record: Registration): boolean {
  if (record.impus.includes(subscriber)) return true;
  let uri: SipUri;
  try {
    const parsed = parseUri(subscriber);
    if (!(parsed instanceof SipUri)) return false;
    uri = parsed;
  } catch {
    return false;
  }
  const host = uri.host.toLowerCase();
  for (const b of record.bindings) {
    for (const hop of [...b.path, ...(b.pcscf !== undefined ? [b.pcscf] : [])]) {
      try {
        const hopUri = new NameAddr(hop.replace(/^<|>.*$/g, '')).uri;
        if (!(hopUri instanceof SipUri) || hopUri.host.toLowerCase() !== host) continue;
        if (uri.port === undefined || hopUri.port === undefined || uri.port === hopUri.port) return true;
      } catch {
        // an unreadable Path entry names nobody
      }
    }
  }
  return false;
}
