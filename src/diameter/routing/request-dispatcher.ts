import type { Logger } from '../../log/logger.ts';
import type { DiameterHeader } from '../codec/header.ts';
import type { AvpValues, DiameterMessage } from '../codec/message.ts';
import { decodeMessage } from '../codec/message-decoder.ts';
import type { DiameterDiagnostics } from '../diagnostics/diameter-diagnostics.ts';
import { DiameterError } from '../errors.ts';
import type { Peer } from '../peer/peer.ts';
import { ResultCode } from '../result-code.ts';
import { type AnswerIdentity, type ErrorAnswerOptions, encodeAnswer, encodeErrorAnswer } from './answers.ts';
import { DuplicateCache } from './duplicate-cache.ts';
import type { IdentifierSource } from './identifiers.ts';
import type { PendingRequests } from './pending-requests.ts';
import { ProxyAgent, type ProxyPolicy } from './proxy-agent.ts';
import { forwardCopy, type RoutingAvps, scanRoutingAvps, withHopByHop } from './raw-message.ts';
import type { RoutingTable } from './routing-table.ts';

/** Where the request came from, for handlers. */
export interface RequestInfo {
  /** Identity of the peer that sent it (not necessarily the origin). */
  peer: string;
}

/** A local application's handler: returns the answer's AVPs (Origin-*, Session-Id are added). */
export type RequestHandler = (request: DiameterMessage, info: RequestInfo) => Promise<AvpValues> | AvpValues;

/** A redirect agent's decision (RFC 6733 §6.1.7): DiameterURIs of the hosts to go to. */
export interface RedirectDecision {
  hosts: string[];
  /** Redirect-Host-Usage (§6.13); DONT_CACHE (0) when absent. */
  usage?: number;
  maxCacheTime?: number;
}
export type RedirectPolicy = (request: DiameterMessage) => RedirectDecision | undefined;

/** What the dispatcher needs from its node. */
export interface DispatcherNode {
  readonly identity: AnswerIdentity;
  readonly ids: IdentifierSource;
  readonly routes: RoutingTable;
  readonly pending: PendingRequests;
  readonly log: Logger;
  readonly requestTimeout: number;
  readonly diagnostics: DiameterDiagnostics;
  peer(host: string): Peer | undefined;
  /** The peer named `host` if it can take a request of the application now. */
  usablePeer(host: string, applicationId: number): Peer | undefined;
  /** A usable peer for the request (excluding `exclude`), or undefined. */
  selectPeer(
    applicationId: number,
    host: string | undefined,
    realm: string | undefined,
    exclude: Set<string>,
  ): Peer | undefined;
  /** Applications this node serves locally. */
  servesApplication(applicationId: number): boolean;
  relay: boolean;
}

/**
 * Processing of received requests (RFC 6733 §6.1): duplicate detection, loop detection, then
 * local processing (handlers, redirect policy), relaying/proxying with Route-Record (through the
 * proxy policy when there is one), or an answer saying why not (3002, 3003, 3005, 3006, 3001, 3007).
 */
export class RequestDispatcher {
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly redirects = new Map<number | '*', RedirectPolicy>();
  private readonly duplicates: DuplicateCache;
  private proxyAgent: ProxyAgent | undefined;

  constructor(
    private readonly node: DispatcherNode,
    duplicateLifetimeMs?: number,
  ) {
    this.duplicates = new DuplicateCache(duplicateLifetimeMs);
  }

  handle(applicationId: number, commandCode: number, handler: RequestHandler): void {
    this.handlers.set(`${applicationId}:${commandCode}`, handler);
  }

  redirect(applicationId: number | '*', policy: RedirectPolicy): void {
    this.redirects.set(applicationId, policy);
  }

  /** Proxy agent role (RFC 6733 §2.8.2): `policy` sees every request relayed and its answer. */
  proxy(policy: ProxyPolicy): void {
    this.proxyAgent = new ProxyAgent(policy, this.node.identity.dictionary, this.node.log);
  }

