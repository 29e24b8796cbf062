import { createResponse, newTag, type SipRequest, type SipResponse } from '../message/index.ts';
import { InviteServerTransaction, type ServerTransaction } from '../transaction/index.ts';
import { Dialog, DialogRequestError } from './dialog.ts';
import { DialogError } from './errors.ts';
import { ALLOWED_METHODS, hasOptionTag, RACK, readHeader } from './extension-headers.ts';
import { InviteSession, type InviteSessionOptions } from './invite-session.ts';
import { OfferAnswerState } from './offer-answer.ts';
import { ReliableProvisional } from './reliable-provisional.ts';
import { type SessionBody, sessionBodyOf } from './session-body.ts';
import { SessionState } from './session-state.ts';
import type { SessionTimerNegotiation } from './session-timer.ts';
import type { UserAgentCore } from './user-agent-core.ts';

export interface UasSessionOptions extends InviteSessionOptions {
  /**
   * RFC 3262 §3: send provisional responses reliably when the UAC supports 100rel. Default
   * false: reliably only when the UAC requires it.
   */
  reliableProvisional?: boolean;
}

/** A response the application sends to the INVITE. */
export interface ResponseParts {
  reason?: string;
  body?: SessionBody;
  headers?: [string, string][];
}

const { Incoming, Early, Accepted, Confirmed } = SessionState;

/**
 * The callee's side of an INVITE session (RFC 3261 §13.3): provisional responses (reliable
 * ones with RSeq, retransmitted until their PRACK, RFC 3262 §3), the 2xx (retransmitted by
 * the core until the ACK, §13.3.1.4), rejection, CANCEL (§9.2), session timer negotiation
 * (RFC 4028 §9).
 */
export class UasSession extends InviteSession {
  readonly role = 'uas';
  readonly localTag = newTag();
  private negotiation: SessionTimerNegotiation = {
    reject: false,
    headers: [],
    interval: undefined,
    localRefresher: false,
  };
  /** RFC 3262 §3: the first RSeq is random below 2**31; each reliable 1xx takes the next. */
  private rseq = Math.floor(Math.random() * 0x3fff_ffff) + 1;
  private outstanding: ReliableProvisional | undefined;
  /** RFC 3262 §3: a second reliable 1xx waits until the first is acknowledged. */
  private readonly reliableQueue: (() => void)[] = [];
  private readonly waitingPrack = new Set<(prack: SipRequest | undefined) => void>();
  /** A body sent in an unreliable 1xx: a preview of the answer the 2xx repeats (§13.2.1). */
  private earlyAnswer: SessionBody | undefined;
  private ackWaiter: ((ack: SipRequest | undefined) => void) | undefined;

  private constructor(
    core: UserAgentCore,
    readonly invite: SipRequest,
    readonly transaction: InviteServerTransaction,
    private readonly options: UasSessionOptions,
  ) {
    super(core, invite.callId, Incoming, options);
  }

