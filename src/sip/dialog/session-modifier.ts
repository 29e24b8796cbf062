import { createResponse, type SipRequest, type SipResponse } from '../message/index.ts';
import type { InviteServerTransaction, ServerTransaction, TimerHandle } from '../transaction/index.ts';
import { DialogError } from './errors.ts';
import { ALLOWED_METHODS } from './extension-headers.ts';
import type { InviteSession, ModifyOptions, RequestAnswer } from './invite-session.ts';
import { OfferAnswerState } from './offer-answer.ts';
import type { OutgoingRequest } from './outgoing-request.ts';
import { type SessionBody, sessionBodyOf } from './session-body.ts';
import { SessionState } from './session-state.ts';

/** Methods that carry offers and session timer headers (RFC 3311 §5, RFC 4028 §7). */
const MODIFYING = new Set(['INVITE', 'UPDATE']);

/** RFC 3261 §14.1 and RFC 3311 §5.2: Retry-After of a 500 for a request that came too early, 0-10 s. */
function retryAfter(): [string, string] {
  return ['Retry-After', String(Math.floor(Math.random() * 11))];
}

function isFinal(transaction: ServerTransaction): boolean {
  return (transaction.response?.status ?? 0) >= 200;
}

/**
 * Target refresh and session modification in an INVITE session: re-INVITE (RFC 3261 §14) and
 * UPDATE (RFC 3311) in both directions, with the glare rules (491 and the random retry of
 * §14.1, 500 with Retry-After of RFC 3311 §5.2), session timer negotiation on each, and the
 * other requests of the dialog (INFO, OPTIONS ...).
 */
export class SessionModifier {
  /** Our re-INVITE, until its final response (§14.1: one INVITE transaction at a time). */
  private clientInvite: OutgoingRequest | undefined;
  /** The peer's re-INVITE, until its ACK or its failure response. */
  private serverInvite: ServerTransaction | undefined;
  private serverInviteAnswered = false;
  /** Requests waiting for the delegate's answer (answered 487 if a BYE comes first, §15.1.2). */
  private readonly serverPending = new Set<ServerTransaction>();
  /** RFC 3261 §14.1: the timers of 491 retries, with what their promise resolves with if cancelled. */
  private readonly glareRetries = new Map<TimerHandle, () => void>();

  constructor(private readonly session: InviteSession) {}

  /** True when our 2xx to the peer's re-INVITE waits for its ACK. */
  get awaitingAck(): boolean {
    return this.serverInvite !== undefined && this.serverInviteAnswered;
  }

  /** True while an INVITE transaction runs in either direction (§14.1). */
  get inviteInProgress(): boolean {
    return this.clientInvite !== undefined || this.serverInvite !== undefined;
  }

  send(method: string, options: ModifyOptions): Promise<SipResponse> {
    this.check(method, options);
    return new Promise((resolve) => this.attempt(method, options, resolve));
  }

  /** RFC 4028 §10: the refresher's refresh at half the interval, by UPDATE or re-INVITE. */
  refresh(): void {
    const s = this.session;
    if (s.state !== SessionState.Confirmed || this.inviteInProgress || s.offerAnswer.offerPending) return;
    const update = s.sessionTimer.refreshMethod === 'UPDATE' && (s.peerAllows?.includes('update') ?? false);
    // A refreshing re-INVITE offers the session as it is (RFC 4028 §7.4).
    const options: ModifyOptions = update ? {} : { body: s.offerAnswer.local };
    this.send(update ? 'UPDATE' : 'INVITE', options).catch((err: unknown) => {
      this.session.core.logger.info({ err: String(err) }, 'session refresh not sent');
    });
  }

  /** The peer's re-INVITE or UPDATE (RFC 3261 §14.2, RFC 3311 §5.2). */
  receive(request: SipRequest, transaction: ServerTransaction): void {
    this.handle(request, transaction).catch((err: unknown) => {
      this.session.core.logger.error({ err }, 'session modification failed');
      if (!isFinal(transaction)) transaction.respond(createResponse(request, 500));
    });
  }

