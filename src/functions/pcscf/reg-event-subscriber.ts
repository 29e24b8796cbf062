import { parseReginfo, REGINFO_CONTENT_TYPE } from '../../ims/reginfo.ts';
import type { Reginfo } from '../../ims/reginfo-model.ts';
import type { Logger } from '../../log/logger.ts';
import {
  Dialog,
  DialogRequestError,
  OutgoingRequest,
  type OutgoingRequestContext,
} from '../../sip/dialog/index.ts';
import { Headers, newTag, randomText, SipRequest, type SipResponse } from '../../sip/message/index.ts';
import { Deadlines } from '../../util/deadlines.ts';
import { detachedString } from '../../util/detached-string.ts';
import { aorKey } from './registration-table.ts';

export interface RegEventSubscriberOptions {
  /** How requests leave (the proxy's transaction layer, RFC 3263 resolution). */
  outgoing: OutgoingRequestContext;
  /** The P-CSCF's own SIP URI (From, Contact, P-Asserted-Identity of the SUBSCRIBE). */
  ownUri: string;
  /** A new P-Charging-Vector value for the SUBSCRIBE. */
  chargingVector(): string;
  logger: Logger;
  /** A reginfo document arrived in a NOTIFY of one of our subscriptions. */
  onReginfo(reginfo: Reginfo, subscribedIdentity: string): void;
}

/** One reg-event subscription (RFC 3680, RFC 6665) for the registration of one user. */
interface Subscription {
  identity: string;
  callId: string;
  localTag: string;
  firstSeq: number;
  serviceRoute: string[];
  dialog?: Dialog;
  /** Seconds asked for in the last SUBSCRIBE. */
  expires: number;
}

/** What to answer a NOTIFY. */
export interface NotifyOutcome {
  status: number;
  reason?: string;
}

/** Extra time asked over the registration's expiry (TS 24.229 §5.2.3: "higher than"). */
const EXPIRY_MARGIN_S = 600;

/**
 * TS 24.229 §5.2.3: after the first registration of a user the P-CSCF subscribes to its reg
 * event at the S-CSCF (through the Service-Route), refreshes the subscription, and reads the
 * NOTIFYs (RFC 3680 reginfo) that tell it of network-initiated de-registrations.
 */
export class RegEventSubscriber {
  private readonly byIdentity = new Map<string, Subscription>();
  private readonly byCallId = new Map<string, Subscription>();
  /** When each subscription is refreshed (RFC 6665 §4.1.2.2), under one timer. */
  private readonly refreshes = new Deadlines<Subscription>((s) => this.refresh(s));

  constructor(private readonly options: RegEventSubscriberOptions) {}

  /** Subscribed (or subscribing) to this identity's registration. */
  has(identity: string): boolean {
    return this.byIdentity.has(aorKey(identity));
  }

  /**
   * §5.2.3: SUBSCRIBE with Request-URI and To = the default public user identity, From and
   * P-Asserted-Identity = the P-CSCF, Event: reg, Expires above the registration's.
   */
  subscribe(identity: string, serviceRoute: string[], registrationExpires: number): void {
    if (this.has(identity)) return;
    // Kept for the subscription's lifetime: copies, not views into the 200 (OK) to the REGISTER.
    identity = detachedString(identity);
    const s: Subscription = {
      identity,
      callId: `${randomText(12, 'hex')}@pcscf`,
      localTag: newTag(),
      firstSeq: 1,
      serviceRoute: serviceRoute.map(detachedString),
      expires: registrationExpires + EXPIRY_MARGIN_S,
    };
    this.byIdentity.set(aorKey(identity), s);
    this.byCallId.set(s.callId, s);
    const headers = new Headers();
    for (const r of serviceRoute) headers.append('Route', r);
    headers.append('Max-Forwards', '70');
    headers.append('From', `<${this.options.ownUri}>;tag=${s.localTag}`);
    headers.append('To', `<${identity}>`);
    headers.append('Call-ID', s.callId);
    headers.append('CSeq', `${s.firstSeq} SUBSCRIBE`);
    this.send(s, new SipRequest('SUBSCRIBE', identity, headers));
  }