  /** A request arrived from `from`. Never throws. */
  dispatch(from: Peer, bytes: Buffer, header: DiameterHeader): void {
    const { node } = this;
    const startedAt = node.diagnostics.now();
    node.diagnostics.request('in', from.host, header);
    const reply = (bytesOut: Buffer) => {
      this.send(from, bytesOut);
      node.diagnostics.answer('out', from.host, bytesOut, startedAt);
    };
    let routing: RoutingAvps;
    try {
      routing = scanRoutingAvps(bytes, header);
    } catch (err) {
      const e = err as DiameterError;
      reply(encodeErrorAnswer(node.identity, header, undefined, e.resultCode, { failedAvp: e.failedAvp }));
      return;
    }
    const origin = routing.originHost ?? from.host;
    const dup = this.duplicates.begin(origin, header.endToEndId);
    if (dup.state === 'pending') return;
    if (dup.state === 'answered') {
      node.log.debug({ origin, endToEndId: header.endToEndId }, 'duplicate request: answering again');
      reply(withHopByHop(dup.answer, header.hopByHopId));
      return;
    }
    const answer = (bytesOut: Buffer) => {
      this.duplicates.complete(origin, header.endToEndId, bytesOut);
      reply(bytesOut);
    };
    const fail = (resultCode: number, options?: ErrorAnswerOptions) =>
      answer(encodeErrorAnswer(node.identity, header, routing, resultCode, options));

    // RFC 6733 §6.1.3: "a loop... is detected if the Route-Record AVPs contain the local identity".
    if (routing.routeRecords.some((r) => r.toLowerCase() === node.identity.originHost.toLowerCase())) {
      fail(ResultCode.DIAMETER_LOOP_DETECTED, { errorReportingHost: node.identity.originHost });
      return;
    }
    const ourHost = node.identity.originHost.toLowerCase();
    const ourRealm = node.identity.originRealm.toLowerCase();
    const destHost = routing.destinationHost?.toLowerCase();
    const destRealm = routing.destinationRealm?.toLowerCase();
    // RFC 6733 §6.1.4: processed locally when addressed to this host, or to this realm with no host.
    if (
      destHost === ourHost ||
      (destHost === undefined && (destRealm === undefined || destRealm === ourRealm))
    ) {
      void this.processLocally(from, bytes, header, answer, fail);
      return;
    }
    if (
      destHost !== undefined &&
      (destRealm === undefined || destRealm === ourRealm || node.peer(destHost))
    ) {
      void this.forward(from, bytes, header, routing, answer, fail);
      return;
    }
    const entry = node.routes.lookup(destRealm, header.applicationId);
    if (entry?.action === 'local') {
      void this.processLocally(from, bytes, header, answer, fail);
    } else if (entry?.action === 'redirect') {
      fail(ResultCode.DIAMETER_REDIRECT_INDICATION, {
        redirectHost: entry.redirectHosts ?? [],
        redirectHostUsage: 0,
      });
    } else if (entry || node.relay) {
      void this.forward(from, bytes, header, routing, answer, fail);
    } else {
      fail(ResultCode.DIAMETER_REALM_NOT_SERVED, { errorReportingHost: node.identity.originHost });
    }
  }

  private async processLocally(
    from: Peer,
    bytes: Buffer,
    header: DiameterHeader,
    answer: (b: Buffer) => void,
    fail: (code: number, options?: ErrorAnswerOptions) => void,
  ): Promise<void> {
    const { node } = this;
    const handler = this.handlers.get(`${header.applicationId}:${header.commandCode}`);
    const policy = this.redirects.get(header.applicationId) ?? this.redirects.get('*');
    if (!handler && !policy) {
      fail(
        node.servesApplication(header.applicationId)
          ? ResultCode.DIAMETER_COMMAND_UNSUPPORTED
          : ResultCode.DIAMETER_APPLICATION_UNSUPPORTED,
      );
      return;
    }
    let request: DiameterMessage;
    try {
      request = decodeMessage(bytes, node.identity.dictionary);
    } catch (err) {
      const e = err as DiameterError;
      node.log.info({ err: e.message, resultCode: e.resultCode }, 'request refused by the decoder');
      fail(e.resultCode, { failedAvp: e.failedAvp, errorMessage: e.message });
      return;
    }
    const decision = policy?.(request);
    if (decision) {
      // RFC 6733 §6.1.7: a redirect agent answers 3006 with the Redirect-Host(s).
      fail(ResultCode.DIAMETER_REDIRECT_INDICATION, {
        redirectHost: decision.hosts,
        redirectHostUsage: decision.usage ?? 0,
        redirectMaxCacheTime: decision.maxCacheTime,
      });
      return;
    }
    if (!handler) {
      fail(ResultCode.DIAMETER_UNABLE_TO_DELIVER, { errorMessage: 'no redirect target for this request' });
      return;
    }
    let body: AvpValues;
    try {
      body = await handler(request, { peer: from.host });
    } catch (err) {
      if (err instanceof DiameterError) {
        fail(err.resultCode, { failedAvp: err.failedAvp, errorMessage: err.message });
      } else {
        node.log.error({ err }, 'request handler failed');
        fail(ResultCode.DIAMETER_UNABLE_TO_COMPLY);
      }
      return;
    }
    try {
      answer(encodeAnswer(node.identity, request, body));
    } catch (err) {
      node.log.error({ err }, 'handler answer cannot be encoded');
      fail(ResultCode.DIAMETER_UNABLE_TO_COMPLY);
    }
  }