  /** Other requests of the dialog: the delegate's answer, else 200 to INFO and OPTIONS, 501 otherwise. */
  receiveOther(request: SipRequest, transaction: ServerTransaction): void {
    const s = this.session;
    if (s.state === SessionState.Terminated) {
      s.core.reply(transaction, 481);
      return;
    }
    const known = request.method === 'INFO' || request.method === 'OPTIONS';
    this.serverPending.add(transaction);
    Promise.resolve(s.delegate.onRequest ? s.delegate.onRequest(s, request) : { status: known ? 200 : 501 })
      .then((answer) => {
        if (!isFinal(transaction)) s.respondWith(transaction, answer);
      })
      .catch((err: unknown) => {
        s.core.logger.error({ err }, 'in-dialog request handler failed');
        if (!isFinal(transaction)) s.core.reply(transaction, 500);
      })
      .finally(() => this.serverPending.delete(transaction));
  }

  /** The ACK for our 2xx to a re-INVITE. */
  acked(): void {
    this.serverInvite = undefined;
    this.serverInviteAnswered = false;
  }

  /** No ACK for our 2xx to a re-INVITE (the session then ends with BYE). */
  ackTimedOut(): void {
    this.acked();
  }

  /** RFC 3261 §15.1.2: requests still pending when a BYE arrives get 487. */
  abortIncoming(): void {
    for (const transaction of this.serverPending) {
      if (!isFinal(transaction)) this.session.core.reply(transaction, 487);
    }
    this.serverPending.clear();
    this.acked();
  }

  dispose(): void {
    for (const [timer, giveUp] of this.glareRetries) {
      this.session.core.timers.clearTimeout(timer);
      giveUp();
    }
    this.glareRetries.clear();
  }

