import {
  Headers,
  type NameAddr,
  newTag,
  parseNameAddr,
  parseUri,
  SipRequest,
  type SipResponse,
  type Uri,
} from '../message/index.ts';
import { randomText } from '../message/random-text.ts';
import type { Destination } from '../transport/types.ts';
import { Dialog, DialogState } from './dialog.ts';
import { ALLOWED_METHODS, rseqOf } from './extension-headers.ts';
import { InviteSession, type InviteSessionOptions } from './invite-session.ts';
import { OfferAnswerState } from './offer-answer.ts';
import type { OutgoingRequest } from './outgoing-request.ts';
import { type SessionBody, sessionBodyOf } from './session-body.ts';
import { SessionState } from './session-state.ts';
import type { UserAgentCore } from './user-agent-core.ts';

/** A Call-ID: RFC 3261 §8.1.1.4, globally unique over space and time (128 random bits). */
export function newCallId(): string {
  return randomText(16, 'base64url');
}

export interface UacInviteOptions extends InviteSessionOptions {
  /** The callee: To header (name-addr or addr-spec text, or a NameAddr). */
  to: string | NameAddr;
  /** The caller: From header; a tag is added. */
  from: string | NameAddr;
  /** Request-URI; the To URI by default. */
  requestUri?: string | Uri;
  callId?: string;
  /** A pre-existing route set (RFC 3261 §8.1.2), e.g. an outbound proxy: Route values. */
  routes?: string[];
  /** The offer (RFC 3261 §13.2.1); without one, the callee offers in its reliable 1xx or 2xx. */
  body?: SessionBody;
  headers?: [string, string][];
  /** An explicit next hop instead of RFC 3263 resolution. */
  destination?: Destination;
  /** RFC 3262 §4: announce (default), require or leave out 100rel. */
  reliableProvisional?: 'supported' | 'required' | 'none';
}

/** One early dialog of a (possibly forked) INVITE and its PRACK bookkeeping (RFC 3262 §4). */
interface EarlyLeg {
  dialog: Dialog;
  /** The RSeq of the last reliable provisional response acknowledged in this dialog. */
  lastRSeq: number | undefined;
  /** PRACKs go out one after another, in RSeq order. */
  chain: Promise<void>;
}

const { Calling, Early, Accepted, Confirmed } = SessionState;

/**
 * The caller's side of an INVITE session (RFC 3261 §13.2): the initial INVITE, early dialogs
 * of forked 1xx, PRACK for reliable provisional responses (RFC 3262 §4), the 2xx with its ACK
 * and the BYE of extra forks (§13.2.2.4), 422 retries (RFC 4028 §7.3), CANCEL (§9.1).
 */
export class UacSession extends InviteSession {
  readonly role = 'uac';
  /** The INVITE as last sent. */
  invite: SipRequest;
  private outgoing: OutgoingRequest | undefined;
  private readonly early = new Map<string, EarlyLeg>();
  private readonly initialOffer: SessionBody | undefined;
  /** The early dialog whose reliable 1xx bodies are in the offer/answer state. */
  private offerAnswerLeg: string | undefined;
  /** A session description in an unreliable 1xx: a preview of the answer (RFC 3261 §13.2.1). */
  private earlyRemote: SessionBody | undefined;
  private cancelRequested = false;
  private retries422 = 0;
  /** RFC 3261 §8.1.1.3: our From tag, kept across 422 retries. */
  private readonly fromTag = newTag();

  private constructor(
    core: UserAgentCore,
    private readonly options: UacInviteOptions,
  ) {
    super(core, options.callId ?? newCallId(), Calling, options);
    this.initialOffer = options.body;
    this.invite = this.buildInvite(Math.floor(Math.random() * 0x7fff_ffff) + 1);
  }

  /** Sends an INVITE and returns its session. */
  static invite(core: UserAgentCore, options: UacInviteOptions): UacSession {
    const session = new UacSession(core, options);
    if (session.initialOffer) session.offerAnswer.send(session.initialOffer);
    session.send();
    return session;
  }

  /** RFC 3261 §9.1: cancels the INVITE while no final response has come. */
  cancel(reason?: string): void {
    if (this.state !== Calling && this.state !== Early) return;
    this.cancelRequested = true;
    this.outgoing?.cancel(reason);
  }

  end(): void {
    if (this.state === Calling || this.state === Early) this.cancel();
    else if (this.state === Accepted || this.state === Confirmed) this.bye();
  }

  protected cleanup(): void {
    this.outgoing?.dispose();
    for (const leg of this.early.values()) {
      leg.dialog.terminate();
      this.core.removeDialog(leg.dialog);
    }
    this.early.clear();
  }

