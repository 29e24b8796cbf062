import type { Logger } from '../../log/logger.ts';
import { createResponse, SipRequest, type SipResponse, SipUri, type Uri } from '../message/index.ts';
import { createCancel } from '../proxy/cancel.ts';
import {
  type ClientTransaction,
  type ClientTransactionUser,
  newBranch,
  type TimerHandle,
  type TimerService,
  type TimerValues,
  type TransactionLayer,
} from '../transaction/index.ts';
import type { Destination, TransportLayer } from '../transport/types.ts';
import { localVia } from '../transport/via-routing.ts';
import { DialogError } from './errors.ts';

/** Turns a URI into an ordered list of next hops (RFC 3263); the first is tried first. */
export type NextHopResolver = (uri: Uri) => Promise<Destination[]>;

/** What a request sent by the UA core reports: every response, and synthesized 408/503/487. */
export interface OutgoingRequestUser {
  onResponse(response: SipResponse, request: OutgoingRequest): void;
}

/** What an OutgoingRequest needs from the UA core that sends it. */
export interface OutgoingRequestContext {
  layer: TransactionLayer;
  transport: Pick<TransportLayer, 'viaSentBy'>;
  resolve: NextHopResolver;
  timers: TimerService;
  timerValues: TimerValues;
  logger: Logger;
  /**
   * RFC 3261 §13.2.2.4: a 2xx to an INVITE that was already passed up (the ACK is or will be
   * sent by the core) is absorbed here, the ACK re-sent.
   */
  absorb2xx(response: SipResponse): boolean;
}

/**
 * RFC 3261 §8.1.2: the next hop of a request is its first Route when that is a loose router,
 * else the Request-URI (which holds the strict router when the route set starts with one,
 * §12.2.1.1).
 */
export function nextHopOf(request: SipRequest): Uri {
  const first = request.headers.has('Route') ? request.routes[0] : undefined;
  if (first && first.uri instanceof SipUri && first.uri.hasParam('lr')) return first.uri;
  return request.uri;
}

/** Our Via for a request to `destination` (RFC 3261 §8.1.1.7, with rport of RFC 3581 §3). */
export function ourVia(transport: Pick<TransportLayer, 'viaSentBy'>, destination: Destination): string {
  return localVia(transport, destination, newBranch(), true);
}

/** Where a request sent by the UA core stands. */
export enum OutgoingRequestState {
  /** The next hop is being resolved (RFC 3263). */
  Resolving = 'resolving',
  /** Sent in a client transaction, no response yet. */
  Calling = 'calling',
  /** A provisional response came. */
  Proceeding = 'proceeding',
  /** A final response (received or synthesized) went to the user. */
  Completed = 'completed',
}

const { Resolving, Calling, Proceeding, Completed } = OutgoingRequestState;

const NO_OP_USER: ClientTransactionUser = {
  onResponse() {},
  onTimeout() {},
  onTransportError() {},
};

/**
 * One request sent by the UAC core (RFC 3261 §8.1): next-hop resolution with failover to the
 * following target on a transport error (RFC 3263 §4.3), a client transaction per attempt,
 * timeouts and transport failures reported as 408 and 503 (§8.1.3.1), and CANCEL (§9.1).
 */
export class OutgoingRequest implements ClientTransactionUser {
  /** The request as last sent (with our Via); the one given before the first send otherwise. */
  request: SipRequest;
  /** The client transaction of the current attempt, once the request is sent. */
  transaction: ClientTransaction | undefined;
  private destinations: Destination[] = [];
  private current: OutgoingRequestState = Resolving;
  private cancelRequested = false;
  private cancelReason: string | undefined;
  /** RFC 3261 §9.1: 64*T1 after the CANCEL, the INVITE is considered cancelled. */
  private timerCancel: TimerHandle | undefined;

  constructor(
    private readonly context: OutgoingRequestContext,
    request: SipRequest,
    private readonly user: OutgoingRequestUser,
    private readonly destination?: Destination,
  ) {
    this.request = request;
  }

  get method(): string {
    return this.request.method;
  }

  get state(): OutgoingRequestState {
    return this.current;
  }

  start(): void {
    if (this.destination) {
      this.destinations = [this.destination];
      this.attempt();
      return;
    }
    this.context.resolve(nextHopOf(this.request)).then(
      (targets) => {
        this.destinations = targets.slice();
        this.attempt();
      },
      (err: unknown) => {
        this.context.logger.info({ err: String(err), method: this.method }, 'next hop not resolved');
        // RFC 3263 §4.3 / RFC 3261 §8.1.3.1: no usable server is treated as a 503.
        this.synthesize(503);
      },
    );
  }