  private check(method: string, options: ModifyOptions): void {
    const s = this.session;
    if (s.state === SessionState.Terminated || !s.dialogUsable) {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `${method} in state ${s.state}`);
    }
    if (method === 'INVITE') {
      // RFC 3261 §14.1: re-INVITE only on a confirmed dialog, "MUST NOT initiate a new INVITE
      // transaction within a dialog while another INVITE transaction is in progress in either direction".
      if (s.state !== SessionState.Confirmed)
        throw new DialogError('ERR_SIP_DIALOG_STATE', `re-INVITE in state ${s.state}`);
      if (this.inviteInProgress)
        throw new DialogError('ERR_SIP_REQUEST_PENDING', 'an INVITE transaction is in progress');
    }
    // RFC 3311 §5.1 / RFC 3261 §14.1: no new offer while one is unanswered.
    if (options.body && MODIFYING.has(method) && s.offerAnswer.offerPending) {
      throw new DialogError('ERR_SIP_REQUEST_PENDING', 'an offer is waiting for its answer');
    }
  }

  private attempt(method: string, options: ModifyOptions, resolve: (r: SipResponse) => void): void {
    const s = this.session;
    const dialog = s.dialog!;
    const modifying = MODIFYING.has(method);
    const body: SessionBody | undefined = options.body;
    const request = dialog.createRequest(method, {
      contact: modifying ? s.core.contact() : undefined,
      body: body?.body,
      contentType: body?.contentType,
    });
    if (modifying) {
      request.headers.append('Supported', 'timer');
      request.headers.append('Allow', ALLOWED_METHODS);
      for (const [name, value] of s.sessionTimer.requestHeaders()) request.headers.append(name, value);
    }
    for (const [name, value] of options.headers ?? []) request.headers.append(name, value);
    const offered = body !== undefined && modifying;
    if (offered) s.offerAnswer.send(body);
    const outgoing = s.core.sendRequest(request, {
      onResponse: (response, sent) => {
        if (response.status < 200) return;
        if (sent === this.clientInvite) this.clientInvite = undefined;
        this.completed(method, sent.request, response, offered, options, resolve);
      },
    });
    if (method === 'INVITE') this.clientInvite = outgoing;
  }

  private completed(
    method: string,
    request: SipRequest,
    response: SipResponse,
    offered: boolean,
    options: ModifyOptions,
    resolve: (r: SipResponse) => void,
  ): void {
    const s = this.session;
    const oa = s.offerAnswer;
    const status = response.status;
    if (status >= 200 && status < 300) {
      // A second 2xx (a retransmission the core passed up, or another fork) changes nothing.
      s.dialog?.receiveResponse(request, response);
      const body = sessionBodyOf(response);
      if (offered && oa.state === OfferAnswerState.LocalOffer) {
        if (body) oa.receive(body);
        else oa.rollback();
      } else if (method === 'INVITE' && body && !offered) {
        // RFC 3261 §14.1: a re-INVITE without an offer gets one in the 2xx; the ACK answers.
        oa.receive(body);
      }
      if (MODIFYING.has(method)) s.sessionTimer.onSuccessResponse(response);
      if (method === 'INVITE') {
        s.acknowledge(request, response, false).catch((err: unknown) => {
          s.core.logger.error({ err }, 'ACK not sent');
        });
      }
      resolve(response);
      return;
    }
    if (offered) oa.rollback();
    s.dialog?.receiveResponse(request, response);
    if (
      status === 491 &&
      MODIFYING.has(method) &&
      options.retryOnGlare !== false &&
      s.state !== SessionState.Terminated
    ) {
      this.retryAfterGlare(method, options, response, resolve);
      return;
    }
    if (status === 422 && MODIFYING.has(method) && s.sessionTimer.on422(response)) {
      // RFC 4028 §7.3: retry with the larger interval the 422's Min-SE asks for.
      this.retry(method, options, response, resolve);
      return;
    }
    if (status === 481 || status === 408) {
      // RFC 3261 §12.2.1.2: "If the response for a request within a dialog is a 481 or a 408,
      // the UAC SHOULD terminate the dialog"; §14.1: for a re-INVITE "by sending a BYE".
      if (status === 408) s.sendBye('dialog-gone');
      else s.abandon({ reason: 'dialog-gone', response });
    }
    resolve(response);
  }

  /**
   * RFC 3261 §14.1: after a 491, "If the UAC is the owner of the Call-ID of the dialog ID ...
   * T has a randomly chosen value between 2.1 and 4 seconds in units of 10 ms. If the UAC is not
   * the owner ... between 0 and 2 seconds"; RFC 3311 §5.2 applies the same to UPDATE.
   */
  private retryAfterGlare(
    method: string,
    options: ModifyOptions,
    response: SipResponse,
    resolve: (r: SipResponse) => void,
  ): void {
    const owner = this.session.role === 'uac';
    const tenMs = owner ? 210 + Math.floor(Math.random() * 191) : Math.floor(Math.random() * 201);
    const timers = this.session.core.timers;
    const timer = timers.setTimeout(() => {
      this.glareRetries.delete(timer);
      this.retry(method, options, response, resolve);
    }, tenMs * 10);
    this.glareRetries.set(timer, () => resolve(response));
  }

  private retry(
    method: string,
    options: ModifyOptions,
    response: SipResponse,
    resolve: (r: SipResponse) => void,
  ): void {
    try {
      this.check(method, options);
    } catch {
      // The session moved on (ended, or the peer's request is now in progress): give up.
      resolve(response);
      return;
    }
    this.attempt(method, options, resolve);
  }

  private async handle(request: SipRequest, transaction: ServerTransaction): Promise<void> {
    const s = this.session;
    const oa = s.offerAnswer;
    const isInvite = request.method === 'INVITE';
    if (s.state === SessionState.Terminated) {
      s.core.reply(transaction, 481);
      return;
    }
    if (isInvite) {
      if (this.clientInvite !== undefined || (s.role === 'uac' && s.state !== SessionState.Confirmed)) {
        // RFC 3261 §14.2: "A UAS that receives an INVITE on a dialog while an INVITE it had sent
        // on that dialog is in progress MUST return a 491 (Request Pending)".
        s.core.reply(transaction, 491);
        return;
      }
      if (this.serverInvite !== undefined || s.state !== SessionState.Confirmed) {
        // §14.2: "A UAS that receives a second INVITE before it sends the final response to a
        // first INVITE with a lower CSeq sequence number on the same dialog MUST return a 500".
        s.core.reply(transaction, 500, { headers: [retryAfter()] });
        return;
      }
    }
    const body = sessionBodyOf(request);
    if (body) {
      const kind = oa.classify();
      if (kind === 'answer') {
        // RFC 3311 §5.2: an offer while ours is unanswered is refused with 491.
        s.core.reply(transaction, 491);
        return;
      }
      if (kind === 'invalid') {
        // RFC 3311 §5.2: an offer while we owe an answer: 500 with Retry-After, 0-10 s.
        s.core.reply(transaction, 500, { headers: [retryAfter()] });
        return;
      }
    }
    const negotiation = s.sessionTimer.negotiate(request);
    if (negotiation.reject) {
      // RFC 4028 §9: the interval is smaller than our minimum: 422 with our Min-SE.
      s.core.reply(transaction, 422, { headers: [['Min-SE', String(negotiation.minSE)]] });
      return;
    }
    if (isInvite) {
      this.serverInvite = transaction;
      this.serverInviteAnswered = false;
    }
    if (body) oa.receive(body);
    this.serverPending.add(transaction);
    let answer: RequestAnswer;
    try {
      answer = s.delegate.onModify ? await s.delegate.onModify(s, request) : { status: 200 };
    } finally {
      this.serverPending.delete(transaction);
    }
    if (isFinal(transaction) || s.terminated) return;
    let responseBody: SessionBody | undefined;
    if (answer.status >= 200 && answer.status < 300) {
      if (oa.state === OfferAnswerState.RemoteOffer) {
        responseBody = answer.body ?? (await s.answerFor(oa.pendingOffer!, request));
        if (!responseBody) answer = { status: 488 };
        else oa.send(responseBody);
      } else if (isInvite && !body) {
        // RFC 3261 §14.2: a re-INVITE without an offer: our 2xx holds one, the ACK the answer.
        responseBody = answer.body ?? oa.local;
        if (responseBody) oa.send(responseBody);
      }
    }
    if (answer.status < 200 || answer.status >= 300) {
      if (oa.state === OfferAnswerState.RemoteOffer) oa.rollback();
      if (isInvite) this.acked();
      s.respondWith(transaction, { ...answer, status: Math.max(answer.status, 300) });
      return;
    }
    const response = createResponse(request, answer.status, {
      reason: answer.reason,
      headers: [
        // RFC 3261 §12.1.1 / RFC 3311 §5.2: a 2xx to a target refresh carries our Contact.
        ['Contact', s.core.contact().toString()],
        ['Supported', 'timer'],
        ['Allow', ALLOWED_METHODS],
        ...negotiation.headers,
        ...(answer.headers ?? []),
      ],
      body: responseBody?.body,
      contentType: responseBody?.contentType,
    });
    if (isInvite) {
      this.serverInviteAnswered = true;
      s.core.sendInvite2xx(transaction as InviteServerTransaction, response);
    } else {
      transaction.respond(response);
    }
    // RFC 4028 §10: a successful session refresh restarts the session timer.
    if (negotiation.interval === undefined) s.sessionTimer.deactivate();
    else s.sessionTimer.activate(negotiation.interval, negotiation.localRefresher);
  }
}
