import type { Logger } from '../../log/logger.ts';
import { createResponse, type SipRequest, type SipResponse } from '../message/index.ts';
import type { ServerTransaction } from '../transaction/index.ts';
import { type Dialog, DialogState } from './dialog.ts';
import { DialogError } from './errors.ts';
import { optionTags } from './extension-headers.ts';
import { OfferAnswer, OfferAnswerState } from './offer-answer.ts';
import { type SessionBody, sessionBodyOf } from './session-body.ts';
import { SessionModifier } from './session-modifier.ts';
import { SessionState, type TerminationCause } from './session-state.ts';
import { SessionTimer, type SessionTimerOptions } from './session-timer.ts';
import type { DialogUser, UserAgentCore } from './user-agent-core.ts';

const { Calling, Incoming, Early, Accepted, Confirmed, Terminated } = SessionState;

/** What to answer a request the peer sent in the session. */
export interface RequestAnswer {
  status: number;
  reason?: string;
  body?: SessionBody;
  headers?: [string, string][];
}

/** A re-INVITE, UPDATE or other request we send in the session. */
export interface ModifyOptions {
  body?: SessionBody;
  headers?: [string, string][];
  /** RFC 3261 §14.1: retry after a 491 at the random interval; default true. */
  retryOnGlare?: boolean;
}

/**
 * The application's side of a session. Every method is optional; defaults answer offers with
 * the session's current local description and accept re-INVITEs and UPDATEs.
 */
export interface InviteSessionDelegate {
  /** UAC: a provisional response to the initial INVITE (a reliable one once). */
  onProgress?(session: InviteSession, response: SipResponse): void;
  /** UAC: the 2xx to the initial INVITE, before the ACK. */
  onAccepted?(session: InviteSession, response: SipResponse): void;
  /** The session is confirmed: UAC: the ACK went out; UAS: the ACK came. */
  onConfirmed?(session: InviteSession, ack: SipRequest | undefined): void;
  /** UAS of a re-INVITE: its ACK came. */
  onAck?(session: InviteSession, ack: SipRequest): void;
  onTerminated?(session: InviteSession, cause: TerminationCause): void;
  /** An offer that needs our answer (in a PRACK, an ACK or a 2xx); may wait. */
  createAnswer?(
    session: InviteSession,
    offer: SessionBody,
    message: SipRequest | SipResponse,
  ): SessionBody | Promise<SessionBody>;
  /** UAC: the body of the ACK for a 2xx (only used when the 2xx held an offer); may wait. */
  ackFor?(
    session: InviteSession,
    response: SipResponse,
    initial: boolean,
  ): SessionBody | undefined | Promise<SessionBody | undefined>;
  /** UAC: the body of the PRACK for a reliable 1xx (only used when it held an offer); may wait. */
  prackFor?(
    session: InviteSession,
    response: SipResponse,
  ): SessionBody | undefined | Promise<SessionBody | undefined>;
  /** A re-INVITE or an UPDATE from the peer; default 200 with an answer to its offer. */
  onModify?(session: InviteSession, request: SipRequest): RequestAnswer | Promise<RequestAnswer>;
  /** Another request in the dialog (INFO, MESSAGE, NOTIFY, REFER, OPTIONS); default 200 for INFO and OPTIONS. */
  onRequest?(session: InviteSession, request: SipRequest): RequestAnswer | Promise<RequestAnswer>;
}

export interface InviteSessionOptions {
  delegate?: InviteSessionDelegate;
  sessionTimer?: SessionTimerOptions;
}

/**
 * An INVITE dialog usage (RFC 3261 §12-§15) over one Dialog: state, offer/answer, session
 * timers, BYE, and the requests the peer sends in it. The initial INVITE is the subclasses'
 * (UacSession, UasSession); re-INVITE and UPDATE are the SessionModifier's.
 */
export abstract class InviteSession implements DialogUser {
  abstract readonly role: 'uac' | 'uas';
  delegate: InviteSessionDelegate;
  /** The dialog: the confirmed one, or (early) the one requests go into. */
  dialog: Dialog | undefined;
  readonly offerAnswer = new OfferAnswer();
  readonly sessionTimer: SessionTimer;
  readonly modifier: SessionModifier;
  /** Why the session ended, once it has. */
  cause: TerminationCause | undefined;
  /** Methods the peer allows (its Allow header), lower-cased; undefined when it sent none. */
  peerAllows: string[] | undefined;
  protected readonly logger: Logger;
  /** A BYE asked for while the ACK was outstanding (§15: sent once the ACK is done). */
  protected byePending = false;
  private current: SessionState;