  /**
   * RFC 6733 §6.1.9: relay/proxy to the next hop with a new hop-by-hop id and a Route-Record. A
   * proxy runs its policy first: it may change the request, pick the next peer or answer itself.
   */
  private async forward(
    from: Peer,
    bytes: Buffer,
    header: DiameterHeader,
    routing: RoutingAvps,
    answer: (b: Buffer) => void,
    fail: (code: number, options?: ErrorAnswerOptions) => void,
  ): Promise<void> {
    const { node } = this;
    const route = {
      applicationId: header.applicationId,
      destinationHost: routing.destinationHost,
      destinationRealm: routing.destinationRealm,
      from: from.host,
    };
    const unableToDeliver = (errorMessage?: string) =>
      fail(ResultCode.DIAMETER_UNABLE_TO_DELIVER, {
        errorReportingHost: node.identity.originHost,
        ...(errorMessage ? { errorMessage } : {}),
      });
    let next = node.selectPeer(
      route.applicationId,
      route.destinationHost,
      route.destinationRealm,
      new Set([from.host]),
    );
    let request = bytes;
    let proxied: DiameterMessage | undefined;
    if (this.proxyAgent) {
      try {
        const outcome = await this.proxyAgent.onRequest(bytes, from.host, next?.host);
        if (outcome.kind === 'answer') {
          fail(outcome.resultCode, outcome.errorMessage ? { errorMessage: outcome.errorMessage } : {});
          return;
        }
        request = outcome.bytes;
        proxied = outcome.request;
        if (outcome.peer !== undefined) {
          next = node.usablePeer(outcome.peer, header.applicationId);
          if (!next || next === from) {
            unableToDeliver(`peer ${outcome.peer} chosen by the proxy policy is not available`);
            return;
          }
        }
      } catch (err) {
        const e = err as DiameterError;
        fail(e.resultCode ?? ResultCode.DIAMETER_UNABLE_TO_COMPLY, {
          failedAvp: e.failedAvp,
          errorMessage: e.message,
        });
        return;
      }
    }
    if (!next) {
      unableToDeliver();
      return;
    }
    const hopByHopId = node.ids.nextHopByHopId();
    const out = forwardCopy(request, { hopByHopId, routeRecord: from.host });
    const relayBack = (ans: Buffer) => answer(withHopByHop(ans, header.hopByHopId));
    node.pending.add({
      hopByHopId,
      bytes: out,
      header: { ...header, hopByHopId },
      peer: next.host,
      tried: new Set([from.host]),
      retransmissions: 0,
      timeoutMs: node.requestTimeout,
      route,
      onAnswer: (ans, _header, peer) => {
        if (!this.proxyAgent || !proxied) {
          relayBack(ans);
          return;
        }
        this.proxyAgent
          .onAnswer(ans, proxied, peer)
          .then(relayBack, (err: DiameterError) => fail(err.resultCode, { errorMessage: err.message }));
      },
      onFailure: () => unableToDeliver(),
    });
    try {
      next.send(out);
    } catch {
      node.pending.failover(next.host);
    }
  }

  private send(to: Peer, bytes: Buffer): void {
    try {
      to.send(bytes);
    } catch (err) {
      this.node.log.info({ err: (err as Error).message, peer: to.host }, 'answer not sent: peer gone');
    }
  }
}
