import type { Logger } from '../../log/logger.ts';
import type { NameAddr, SipRequest, SipResponse, Uri } from '../message/index.ts';
import type { ServerTransaction } from '../transaction/index.ts';
import type { Destination } from '../transport/types.ts';
import { B2buaCall } from './b2bua-call.ts';
import type { SessionBody } from './session-body.ts';
import type { SessionTimerOptions } from './session-timer.ts';
import type { RequestHandler, UserAgentCore } from './user-agent-core.ts';

/** The B leg's initial INVITE as the B2BUA is about to send it; hooks may change any part. */
export interface BLegRequest {
  requestUri: Uri;
  /** From of the B leg (a new tag is added). */
  from: NameAddr;
  /** To of the B leg (no tag). */
  to: NameAddr;
  /** Header fields added to the INVITE (copied from A's by default, see `copyHeaders`). */
  headers: [string, string][];
  /** The offer sent to B: A's by default. */
  body: SessionBody | undefined;
  /** Route values (a pre-loaded route set, e.g. back to the S-CSCF for an AS). */
  routes: string[];
  /** An explicit next hop instead of RFC 3263 resolution. */
  destination?: Destination;
}

/** Refuses the call on the A leg instead of placing a B leg. */
export interface RejectDecision {
  reject: number;
  reason?: string;
  headers?: [string, string][];
}

/** A response of one leg as it will be relayed to the other. */
export interface RelayedResponse {
  status: number;
  reason: string;
  headers: [string, string][];
  body: SessionBody | undefined;
}

/** A request of one leg (re-INVITE, UPDATE, INFO ...) as it will be relayed to the other. */
export interface RelayedRequest {
  headers: [string, string][];
  body: SessionBody | undefined;
}

export type RelayDirection = 'a-to-b' | 'b-to-a';

/**
 * Where the services built on the B2BUA (AS forwarding and barring, MRFC, MGCF) change what
 * it relays. Each hook may modify its argument in place or return a replacement.
 */
export interface B2buaHooks {
  /** The B leg's INVITE, or a rejection of the A leg (barring). */
  route?(
    a: SipRequest,
    b: BLegRequest,
    call: B2buaCall,
  ): BLegRequest | RejectDecision | Promise<BLegRequest | RejectDecision>;
  /** A response from B (provisional or final) before it is relayed to A. */
  response?(response: SipResponse, relay: RelayedResponse, call: B2buaCall): RelayedResponse | undefined;
  /** B's final failure: a new B leg to try instead (forwarding), or undefined to relay it. */
  failure?(
    response: SipResponse,
    call: B2buaCall,
  ): BLegRequest | undefined | Promise<BLegRequest | undefined>;
  /** A request inside the call (re-INVITE, UPDATE, INFO ...) before it is relayed. */
  request?(
    request: SipRequest,
    relay: RelayedRequest,
    direction: RelayDirection,
    call: B2buaCall,
  ): RelayedRequest | undefined;
  /** Both legs have ended. */
  ended?(call: B2buaCall): void;
}

export interface B2buaOptions {
  core: UserAgentCore;
  hooks?: B2buaHooks;
  /** Header fields copied from A's INVITE into B's; default DEFAULT_COPIED_HEADERS. */
  copyHeaders?: readonly string[];
  /** Header fields copied from B's responses into A's; default DEFAULT_COPIED_RESPONSE_HEADERS. */
  copyResponseHeaders?: readonly string[];
  /** Session timers of the A leg (answered) and of the B leg (asked for). */
  aLegSessionTimer?: SessionTimerOptions;
  bLegSessionTimer?: SessionTimerOptions;
  /** New B legs a `failure` hook may start for one call (forwarding loops end there); default 5. */
  maxAttempts?: number;
  logger?: Logger;
}

/** End-to-end header fields a B2BUA passes on in requests by default. */
export const DEFAULT_COPIED_HEADERS: readonly string[] = [
  'Subject',
  'Priority',
  'Privacy',
  'P-Asserted-Identity',
  'Call-Info',
  'Alert-Info',
  'Accept-Contact',
  'Reject-Contact',
  'Request-Disposition',
];

/** End-to-end header fields of responses passed on by default. */
export const DEFAULT_COPIED_RESPONSE_HEADERS: readonly string[] = [
  'P-Asserted-Identity',
  'Privacy',
  'Alert-Info',
  'Call-Info',
  'Reason',
  'Warning',
  'Retry-After',
  'Error-Info',
];

/**
 * A back-to-back user agent (RFC 3261 §6 "B2BUA", RFC 7092 signaling-only B2BUA): each INVITE
 * becomes a B2buaCall linking the incoming session (A leg, UAS) to a new outgoing one (B leg,
 * UAC, new Call-ID and tags), with hooks where services change what is relayed.
 */
export class B2bua {
  readonly calls = new Set<B2buaCall>();

  constructor(readonly options: B2buaOptions) {}

  get core(): UserAgentCore {
    return this.options.core;
  }

  /**
   * A handler for the core's new requests: INVITEs become calls; OPTIONS gets 200; anything
   * else outside a dialog 405 with Allow (RFC 3261 §8.2.1).
   */
  handler(): RequestHandler {
    return (request, transaction) => {
      if (request.method === 'INVITE') this.handle(request, transaction);
      else if (request.method === 'OPTIONS') this.core.reply(transaction, 200);
      else this.core.reply(transaction, 405, { headers: [['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS']] });
    };
  }

  /** Starts a call for an INVITE outside any dialog. */
  handle(request: SipRequest, transaction: ServerTransaction): B2buaCall {
    const call = new B2buaCall(this, request, transaction, () => this.calls.delete(call));
    this.calls.add(call);
    call.start();
    return call;
  }

  /** Ends every call (BYE, CANCEL or rejection as fits). */
  endAll(): void {
    for (const call of this.calls) call.end();
  }
}
