import { createHash } from 'node:crypto';
import { type Logger, silentLogger } from '../../log/logger.ts';
import {
  BRANCH_MAGIC_COOKIE,
  createResponse,
  type NameAddr,
  SipParseError,
  type SipRequest,
  type SipResponse,
  SipUri,
  type Uri,
} from '../message/index.ts';
import {
  type InviteServerTransaction,
  type NonInviteServerTransaction,
  type ServerTransaction,
  systemTimers,
  type TimerService,
  type TimerValues,
  TransactionLayer,
  type TransactionUser,
} from '../transaction/index.ts';
import type { Flow, TransportError, TransportLayer } from '../transport/types.ts';
import { localVia } from '../transport/via-routing.ts';
import { Forwarder, type NextHopResolver } from './forwarder.ts';
import type { ProxyPolicy, ProxyTarget, RequestContext } from './proxy-policy.ts';
import { checkRequest, loopHash } from './request-checks.ts';
import { ResponseContext } from './response-context.ts';
import { answerOptions } from './uas-checks.ts';

export interface StatefulProxyOptions {
  transport: TransportLayer;
  policy: ProxyPolicy;
  /** RFC 3263 next-hop resolution (e.g. `SipResolver`); targets with a destination skip it. */
  resolve: NextHopResolver;
  /** Host names and addresses (with ports) that designate this proxy in Route and Request-URI. */
  localAddresses: readonly { host: string; port?: number }[];
  /** Option tags accepted in Proxy-Require (§16.3 step 5). */
  supportedProxyRequire?: readonly string[];
  timerValues?: Partial<TimerValues>;
  timers?: TimerService;
  /** RFC 3261 §16.6 step 11: Timer C in ms, more than 3 minutes; default 181 s. */
  timerC?: number;
  /** RFC 3261 §16.3 step 4 loop detection; default on. */
  loopDetection?: boolean;
  logger?: Logger;
}

/**
 * A transaction-stateful proxy core, RFC 3261 §16: request validation, Route preprocessing,
 * forwarding with forking, response processing, CANCEL, stateless forwarding of ACKs for 2xx
 * (stray responses are dropped, RFC 6026 §7.3). What to do with each request is the
 * ProxyPolicy's decision.
 */
export class StatefulProxy implements TransactionUser {
  readonly layer: TransactionLayer;
  private readonly contexts = new Map<ServerTransaction, ResponseContext>();
  /** INVITEs CANCELled while the policy was still deciding (§16.10). */
  private readonly cancelledEarly = new WeakSet<ServerTransaction>();
  private readonly forwarder: Forwarder;
  private readonly logger: Logger;
  private readonly timers: TimerService;
  private readonly local: { host: string; port?: number }[];

  constructor(private readonly options: StatefulProxyOptions) {
    this.logger = (options.logger ?? silentLogger).child({ layer: 'sip-proxy' });
    this.timers = options.timers ?? systemTimers;
    this.local = options.localAddresses.map((a) => ({
      host: a.host.toLowerCase().replace(/^\[|\]$/g, ''),
      port: a.port,
    }));
    this.forwarder = new Forwarder(options.transport, options.policy);
    this.layer = new TransactionLayer({
      transport: options.transport,
      user: this,
      timerValues: options.timerValues,
      timers: this.timers,
      logger: options.logger,
    });
  }

  /** Requests being forwarded, and the transaction tables (for leak checks and metrics). */
  stats(): { responseContexts: number; clientTransactions: number; serverTransactions: number } {
    return { responseContexts: this.contexts.size, ...this.layer.stats() };
  }

  /** True if a URI designates this proxy (its host and port are one of ours). */
  isLocal(uri: Uri): boolean {
    if (!(uri instanceof SipUri)) return false;
    const host = uri.host.toLowerCase().replace(/^\[|\]$/g, '');
    const port = uri.port ?? (uri.scheme === 'sips' ? 5061 : 5060);
    return this.local.some((a) => a.host === host && (a.port === undefined || a.port === port));
  }

  dispose(): void {
    this.layer.dispose();
    for (const context of this.contexts.values()) context.dispose();
    this.contexts.clear();
  }