  /** The NOTIFY of one of our subscriptions (RFC 6665 §4.1.3); undefined when it is not ours. */
  handleNotify(request: SipRequest): NotifyOutcome | undefined {
    const s = this.byCallId.get(request.callId);
    if (!s || request.to.tag !== s.localTag) return undefined;
    if ((request.headers.get('Event') ?? '').split(';')[0]!.trim().toLowerCase() !== 'reg')
      return { status: 489, reason: 'Bad Event' };
    try {
      if (s.dialog) s.dialog.receiveRequest(request);
      else {
        // RFC 6665 §4.1.2.4: a NOTIFY may arrive before the 2xx to the SUBSCRIBE and create the dialog.
        s.dialog = Dialog.fromUasRequest(request, s.localTag, true);
        s.dialog.localSeq = s.firstSeq;
      }
    } catch (err) {
      if (err instanceof DialogRequestError) return { status: err.status, reason: err.reason };
      throw err;
    }
    let reginfo: Reginfo | undefined;
    if (request.body.length > 0) {
      const type = request.contentType;
      if (!type || `${type.type}/${type.subtype}`.toLowerCase() !== REGINFO_CONTENT_TYPE)
        return { status: 415, reason: `NOTIFY body must be ${REGINFO_CONTENT_TYPE}` };
      try {
        reginfo = parseReginfo(request.body.toString('utf8'));
      } catch (err) {
        this.options.logger.info({ err: (err as Error).message }, 'bad reginfo in NOTIFY');
        return { status: 400, reason: (err as Error).message.replace(/[\r\n]+/g, ' ').slice(0, 120) };
      }
    }
    // RFC 6665 §4.1.3: Subscription-State terminated ends the subscription.
    const state = (request.headers.get('Subscription-State') ?? '').split(';')[0]!.trim().toLowerCase();
    if (state === 'terminated') this.forget(s);
    if (reginfo) this.options.onReginfo(reginfo, s.identity);
    return { status: 200 };
  }

  /** Ends every refresh timer (shutdown); subscriptions die at the notifier by expiry. */
  dispose(): void {
    this.refreshes.clear();
    this.byIdentity.clear();
    this.byCallId.clear();
  }

  private forget(s: Subscription): void {
    this.refreshes.delete(s);
    if (this.byIdentity.get(aorKey(s.identity)) === s) this.byIdentity.delete(aorKey(s.identity));
    this.byCallId.delete(s.callId);
  }

  private send(s: Subscription, request: SipRequest): void {
    const h = request.headers;
    h.append('Contact', `<${this.options.ownUri}>`);
    h.append('Event', 'reg');
    h.append('Expires', String(s.expires));
    h.append('Accept', REGINFO_CONTENT_TYPE);
    h.append('P-Asserted-Identity', `<${this.options.ownUri}>`);
    h.append('P-Charging-Vector', this.options.chargingVector());
    const user = { onResponse: (response: SipResponse) => this.onResponse(s, request, response) };
    new OutgoingRequest(this.options.outgoing, request, user).start();
  }

  private onResponse(s: Subscription, request: SipRequest, response: SipResponse): void {
    if (response.status < 200 || this.byCallId.get(s.callId) !== s) return;
    const log = this.options.logger;
    if (response.status >= 300) {
      log.warn({ identity: s.identity, status: response.status }, 'reg-event SUBSCRIBE refused');
      this.forget(s);
      return;
    }
    if (!s.dialog) {
      try {
        s.dialog = Dialog.fromUacResponse(request, response);
      } catch (err) {
        log.warn({ err: String(err) }, 'reg-event 2xx without a dialog');
        this.forget(s);
        return;
      }
    } else s.dialog.receiveResponse(request, response);
    // RFC 6665 §4.1.2.1: the 2xx's Expires is the subscription's duration; refresh before it ends.
    const granted = response.expires ?? s.expires;
    if (granted === 0) {
      this.forget(s);
      return;
    }
    const refreshIn = Math.max(1, granted - Math.min(600, Math.floor(granted / 2)));
    this.refreshes.set(s, Date.now() + refreshIn * 1000);
    log.debug({ identity: s.identity, expires: granted }, 'reg-event subscription active');
  }

  /** RFC 6665 §4.1.2.2: a SUBSCRIBE in the dialog refreshes the subscription. */
  private refresh(s: Subscription): void {
    if (!s.dialog) return;
    const request = s.dialog.createRequest('SUBSCRIBE');
    this.send(s, request);
  }
}