  /** Takes a new INVITE from the core's request handler; it may be rejected at once (state terminated). */
  static receive(
    core: UserAgentCore,
    request: SipRequest,
    transaction: ServerTransaction,
    options: UasSessionOptions = {},
  ): UasSession {
    if (!(transaction instanceof InviteServerTransaction)) {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `not an INVITE server transaction: ${request.method}`);
    }
    const session = new UasSession(core, request, transaction, options);
    session.start();
    return session;
  }

  private start(): void {
    const request = this.invite;
    try {
      // RFC 3261 §12.1.1: the dialog needs the caller's tag and Contact.
      this.dialog = Dialog.fromUasRequest(request, this.localTag);
    } catch (err) {
      if (!(err instanceof DialogRequestError)) throw err;
      this.rejectNow(err.status, { reason: err.reason });
      return;
    }
    this.notePeer(request);
    this.negotiation = this.sessionTimer.negotiate(request);
    if (this.negotiation.reject) {
      // RFC 4028 §9: an interval below our minimum: 422 with our Min-SE.
      this.rejectNow(422, { headers: [['Min-SE', String(this.negotiation.minSE)]] });
      return;
    }
    const body = sessionBodyOf(request);
    if (body) this.offerAnswer.receive(body);
    this.core.watchCancel(this.transaction, {
      toTag: this.localTag,
      onCancelled: () => this.terminate({ reason: 'cancelled' }),
    });
  }

  /** True when the caller announced or required 100rel (RFC 3262 §3). */
  get peerSupports100rel(): boolean {
    return hasOptionTag(this.invite, 'Supported', '100rel') || hasOptionTag(this.invite, 'Require', '100rel');
  }

  /**
   * A provisional response. Sent reliably (RFC 3262 §3) when the caller requires it, or
   * supports it and `reliable` (or the session option) asks; resolves then with the PRACK
   * (undefined when none came), at once otherwise.
   */
  progress(
    status = 180,
    parts: ResponseParts & { reliable?: boolean } = {},
  ): Promise<SipRequest | undefined> {
    if (this.state !== Incoming && this.state !== Early) {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `provisional response in state ${this.state}`);
    }
    if (status < 100 || status > 199)
      throw new DialogError('ERR_SIP_DIALOG_STATE', `not provisional: ${status}`);
    if (status === 100) {
      this.transaction.respond(createResponse(this.invite, 100));
      return Promise.resolve(undefined);
    }
    const required = hasOptionTag(this.invite, 'Require', '100rel');
    const reliable =
      required || (this.peerSupports100rel && (parts.reliable ?? this.options.reliableProvisional ?? false));
    this.enterEarly();
    if (!reliable) {
      if (parts.body && this.offerAnswer.state === OfferAnswerState.RemoteOffer)
        this.earlyAnswer = parts.body;
      this.transaction.respond(this.response(status, parts));
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      this.waitingPrack.add(resolve);
      const send = () => this.sendReliable(status, parts, resolve);
      if (this.outstanding) this.reliableQueue.push(send);
      else send();
    });
  }

  /**
   * The 2xx (RFC 3261 §13.3.1.4), retransmitted by the core until the ACK; resolves with the
   * ACK, or undefined when none came (the session then ended with BYE) or the session ended.
   * RFC 3262 §3: it waits for the PRACK of a reliable 1xx that carried a session description.
   */
  accept(parts: ResponseParts & { status?: number } = {}): Promise<SipRequest | undefined> {
    if (this.state !== Incoming && this.state !== Early) {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `accept in state ${this.state}`);
    }
    const oa = this.offerAnswer.state;
    if (
      (oa === OfferAnswerState.RemoteOffer && !parts.body && !this.earlyAnswer) ||
      (oa === OfferAnswerState.Idle && !parts.body)
    ) {
      // RFC 3261 §13.2.1: the 2xx holds the answer to the INVITE's offer, or the offer itself.
      throw new DialogError('ERR_SIP_OFFER_ANSWER', 'the 2xx needs a session description');
    }
    return new Promise((resolve) => {
      const pending = this.outstanding?.hasBody ? this.outstanding.acknowledged : undefined;
      if (pending === undefined) {
        this.sendAccept(parts, resolve);
        return;
      }
      void pending.then(() => {
        if (this.state !== Incoming && this.state !== Early) {
          resolve(undefined);
          return;
        }
        try {
          this.sendAccept(parts, resolve);
        } catch (err) {
          this.logger.error({ err }, '2xx not sent');
          resolve(undefined);
        }
      });
    });
  }

  /** A final failure response (or a redirection, with its Contact in `headers`). */
  reject(status = 486, parts: ResponseParts = {}): void {
    if (this.state !== Incoming && this.state !== Early) {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `reject in state ${this.state}`);
    }
    this.rejectNow(status, parts);
  }

  end(status = 480): void {
    if (this.state === Incoming || this.state === Early) this.reject(status);
    else if (this.state === Accepted || this.state === Confirmed) this.bye();
  }

  protected override receiveAck(ack: SipRequest): void {
    if (this.state !== Accepted) return;
    this.resolveAck(ack);
    this.confirmed(ack);
  }

  protected override receivePrack(request: SipRequest, transaction: ServerTransaction): void {
    const rack = readHeader(request, RACK);
    const rp = this.outstanding;
    if (rack === undefined || rp === undefined || !rp.matches(rack)) {
      // RFC 3262 §3: "If the PRACK does not match any unacknowledged reliable provisional
      // response, the UAS MUST respond to the PRACK with a 481".
      this.core.reply(transaction, 481);
      return;
    }
    const body = sessionBodyOf(request);
    const oa = this.offerAnswer;
    if (oa.state === OfferAnswerState.LocalOffer) {
      // RFC 3262 §5: an offer in a reliable 1xx is answered in the PRACK.
      if (body) oa.receive(body);
      else oa.rollback();
    }
    this.core.reply(transaction, 200);
    rp.acknowledge(request);
  }

  protected override receiveBye(request: SipRequest, transaction: ServerTransaction): void {
    if (this.state !== Incoming && this.state !== Early) {
      super.receiveBye(request, transaction);
      return;
    }
    // RFC 3261 §15.1.2: a BYE in the early dialog: 200 to it, 487 to the INVITE.
    this.core.reply(transaction, 200);
    this.transaction.respond(createResponse(this.invite, 487, { toTag: this.localTag }));
    this.terminate({ reason: 'remote-bye' });
  }

  protected cleanup(): void {
    this.core.watchCancel(this.transaction, undefined);
    this.reliableQueue.length = 0;
    this.outstanding?.stop();
    this.outstanding = undefined;
    for (const waiter of this.waitingPrack) waiter(undefined);
    this.waitingPrack.clear();
    this.resolveAck(undefined);
  }

  private enterEarly(): void {
    if (this.state !== Incoming || !this.dialog) return;
    // RFC 3261 §12.1.1: the first response with our To tag creates the (early) dialog.
    this.core.addDialog(this.dialog, this);
    this.transition(Early);
  }

  /** A response to the INVITE with our tag; 101-299 carry our Contact (§12.1.1). */
  private response(status: number, parts: ResponseParts, extra: [string, string][] = []): SipResponse {
    const headers: [string, string][] = [];
    if (status > 100 && status < 300) {
      headers.push(['Contact', this.core.contact().toString()], ['Allow', ALLOWED_METHODS]);
    }
    return createResponse(this.invite, status, {
      toTag: this.localTag,
      reason: parts.reason,
      headers: [...headers, ...extra, ...(parts.headers ?? [])],
      body: parts.body?.body,
      contentType: parts.body?.contentType,
    });
  }

  private sendReliable(
    status: number,
    parts: ResponseParts,
    resolve: (prack: SipRequest | undefined) => void,
  ): void {
    if (this.state !== Incoming && this.state !== Early) {
      this.settlePrack(resolve, undefined);
      return;
    }
    if (parts.body) {
      try {
        this.offerAnswer.send(parts.body);
      } catch (err) {
        this.logger.warn({ err: String(err) }, 'reliable provisional response not sent');
        this.settlePrack(resolve, undefined);
        return;
      }
    }
    // RFC 3262 §3: Require: 100rel and an RSeq, one higher for each reliable response.
    const rseq = this.rseq++;
    const response = this.response(status, parts, [
      ['Require', '100rel'],
      ['RSeq', String(rseq)],
    ]);
    const context = { timers: this.core.timers, timerValues: this.core.timerValues, logger: this.logger };
    const rp = new ReliableProvisional(this.transaction, response, rseq, context, () => {
      // RFC 3262 §3: no PRACK in 64*T1: "reject the original request with a 5xx response".
      if (this.state === Incoming || this.state === Early)
        this.rejectNow(500, { reason: 'Provisional Response Not Acknowledged' });
    });
    this.outstanding = rp;
    void rp.acknowledged.then((prack) => {
      if (this.outstanding === rp) this.outstanding = undefined;
      this.settlePrack(resolve, prack);
      this.reliableQueue.shift()?.();
    });
  }

  private settlePrack(resolve: (prack: SipRequest | undefined) => void, prack: SipRequest | undefined): void {
    this.waitingPrack.delete(resolve);
    resolve(prack);
  }

  private sendAccept(
    parts: ResponseParts & { status?: number },
    resolve: (ack: SipRequest | undefined) => void,
  ): void {
    const oa = this.offerAnswer;
    let body = parts.body;
    if (oa.state === OfferAnswerState.RemoteOffer || oa.state === OfferAnswerState.Idle) {
      body ??= this.earlyAnswer;
      if (body) oa.send(body);
    }
    // RFC 3262 §3: retransmissions of unacknowledged reliable 1xx stop with the final response.
    this.reliableQueue.length = 0;
    this.outstanding?.stop();
    this.core.watchCancel(this.transaction, undefined);
    const response = this.response(parts.status ?? 200, { ...parts, body }, [
      ['Supported', this.core.supported.join(', ')],
      ...(this.negotiation.reject ? [] : this.negotiation.headers),
    ]);
    this.enterEarly();
    this.dialog?.confirm();
    this.transition(Accepted);
    this.ackWaiter = resolve;
    this.core.sendInvite2xx(this.transaction, response);
    if (!this.negotiation.reject && this.negotiation.interval !== undefined) {
      this.sessionTimer.activate(this.negotiation.interval, this.negotiation.localRefresher);
    }
  }

  private rejectNow(status: number, parts: ResponseParts): void {
    this.reliableQueue.length = 0;
    this.outstanding?.stop();
    const response = this.response(status, parts);
    this.transaction.respond(response);
    this.offerAnswer.rollback();
    this.terminate({ reason: 'rejected', response });
  }

  private resolveAck(ack: SipRequest | undefined): void {
    const waiter = this.ackWaiter;
    this.ackWaiter = undefined;
    waiter?.(ack);
  }
}