  onRequest(request: SipRequest, transaction: ServerTransaction, flow: Flow): void {
    this.handle(request, transaction, flow).catch((err) => {
      try {
        // RFC 3261 §21.4.1: a header read while routing turned out malformed: 400 naming it,
        // not a server error (the parser checked only what a transaction needs).
        if (err instanceof SipParseError) {
          this.logger.debug({ reason: err.reason, method: request.method }, 'malformed request refused');
          transaction.respond(createResponse(request, 400, { reason: err.phrase }));
          return;
        }
        this.logger.error({ err }, 'proxy policy failed');
        transaction.respond(createResponse(request, 500));
      } catch (failure) {
        this.logger.error({ err: failure }, 'could not answer a failed request');
      }
    });
  }

  private async handle(request: SipRequest, transaction: ServerTransaction, flow: Flow): Promise<void> {
    // RFC 3261 §16.2: a stateful proxy answers an INVITE with 100 (Trying) at once.
    if (request.method === 'INVITE') transaction.respond(createResponse(request, 100));
    let refusal = checkRequest(request, { supportedProxyRequire: this.options.supportedProxyRequire });
    const own = this.options.policy.capabilities;
    if (refusal?.status === 200 && own) refusal = answerOptions(request, own);
    if (refusal) {
      transaction.respond(
        createResponse(request, refusal.status, { reason: refusal.reason, headers: refusal.headers }),
      );
      return;
    }
    // A REGISTER's Contact is what every element on its path acts on (RFC 3261 §10.3; each
    // CSCF reads it, TS 24.229 §5.2.2, §5.3.1, §5.4.1): malformed, it is refused here with 400
    // (RFC 4475 §3.1.2.13). Parsed once and cached for the policy; other requests' Contact is
    // only forwarded (§16.3 step 1), so it is not parsed on the proxy's hot path.
    if (request.method === 'REGISTER') void request.contacts;
    const hash = loopHash(request);
    if (this.options.loopDetection !== false && this.hasLooped(request, hash)) {
      transaction.respond(createResponse(request, 482));
      return;
    }
    const removedRoutes = this.preprocessRoute(request);
    const context: RequestContext = { request, flow, transaction, removedRoutes, data: {} };
    const decision = await this.options.policy.route(context);
    if (decision.action === 'handled') return;
    if (this.cancelledEarly.has(transaction)) {
      transaction.respond(createResponse(request, 487));
      return;
    }
    if (decision.action === 'respond') {
      const response = createResponse(request, decision.status, decision);
      this.options.policy.beforeResponse?.(response, context);
      transaction.respond(response);
      this.options.policy.onFinalResponse?.(response, context);
      return;
    }
    const targets: ProxyTarget[] = decision.action === 'relay' ? [{ uri: request.uri }] : decision.targets;
    const forking = decision.action === 'forward' ? decision.forking : 'parallel';
    const responseContext = new ResponseContext(context, {
      layer: this.layer,
      forwarder: this.forwarder,
      resolve: this.options.resolve,
      policy: this.options.policy,
      timers: this.timers,
      timerC: this.options.timerC ?? 181_000,
      cancelGuard: 64 * this.layer.timerValues.T1,
      loopHash: hash,
      logger: this.logger,
      onFinished: (rc) => this.contexts.delete(rc.context.transaction),
    });
    this.contexts.set(transaction, responseContext);
    responseContext.start(targets, forking);
  }

  /**
   * RFC 3261 §16.3 step 4: a Via of ours whose branch carries this request's loop hash means
   * the request came back unchanged: a loop, not a spiral.
   */
  private hasLooped(request: SipRequest, hash: string): boolean {
    const suffix = `.${hash}`;
    return request.vias.some((v) => v.branch?.endsWith(suffix) && this.isLocalHost(v.host, v.port));
  }

  private isLocalHost(host: string, port: number | undefined): boolean {
    const h = host.toLowerCase().replace(/^\[|\]$/g, '');
    return this.local.some(
      (a) => a.host === h && (a.port === undefined || port === undefined || a.port === port),
    );
  }