  constructor(
    readonly core: UserAgentCore,
    readonly callId: string,
    initial: SessionState,
    options: InviteSessionOptions,
  ) {
    this.current = initial;
    this.delegate = options.delegate ?? {};
    this.logger = core.logger.child({ callId });
    this.sessionTimer = new SessionTimer(options.sessionTimer ?? {}, core.timers, {
      refresh: () => this.modifier.refresh(),
      expire: () => {
        // RFC 4028 §10: "If the side not performing refreshes does not receive a session
        // refresh request before the session expiration, it SHOULD send a BYE".
        this.logger.info('session expired without refresh');
        this.sendBye('session-expired');
      },
    });
    this.modifier = new SessionModifier(this);
  }

  get state(): SessionState {
    return this.current;
  }

  get terminated(): boolean {
    return this.current === Terminated;
  }

  get localBody(): SessionBody | undefined {
    return this.offerAnswer.local;
  }

  get remoteBody(): SessionBody | undefined {
    return this.offerAnswer.remote;
  }

  /** RFC 3261 §15: ends a confirmed session with BYE (for the callee, once its 2xx is ACKed). */
  bye(): void {
    if (this.current === Terminated) return;
    if (this.current === Accepted) {
      // §15: the callee "MUST NOT send a BYE on a confirmed dialog until it has received an ACK
      // for its 2xx response or until the server transaction times out"; the caller first ACKs.
      this.byePending = true;
      return;
    }
    if (this.current !== Confirmed) {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `BYE in state ${this.current}: use end()`);
    }
    this.sendBye('local-bye');
  }

  /** Ends the session whatever its state: CANCEL, rejection or BYE as fits. */
  abstract end(status?: number): void;

  /** Re-INVITE (RFC 3261 §14.1): resolves with the final response of the last attempt. */
  reinvite(options: ModifyOptions = {}): Promise<SipResponse> {
    return this.modifier.send('INVITE', options);
  }

  /** UPDATE (RFC 3311 §5.1): resolves with the final response of the last attempt. */
  update(options: ModifyOptions = {}): Promise<SipResponse> {
    return this.modifier.send('UPDATE', options);
  }

  /** Another request in the dialog (INFO, MESSAGE, NOTIFY, REFER, OPTIONS). */
  request(method: string, options: ModifyOptions = {}): Promise<SipResponse> {
    return this.modifier.send(method, options);
  }

  /** Stops every timer without sending anything (shutdown). */
  dispose(): void {
    this.terminate({ reason: 'disposed' });
  }

  /** Ends the session without sending anything (the dialog is gone, RFC 3261 §12.2.1.2). */
  abandon(cause: TerminationCause): void {
    this.terminate(cause);
  }

  // ---- DialogUser ----

  onDialogRequest(request: SipRequest, transaction: ServerTransaction): void {
    switch (request.method) {
      case 'BYE':
        this.receiveBye(request, transaction);
        return;
      case 'INVITE':
      case 'UPDATE':
        this.modifier.receive(request, transaction);
        return;
      case 'PRACK':
        this.receivePrack(request, transaction);
        return;
      default:
        this.modifier.receiveOther(request, transaction);
    }
  }

  onAck(ack: SipRequest): void {
    const body = sessionBodyOf(ack);
    if (this.offerAnswer.state === OfferAnswerState.LocalOffer) {
      // RFC 3261 §13.2.1: an offer in the 2xx is answered in the ACK.
      if (body) this.offerAnswer.receive(body);
      else this.offerAnswer.rollback();
    }
    if (this.modifier.awaitingAck) {
      this.modifier.acked();
      this.delegate.onAck?.(this, ack);
      return;
    }
    this.receiveAck(ack);
  }

  onAckTimeout(_response: SipResponse): void {
    // RFC 3261 §13.3.1.4: no ACK: "the session SHOULD be terminated ... with a BYE".
    this.logger.info('no ACK for our 2xx');
    this.modifier.ackTimedOut();
    if (this.current === Accepted) this.transition(Confirmed);
    if (this.current === Confirmed) this.sendBye('no-ack');
  }

  // ---- for the subclasses and the modifier ----

  /** The ACK for our 2xx to the initial INVITE (a UAS session's). */
  protected receiveAck(_ack: SipRequest): void {}

  /** A PRACK (RFC 3262): only a UAS session has reliable provisional responses to match. */
  protected receivePrack(_request: SipRequest, transaction: ServerTransaction): void {
    // RFC 3262 §3: a PRACK matching no unacknowledged reliable provisional response gets a 481.
    this.core.reply(transaction, 481);
  }

  /** RFC 3261 §15.1.2: BYE answered 200; pending requests of the dialog get 487. */
  protected receiveBye(_request: SipRequest, transaction: ServerTransaction): void {
    this.core.reply(transaction, 200);
    if (this.current === Terminated) return;
    this.modifier.abortIncoming();
    this.terminate({ reason: 'remote-bye' });
  }

  /** Records the peer's Allow header (RFC 3261 §20.5), to pick UPDATE or re-INVITE. */
  protected notePeer(message: SipRequest | SipResponse): void {
    if (message.headers.has('Allow')) this.peerAllows = optionTags(message, 'Allow');
  }

  /** The answer to an offer: the delegate's, else our current local description. */
  async answerFor(offer: SessionBody, message: SipRequest | SipResponse): Promise<SessionBody | undefined> {
    if (this.delegate.createAnswer) return this.delegate.createAnswer(this, offer, message);
    return this.offerAnswer.local;
  }

  /**
   * RFC 3261 §13.2.2.4: the ACK for a 2xx to an INVITE of ours, with the answer when the 2xx
   * held an offer (§13.2.1), from the delegate's ackFor or createAnswer.
   */
  async acknowledge(invite: SipRequest, response: SipResponse, initial: boolean): Promise<void> {
    const dialog = this.dialog;
    if (!dialog) return;
    const needsAnswer = this.offerAnswer.state === OfferAnswerState.RemoteOffer;
    let body: SessionBody | undefined;
    try {
      if (this.delegate.ackFor) body = await this.delegate.ackFor(this, response, initial);
      else if (needsAnswer && this.offerAnswer.pendingOffer) {
        body = await this.answerFor(this.offerAnswer.pendingOffer, response);
      }
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'no body for the ACK');
    }
    const answering = needsAnswer && this.offerAnswer.state === OfferAnswerState.RemoteOffer;
    if (answering && body) this.offerAnswer.send(body);
    else if (answering) this.offerAnswer.rollback();
    this.core.sendAck(dialog, invite, answering ? body : undefined);
  }

  /** Sends BYE on the session's dialog and ends the session (RFC 3261 §15.1.1). */
  sendBye(reason: TerminationCause['reason']): void {
    const dialog = this.dialog;
    if (this.current === Terminated || !dialog) {
      this.terminate({ reason });
      return;
    }
    const bye = dialog.createRequest('BYE');
    // §15.1.1: the dialog stays known until the BYE's final response (or its timeout).
    this.core.sendRequest(bye, {
      onResponse: (response) => {
        if (response.status >= 200) this.core.removeDialog(dialog);
      },
    });
    this.terminate({ reason }, false);
  }

  /** The one checked state change of a session. */
  protected transition(to: SessionState): void {
    const allowed: Record<SessionState, SessionState[]> = {
      [Calling]: [Early, Accepted, Terminated],
      [Incoming]: [Early, Accepted, Terminated],
      [Early]: [Calling, Early, Accepted, Terminated],
      [Accepted]: [Confirmed, Terminated],
      [Confirmed]: [Terminated],
      [Terminated]: [],
    };
    if (!allowed[this.current].includes(to)) {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `session ${this.callId}: ${this.current} -> ${to}`);
    }
    this.logger.debug({ from: this.current, to }, 'session state');
    this.current = to;
  }

  /**
   * Ends the session: timers stopped, the dialog forgotten by the core (unless a BYE is still
   * in flight), the delegate told once.
   */
  protected terminate(cause: TerminationCause, forgetDialog = true): void {
    if (this.current === Terminated) return;
    this.transition(Terminated);
    this.cause = cause;
    this.sessionTimer.dispose();
    this.modifier.dispose();
    if (this.dialog) {
      this.dialog.terminate();
      if (forgetDialog) this.core.removeDialog(this.dialog);
    }
    this.cleanup();
    this.delegate.onTerminated?.(this, cause);
  }

  /** Subclass resources (reliable provisional timers, pending INVITE) released on termination. */
  protected abstract cleanup(): void;

  /** Answers a request with an answer from the delegate (status, body, headers). */
  respondWith(
    transaction: ServerTransaction,
    answer: RequestAnswer,
    extra: [string, string][] = [],
  ): SipResponse {
    const response = createResponse(transaction.request, answer.status, {
      reason: answer.reason,
      headers: [...extra, ...(answer.headers ?? [])],
      body: answer.body?.body,
      contentType: answer.body?.contentType,
    });
    transaction.respond(response);
    return response;
  }

  /** True while the dialog can carry requests (early or confirmed, not terminated). */
  get dialogUsable(): boolean {
    return this.dialog !== undefined && this.dialog.state !== DialogState.Terminated;
  }

  /** Moves to Confirmed, tells the delegate, and sends a BYE asked for meanwhile. */
  protected confirmed(ack: SipRequest | undefined): void {
    this.transition(Confirmed);
    this.delegate.onConfirmed?.(this, ack);
    if (this.byePending && this.state === Confirmed) {
      this.byePending = false;
      this.sendBye('local-bye');
    }
  }
}