  /** RFC 3261 §8.1.1: the INVITE's header fields, built again for a 422 retry with a new CSeq. */
  private buildInvite(seq: number): SipRequest {
    const o = this.options;
    const from = typeof o.from === 'string' ? parseNameAddr(o.from, 'From') : o.from;
    const to = typeof o.to === 'string' ? parseNameAddr(o.to, 'To') : o.to;
    // §8.1.1.3: a new From tag; §8.1.1.2: no To tag outside a dialog.
    from.tag = this.fromTag;
    to.tag = undefined;
    const uri =
      o.requestUri === undefined
        ? to.uri
        : typeof o.requestUri === 'string'
          ? parseUri(o.requestUri)
          : o.requestUri;
    const headers = new Headers();
    headers.append('Max-Forwards', '70');
    for (const route of o.routes ?? []) headers.append('Route', route);
    headers.append('From', from.toString());
    headers.append('To', to.toString());
    headers.append('Call-ID', this.callId);
    headers.append('CSeq', `${seq} INVITE`);
    headers.append('Contact', this.core.contact().toString());
    const rel = o.reliableProvisional ?? 'supported';
    const supported = this.core.supported.filter((t) => rel !== 'none' || t !== '100rel');
    if (supported.length > 0) headers.append('Supported', supported.join(', '));
    if (rel === 'required') headers.append('Require', '100rel');
    headers.append('Allow', ALLOWED_METHODS);
    for (const [name, value] of this.sessionTimer.requestHeaders()) headers.append(name, value);
    for (const [name, value] of o.headers ?? []) headers.append(name, value);
    if (this.initialOffer) headers.append('Content-Type', this.initialOffer.contentType);
    return new SipRequest('INVITE', uri, headers, this.initialOffer?.body);
  }

  private send(): void {
    this.outgoing = this.core.sendRequest(
      this.invite,
      { onResponse: (response, outgoing) => this.onInviteResponse(response, outgoing) },
      this.options.destination,
    );
  }

  private onInviteResponse(response: SipResponse, outgoing: OutgoingRequest): void {
    if (outgoing !== this.outgoing) return;
    const status = response.status;
    if (status < 200) this.provisional(response, outgoing.request);
    else if (status < 300) this.success(response, outgoing.request);
    else this.failure(response);
  }

  private provisional(response: SipResponse, sent: SipRequest): void {
    if (this.state !== Calling && this.state !== Early) return;
    const tag = response.to.tag;
    if (response.status === 100 || tag === undefined) {
      if (response.status > 100) this.delegate.onProgress?.(this, response);
      return;
    }
    let leg = this.early.get(tag);
    if (leg === undefined) {
      // RFC 3261 §12.1.2: a provisional response with a To tag creates an early dialog.
      const dialog = Dialog.fromUacResponse(sent, response);
      leg = { dialog, lastRSeq: undefined, chain: Promise.resolve() };
      this.early.set(tag, leg);
      this.core.addDialog(dialog, this);
      this.dialog ??= dialog;
      if (this.state === Calling) this.transition(Early);
    }
    this.notePeer(response);
    const rseq = rseqOf(response);
    if (rseq === undefined || this.options.reliableProvisional === 'none') {
      const body = sessionBodyOf(response);
      if (body) this.earlyRemote = body;
      this.delegate.onProgress?.(this, response);
      return;
    }
    // RFC 3262 §4: a retransmission (RSeq not above the last) is not passed up; one that is not
    // the next in sequence is discarded; the first one sets the sequence.
    if (leg.lastRSeq !== undefined && rseq !== leg.lastRSeq + 1) return;
    leg.lastRSeq = rseq;
    const offerInIt = this.recordReliableBody(tag, response);
    this.delegate.onProgress?.(this, response);
    const current = leg;
    current.chain = current.chain
      .then(() => this.sendPrack(current, response, rseq, sent, offerInIt))
      .catch((err: unknown) => this.logger.error({ err }, 'PRACK not sent'));
  }

  /** RFC 3262 §5: a body in a reliable 1xx is the answer to our offer, or the callee's offer. */
  private recordReliableBody(tag: string, response: SipResponse): boolean {
    const body = sessionBodyOf(response);
    if (!body) return false;
    // DEVIATION: one offer/answer state per session: bodies of a second fork's reliable 1xx
    // are passed up but not recorded (the fork answering first owns it until a 2xx says otherwise).
    if (this.offerAnswerLeg !== undefined && this.offerAnswerLeg !== tag) return false;
    const oa = this.offerAnswer;
    if (oa.state === OfferAnswerState.RemoteOffer) return false;
    this.offerAnswerLeg = tag;
    return oa.receive(body) === 'offer';
  }