  /**
   * RFC 3261 §16.4 Route information preprocessing: a Request-URI that is ours after a strict
   * router is replaced by the last Route; Route values naming this proxy are removed.
   */
  private preprocessRoute(request: SipRequest): NameAddr[] {
    const removed: NameAddr[] = [];
    if (request.headers.has('Route') && this.isLocal(request.uri) && !(request.uri as SipUri).user) {
      const routes = request.routes;
      const last = routes[routes.length - 1]!;
      request.uri = last.uri;
      request.headers.set('Route', request.headers.values('Route').slice(0, -1));
    }
    while (request.headers.has('Route')) {
      const first = request.routes[0]!;
      if (!this.isLocal(first.uri)) break;
      removed.push(first);
      request.headers.shift('Route');
    }
    return removed;
  }

  onCancel(
    cancel: SipRequest,
    transaction: NonInviteServerTransaction,
    target: InviteServerTransaction | undefined,
    flow: Flow,
  ): void {
    if (!target) {
      // RFC 3261 §9.2: "If the UAS did not find a matching transaction for the CANCEL ... it
      // SHOULD respond to the CANCEL with a 481": the CANCEL's own server transaction needs a
      // final response to end (no timer runs in Trying), and a response to it from downstream
      // would match no transaction here (RFC 6026 §7.3).
      transaction.respond(createResponse(cancel, 481));
      // RFC 3261 §16.10: with no response context the CANCEL is forwarded statelessly.
      void this.forwardStatelessly(cancel, flow);
      return;
    }
    // §16.10: "the proxy MUST ... respond to the CANCEL with a 200 (OK) ... and CANCEL the
    // pending client transactions associated with the response context".
    transaction.respond(createResponse(cancel, 200));
    const context = this.contexts.get(target);
    if (context) context.cancel();
    else this.cancelledEarly.add(target);
  }

  onAck(ack: SipRequest, flow: Flow): void {
    // RFC 3261 §16.11 (RFC 6026 §6): an ACK for a 2xx is its own transaction: forward statelessly.
    void this.forwardStatelessly(ack, flow);
  }

  onStrayResponse(response: SipResponse, _flow: Flow): void {
    // RFC 6026 §7.3: "The proxy MUST NOT forward the response if there is no matching
    // transaction state machine": retransmitted 2xx still match the client transaction in its
    // Accepted state (Timer M), so a true stray is dropped.
    this.logger.debug({ status: response.status, method: response.cseq.method }, 'stray response dropped');
  }

  onTransportError(error: TransportError, transaction: ServerTransaction): void {
    this.logger.info({ code: error.code, method: transaction.method }, 'response could not be sent upstream');
  }

  onTimeout(transaction: ServerTransaction): void {
    this.logger.debug({ method: transaction.method }, 'no ACK for a final response (Timer H)');
  }

  /**
   * RFC 3261 §16.11 stateless forwarding: Route preprocessing, Max-Forwards, our Via with a
   * branch derived from the request's own (so retransmissions map to the same one), send.
   */
  private async forwardStatelessly(request: SipRequest, flow: Flow): Promise<void> {
    if (request.maxForwards === 0) return;
    const removedRoutes = this.preprocessRoute(request);
    try {
      // A fixed next hop of the policy (a UE's flow named by a flow token in our Route).
      let destination = this.options.policy.statelessDestination?.(request, flow, removedRoutes);
      // Nothing left to route by but our own address: forwarding would send it back to us.
      if (!destination && !request.headers.has('Route') && this.isLocal(request.uri)) {
        this.logger.debug({ method: request.method }, 'stateless request addressed to this proxy dropped');
        return;
      }
      const mf = request.maxForwards;
      request.headers.set('Max-Forwards', String(mf === undefined ? 70 : mf - 1));
      if (!destination) {
        const nextHop = request.headers.has('Route') ? request.routes[0]!.uri : request.uri;
        [destination] = await this.options.resolve(nextHop);
      }
      if (!destination) return;
      const branch = `${BRANCH_MAGIC_COOKIE}${createHash('sha1')
        .update(`${request.topVia.branch ?? request.callId}\n${request.method}`)
        .digest('base64url')
        .slice(0, 16)}`;
      request.headers.prepend('Via', localVia(this.options.transport, destination, branch));
      await this.options.transport.send(request, destination);
    } catch (err) {
      this.logger.debug({ err: String(err), method: request.method }, 'stateless forward failed');
    }
  }
}