  /**
   * RFC 3261 §9.1: cancels a pending INVITE. The CANCEL waits for a provisional response
   * ("the CANCEL request MUST NOT be sent" before one); after a final response it does nothing.
   */
  cancel(reason?: string): void {
    if (this.method !== 'INVITE' || this.current === Completed || this.cancelRequested) return;
    this.cancelRequested = true;
    this.cancelReason = reason;
    if (this.current === Proceeding) this.sendCancel();
  }

  dispose(): void {
    if (this.timerCancel !== undefined) this.context.timers.clearTimeout(this.timerCancel);
    this.timerCancel = undefined;
  }

  onResponse(response: SipResponse, transaction: ClientTransaction): void {
    if (transaction !== this.transaction) return;
    const status = response.status;
    if (status < 200) {
      if (this.current === Completed) return;
      if (this.current === Calling) {
        this.stateTransition(Proceeding);
        if (this.cancelRequested) this.sendCancel();
      }
    } else {
      if (this.method === 'INVITE' && status < 300 && this.context.absorb2xx(response)) return;
      // RFC 6026 §7.2: further 2xx (other forks) still reach the user; nothing else after a final.
      if (this.current === Completed && !(this.method === 'INVITE' && status < 300)) return;
      if (this.current !== Completed) this.stateTransition(Completed);
    }
    this.user.onResponse(response, this);
  }

  onTimeout(transaction: ClientTransaction): void {
    if (transaction !== this.transaction) return;
    // RFC 3261 §8.1.3.1: a timeout is treated as a 408 (Request Timeout).
    this.synthesize(408);
  }

  onTransportError(error: Error, transaction: ClientTransaction): void {
    if (transaction !== this.transaction) return;
    this.context.logger.info({ err: error.message, method: this.method }, 'request not sent');
    // RFC 3263 §4.3: before any response, a transport failure moves on to the next target.
    if (this.current === Calling && this.destinations.length > 0) {
      this.attempt();
      return;
    }
    // RFC 3261 §8.1.3.1: a transport failure is treated as a 503 (Service Unavailable).
    this.synthesize(503);
  }

  private attempt(): void {
    const destination = this.destinations.shift();
    if (destination === undefined) {
      this.synthesize(503);
      return;
    }
    if (this.cancelRequested) {
      // Cancelled before anything was answered: no other target is tried (RFC 3261 §9.1).
      this.synthesize(487);
      return;
    }
    const r = this.request;
    const copy = new SipRequest(r.method, r.uri, r.headers.clone(), r.body);
    // RFC 3261 §8.1.1.7: each attempt is a new transaction with a new branch.
    try {
      copy.headers.set('Via', ourVia(this.context.transport, destination));
      this.request = copy;
      if (this.current === Resolving) this.stateTransition(Calling);
      this.transaction = this.context.layer.sendRequest(copy, destination, this);
    } catch (err) {
      this.context.logger.warn({ err: String(err), method: this.method }, 'request not sent');
      this.synthesize(503);
    }
  }

  private sendCancel(): void {
    const invite = this.transaction;
    if (invite === undefined) return;
    const cancel = createCancel(this.request);
    // RFC 3326 §2: the reason for the CANCEL, when the user gave one.
    if (this.cancelReason !== undefined) cancel.headers.append('Reason', this.cancelReason);
    try {
      // RFC 3261 §9.1: the CANCEL goes to the same destination as the request it cancels.
      // (over the protocol the transport actually used, RFC 3261 §18.1.1).
      const flow = invite.flow;
      const to =
        flow && flow.protocol !== invite.destination.protocol
          ? { ...invite.destination, protocol: flow.protocol }
          : invite.destination;
      this.context.layer.sendRequest(cancel, to, NO_OP_USER);
    } catch (err) {
      this.context.logger.warn({ err: String(err) }, 'CANCEL not sent');
    }
    // RFC 3261 §9.1: if there is no final response for the original request in 64*T1 seconds,
    // the client SHOULD then consider the original transaction cancelled.
    this.timerCancel = this.context.timers.setTimeout(() => {
      this.timerCancel = undefined;
      if (this.current !== Completed) this.synthesize(487);
    }, 64 * this.context.timerValues.T1);
  }

  private synthesize(status: number): void {
    if (this.current === Completed) return;
    this.stateTransition(Completed);
    this.user.onResponse(createResponse(this.request, status), this);
  }

  /** The one checked state change; Completed stops the CANCEL timer. */
  private stateTransition(to: OutgoingRequestState): void {
    const allowed: Record<OutgoingRequestState, OutgoingRequestState[]> = {
      [Resolving]: [Calling, Completed],
      [Calling]: [Proceeding, Completed],
      [Proceeding]: [Completed],
      [Completed]: [],
    };
    if (!allowed[this.current].includes(to)) {
      throw new DialogError('ERR_SIP_DIALOG_STATE', `${this.method} request: ${this.current} -> ${to}`);
    }
    this.current = to;
    if (to === Completed) this.dispose();
  }
}