  /** RFC 3262 §4, §7.2: the PRACK, in the early dialog, with RAck naming the 1xx. */
  private async sendPrack(
    leg: EarlyLeg,
    response: SipResponse,
    rseq: number,
    invite: SipRequest,
    offerInIt: boolean,
  ): Promise<void> {
    let body: SessionBody | undefined;
    try {
      if (this.delegate.prackFor) body = await this.delegate.prackFor(this, response);
      else if (offerInIt && this.offerAnswer.pendingOffer) {
        body = await this.answerFor(this.offerAnswer.pendingOffer, response);
      }
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'no body for the PRACK');
    }
    if (this.terminated || leg.dialog.state === DialogState.Terminated) return;
    const answering = offerInIt && this.offerAnswer.state === OfferAnswerState.RemoteOffer;
    if (answering && body) this.offerAnswer.send(body);
    else if (answering) this.offerAnswer.rollback();
    // RFC 3262 §4: "the UAC MUST NOT ... include an offer in the PRACK" unless the 1xx completed
    // an exchange; this layer only answers.
    const prackBody = answering ? body : undefined;
    const prack = leg.dialog.createRequest('PRACK', {
      body: prackBody?.body,
      contentType: prackBody?.contentType,
    });
    prack.headers.append('RAck', `${rseq} ${invite.cseq.seq} INVITE`);
    this.core.sendRequest(prack, { onResponse: () => {} });
  }

  private success(response: SipResponse, sent: SipRequest): void {
    const tag = response.to.tag ?? '';
    const active = this.state === Calling || this.state === Early;
    if (!active) {
      // RFC 3261 §13.2.2.4: every 2xx is ACKed; a dialog not wanted (another fork, or one
      // answered after the session ended) is then ended with BYE.
      if (this.dialog?.id.remoteTag !== tag) this.ackAndBye(response, sent);
      return;
    }
    const leg = this.early.get(tag);
    const dialog = leg?.dialog ?? Dialog.fromUacResponse(sent, response);
    dialog.confirm(response);
    if (leg === undefined) this.core.addDialog(dialog, this);
    for (const other of this.early.values()) {
      if (other.dialog === dialog) continue;
      other.dialog.terminate();
      this.core.removeDialog(other.dialog);
    }
    this.early.clear();
    this.dialog = dialog;
    this.notePeer(response);
    this.recordAnswer(tag, response);
    this.sessionTimer.onSuccessResponse(response);
    // §9.1: the 2xx crossed our CANCEL: the call is up and is ended at once.
    if (this.cancelRequested) this.byePending = true;
    this.transition(Accepted);
    this.delegate.onAccepted?.(this, response);
    this.acknowledge(sent, response, true)
      .catch((err: unknown) => this.logger.error({ err }, 'ACK not sent'))
      .then(() => {
        if (this.state === Accepted) this.confirmed(undefined);
      });
  }

  /** RFC 3261 §13.2.1: the 2xx answers our offer, or offers when we made none. */
  private recordAnswer(tag: string, response: SipResponse): void {
    const oa = this.offerAnswer;
    if (this.offerAnswerLeg !== undefined && this.offerAnswerLeg !== tag) oa.restart(this.initialOffer);
    const body = sessionBodyOf(response);
    if (oa.state === OfferAnswerState.LocalOffer) {
      const answer = body ?? this.earlyRemote;
      if (answer) oa.receive(answer);
      else oa.rollback();
    } else if (body && oa.state === OfferAnswerState.Idle) {
      oa.receive(body);
    }
  }

  private ackAndBye(response: SipResponse, sent: SipRequest): void {
    const extra = Dialog.fromUacResponse(sent, response);
    this.core.sendAck(extra, sent);
    this.core.sendRequest(extra.createRequest('BYE'), { onResponse: () => {} });
  }

  private failure(response: SipResponse): void {
    if (this.state !== Calling && this.state !== Early) return;
    if (
      response.status === 422 &&
      !this.cancelRequested &&
      this.retries422 < 2 &&
      this.sessionTimer.on422(response)
    ) {
      // RFC 4028 §7.3: a new INVITE (same dialog identifiers, higher CSeq) asking for Min-SE.
      this.retries422++;
      this.cleanup();
      if (this.state === Early) this.transition(Calling);
      this.dialog = undefined;
      this.invite = this.buildInvite(this.invite.cseq.seq + 1);
      this.send();
      return;
    }
    const cancelled = this.cancelRequested && response.status === 487;
    this.terminate({ reason: cancelled ? 'cancelled' : 'rejected', response });
  }
}
