import { NameAddr, type SipRequest, type SipResponse } from '../message/index.ts';
import type { ServerTransaction } from '../transaction/index.ts';
import type {
  B2bua,
  BLegRequest,
  RejectDecision,
  RelayDirection,
  RelayedRequest,
  RelayedResponse,
} from './b2bua.ts';
import { DEFAULT_COPIED_HEADERS, DEFAULT_COPIED_RESPONSE_HEADERS } from './b2bua.ts';
import { DialogError } from './errors.ts';
import { rseqOf } from './extension-headers.ts';
import type { InviteSession, InviteSessionDelegate, RequestAnswer } from './invite-session.ts';
import { OfferAnswerState } from './offer-answer.ts';
import { type SessionBody, sessionBodyOf } from './session-body.ts';
import { SessionState, type TerminationCause } from './session-state.ts';
import { UacSession } from './uac-session.ts';
import { UasSession } from './uas-session.ts';

/** Where a B2BUA call stands. */
export enum B2buaCallState {
  /** The route hook decides about the B leg. */
  Routing = 'routing',
  /** The B leg's INVITE is out. */
  Calling = 'calling',
  /** B answered; the 2xx was relayed to A. */
  Answered = 'answered',
  Ended = 'ended',
}

const { Routing, Calling, Answered, Ended } = B2buaCallState;

function copyHeaders(message: SipRequest | SipResponse, names: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const name of names) for (const f of message.headers.fieldsOf(name)) out.push([f.name, f.value]);
  return out;
}

/** Any body of a request relayed as is (INFO payloads are not session descriptions). */
function rawBody(message: SipRequest | SipResponse): SessionBody | undefined {
  const contentType = message.headers.get('Content-Type');
  return message.body.length > 0 && contentType ? { body: message.body, contentType } : undefined;
}

/**
 * One call through the B2BUA: the A leg (UasSession) and the B leg (UacSession) linked.
 * Provisional and final responses, ACK, PRACK (end to end when A supports 100rel), re-INVITE,
 * UPDATE, INFO, BYE and CANCEL are relayed; the hooks see and may change each.
 *
 * DEVIATION: the early dialogs of a forked B leg all map onto the one early dialog of the A
 * leg (A sees one To tag), as a B2BUA cannot create several dialogs with one server transaction.
 * DEVIATION: an offer in A's PRACK (RFC 3262 §5, rare) is answered by the A leg itself, not
 * relayed; only answers ride end to end in PRACK and ACK.
 */
export class B2buaCall {
  readonly a: UasSession;
  b: UacSession | undefined;
  private current: B2buaCallState = Routing;
  private attempts = 0;
  /**
   * A leg's re-INVITE relayed to the other: its ACK (with an answer) waits for the ACK the
   * originating side sends, keyed by the session that waits.
   */
  private readonly ackWaiters = new Map<InviteSession, ((ack: SipRequest | undefined) => void)[]>();
  /** Legs whose re-INVITE was sent to relay one from the other leg. */
  private readonly relaying = new Set<InviteSession>();

  constructor(
    private readonly b2bua: B2bua,
    readonly request: SipRequest,
    transaction: ServerTransaction,
    private readonly onEnded: () => void,
  ) {
    this.a = UasSession.receive(b2bua.core, request, transaction, {
      sessionTimer: b2bua.options.aLegSessionTimer,
      delegate: this.aDelegate(),
    });
  }

  get state(): B2buaCallState {
    return this.current;
  }

  start(): void {
    if (this.a.terminated) {
      this.finish();
      return;
    }
    const r = this.request;
    const to = new NameAddr(r.to.uriText, r.to.displayName, new Map(r.to.params));
    to.tag = undefined;
    const from = new NameAddr(r.from.uriText, r.from.displayName, new Map(r.from.params));
    from.tag = undefined;
    const initial: BLegRequest = {
      requestUri: r.uri,
      from,
      to,
      headers: copyHeaders(r, this.b2bua.options.copyHeaders ?? DEFAULT_COPIED_HEADERS),
      body: sessionBodyOf(r),
      routes: [],
    };
    const hook = this.b2bua.options.hooks?.route;
    Promise.resolve(hook ? hook(r, initial, this) : initial)
      .then(
        (decision) => this.routed(decision),
        (err: unknown) => {
          this.b2bua.core.logger.error({ err }, 'B2BUA route hook failed');
          this.routed({ reject: 500 });
        },
      )
      .catch((err: unknown) => {
        this.b2bua.core.logger.error({ err }, 'B leg not placed');
        if (this.aEarly()) this.a.reject(500);
        this.finish();
      });
  }

  /** Ends both legs (BYE, CANCEL or rejection as fits). */
  end(): void {
    this.a.end(480);
    this.b?.end();
  }

  private transition(to: B2buaCallState): void {
    const allowed: Record<B2buaCallState, B2buaCallState[]> = {
      [Routing]: [Calling, Ended],
      [Calling]: [Calling, Answered, Ended],
      [Answered]: [Ended],
      [Ended]: [],
    };
    if (!allowed[this.current].includes(to)) {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `B2BUA call: ${this.current} -> ${to}`);
    }
    this.current = to;
  }

  private routed(decision: BLegRequest | RejectDecision): void {
    if (this.a.terminated) {
      this.finish();
      return;
    }
    if ('reject' in decision) {
      this.a.reject(decision.reject, { reason: decision.reason, headers: decision.headers });
      return;
    }
    this.placeBLeg(decision);
  }

  private placeBLeg(request: BLegRequest): void {
    this.attempts++;
    if (this.current !== Calling) this.transition(Calling);
    this.b = UacSession.invite(this.b2bua.core, {
      to: request.to,
      from: request.from,
      requestUri: request.requestUri,
      routes: request.routes,
      body: request.body,
      headers: request.headers,
      destination: request.destination,
      // RFC 3262 end to end: the B leg offers 100rel only when A did.
      reliableProvisional: this.a.peerSupports100rel ? 'supported' : 'none',
      sessionTimer: this.b2bua.options.bLegSessionTimer,
      delegate: this.bDelegate(),
    });
  }

  private relayResponse(response: SipResponse): RelayedResponse {
    const relay: RelayedResponse = {
      status: response.status,
      reason: response.reason,
      headers: copyHeaders(
        response,
        this.b2bua.options.copyResponseHeaders ?? DEFAULT_COPIED_RESPONSE_HEADERS,
      ),
      body: sessionBodyOf(response),
    };
    return this.b2bua.options.hooks?.response?.(response, relay, this) ?? relay;
  }

  /** Whether B's 1xx goes to A reliably: it was reliable and A supports 100rel (RFC 3262). */
  private relaysReliably(response: SipResponse): boolean {
    return rseqOf(response) !== undefined && this.a.peerSupports100rel;
  }

  private aEarly(): boolean {
    return this.a.state === SessionState.Incoming || this.a.state === SessionState.Early;
  }

  private bDelegate(): InviteSessionDelegate {
    return {
      onProgress: (_b, response) => {
        if (this.relaysReliably(response) || !this.aEarly()) return;
        const r = this.relayResponse(response);
        void this.a.progress(r.status, {
          reason: r.reason,
          headers: r.headers,
          body: r.body,
          reliable: false,
        });
      },
      prackFor: async (_b, response) => {
        if (!this.relaysReliably(response) || !this.aEarly()) return undefined;
        const r = this.relayResponse(response);
        const prack = await this.a.progress(r.status, {
          reason: r.reason,
          headers: r.headers,
          body: r.body,
          reliable: true,
        });
        return prack ? sessionBodyOf(prack) : undefined;
      },
      ackFor: (b, response, initial) => (initial ? this.answerA(response) : this.ackBody(b)),
      onModify: (b, request) => this.relayModify(b, request),
      onRequest: (b, request) => this.relayOther(b, request),
      onAck: (b, ack) => this.releaseAck(b, ack),
      onTerminated: (b, cause) => this.bEnded(b, cause),
    };
  }

  private aDelegate(): InviteSessionDelegate {
    return {
      ackFor: (a) => this.ackBody(a),
      onModify: (a, request) => this.relayModify(a, request),
      onRequest: (a, request) => this.relayOther(a, request),
      onAck: (a, ack) => this.releaseAck(a, ack),
      onTerminated: () => this.aEnded(),
    };
  }

  /** B's 2xx goes to A; the ACK to B carries what A's ACK carried (end to end, RFC 3261 §13.2.2.4). */
  private async answerA(response: SipResponse): Promise<SessionBody | undefined> {
    if (!this.aEarly()) return undefined;
    const r = this.relayResponse(response);
    let ack: SipRequest | undefined;
    try {
      const accepted = this.a.accept({
        status: r.status,
        reason: r.reason,
        headers: r.headers,
        body: r.body,
      });
      if (this.current === Calling) this.transition(Answered);
      ack = await accepted;
    } catch (err) {
      this.b2bua.core.logger.warn({ err: String(err) }, 'B answer not relayed to A');
      return undefined;
    }
    return ack ? sessionBodyOf(ack) : undefined;
  }

  /** The body of a re-INVITE's ACK: the other leg's ACK body when its re-INVITE was relayed. */
  private ackBody(session: InviteSession): Promise<SessionBody | undefined> | SessionBody | undefined {
    if (session.offerAnswer.state !== OfferAnswerState.RemoteOffer) return undefined;
    if (!this.relaying.has(session)) return session.localBody;
    return new Promise((resolve) => {
      const list = this.ackWaiters.get(session) ?? [];
      list.push((ack) => resolve(ack ? sessionBodyOf(ack) : undefined));
      this.ackWaiters.set(session, list);
    });
  }

  /** An ACK from one leg's peer releases the ACK the other leg waits to send. */
  private releaseAck(from: InviteSession, ack: SipRequest | undefined): void {
    const other = this.other(from);
    if (!other) return;
    const waiter = this.ackWaiters.get(other)?.shift();
    waiter?.(ack);
  }

  private other(session: InviteSession): InviteSession | undefined {
    return session === this.a ? this.b : this.a;
  }

  private direction(from: InviteSession): RelayDirection {
    return from === this.a ? 'a-to-b' : 'b-to-a';
  }

  /** A re-INVITE or UPDATE from one leg, sent on the other; its final response relayed back. */
  private async relayModify(from: InviteSession, request: SipRequest): Promise<RequestAnswer> {
    const to = this.other(from);
    if (!to || to.terminated || !to.dialogUsable) return { status: 491 };
    let relay: RelayedRequest = { headers: [], body: sessionBodyOf(request) };
    relay = this.b2bua.options.hooks?.request?.(request, relay, this.direction(from), this) ?? relay;
    const options = { body: relay.body, headers: relay.headers, retryOnGlare: false };
    try {
      if (request.method === 'INVITE') {
        this.relaying.add(to);
        return this.answerOf(await to.reinvite(options));
      }
      return this.answerOf(await to.update(options));
    } catch (err) {
      // §14.1 glare across the B2BUA: the other leg has its own transaction in progress.
      if (err instanceof DialogError && err.code === 'ERR_SIP_REQUEST_PENDING') return { status: 491 };
      this.b2bua.core.logger.warn({ err: String(err) }, 'in-dialog request not relayed');
      return { status: 500 };
    } finally {
      this.relaying.delete(to);
    }
  }

  /** INFO, MESSAGE, NOTIFY ... relayed with their body as is. */
  private async relayOther(from: InviteSession, request: SipRequest): Promise<RequestAnswer> {
    const to = this.other(from);
    if (!to || to.terminated || !to.dialogUsable) return { status: 481 };
    let relay: RelayedRequest = { headers: [], body: rawBody(request) };
    relay = this.b2bua.options.hooks?.request?.(request, relay, this.direction(from), this) ?? relay;
    try {
      const response = await to.request(request.method, { body: relay.body, headers: relay.headers });
      return { status: response.status, reason: response.reason, body: rawBody(response) };
    } catch {
      return { status: 500 };
    }
  }

  private answerOf(response: SipResponse): RequestAnswer {
    return {
      status: response.status,
      reason: response.reason,
      body: sessionBodyOf(response),
      headers: copyHeaders(
        response,
        this.b2bua.options.copyResponseHeaders ?? DEFAULT_COPIED_RESPONSE_HEADERS,
      ),
    };
  }

  private aEnded(): void {
    this.flushAckWaiters();
    // RFC 3261 §9 and §15: A's CANCEL or BYE ends B the matching way (CANCEL before the 2xx).
    this.b?.end();
    this.finish();
  }

  private bEnded(b: InviteSession, cause: TerminationCause): void {
    this.flushAckWaiters();
    if (b !== this.b) return;
    if (cause.reason === 'rejected' && cause.response && this.aEarly()) {
      this.bFailed(cause.response).catch((err: unknown) => {
        this.b2bua.core.logger.error({ err }, 'B leg failure not handled');
        if (this.aEarly()) this.a.reject(500);
        this.finish();
      });
      return;
    }
    if (cause.reason !== 'local-bye' && cause.reason !== 'cancelled')
      this.a.end(cause.response?.status ?? 480);
    this.finish();
  }

  /** B's final failure: forwarding by the failure hook, else relayed to A. */
  private async bFailed(response: SipResponse): Promise<void> {
    const hook = this.b2bua.options.hooks?.failure;
    const maxAttempts = this.b2bua.options.maxAttempts ?? 5;
    if (hook && this.attempts < maxAttempts) {
      try {
        const next = await hook(response, this);
        if (next && this.aEarly()) {
          this.placeBLeg(next);
          return;
        }
      } catch (err) {
        this.b2bua.core.logger.error({ err }, 'B2BUA failure hook failed');
      }
    }
    if (this.aEarly()) {
      const r = this.relayResponse(response);
      this.a.reject(r.status, { reason: r.reason, headers: r.headers, body: r.body });
    }
    this.finish();
  }

  private flushAckWaiters(): void {
    for (const list of this.ackWaiters.values()) for (const waiter of list) waiter(undefined);
    this.ackWaiters.clear();
  }

  private finish(): void {
    if (this.current === Ended) return;
    if (!this.a.terminated || (this.b !== undefined && !this.b.terminated)) return;
    this.transition(Ended);
    this.onEnded();
    this.b2bua.options.hooks?.ended?.(this);
  }
}
