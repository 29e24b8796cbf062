import type { NameAddr, SipRequest, SipResponse, Uri } from '../message/index.ts';
import type { ServerTransaction } from '../transaction/index.ts';
import type { Destination, Flow } from '../transport/types.ts';
import type { OwnCapabilities } from './uas-checks.ts';

/** One place to forward a request to (RFC 3261 §16.5 target set). */
export interface ProxyTarget {
  /** The Request-URI of the forwarded request (§16.6 step 2). */
  uri: Uri;
  /**
   * Route header values to put on top of those the request carries (§16.6 step 6: a
   * pre-loaded route set: the Path of a registered contact, a Service-Route, an AS), in order.
   */
  routes?: readonly string[];
  /** qvalue: sequential forking tries higher values first (RFC 3261 §16.6, §16.7 step 8). */
  q?: number;
  /** Send to exactly this next hop (e.g. a UE's registered flow) instead of resolving it. */
  destination?: Destination;
  /**
   * Ms to wait for a first response (100 Trying counts) before the branch is given up as if it
   * had timed out (408): an application server that does not answer (TS 24.229 §5.4.3.2 step 4,
   * default handling) must not hold the session for Timer B.
   */
  responseTimeout?: number;
}

/** What the policy decides for a request the proxy core has validated. */
export type RoutingDecision =
  /** Forward to these targets, all at once (parallel) or one after the other by q (sequential). */
  | { action: 'forward'; targets: ProxyTarget[]; forking?: 'parallel' | 'sequential' }
  /** Forward by the Route headers, else the Request-URI, unchanged (RFC 3261 §16.5, §16.12). */
  | { action: 'relay' }
  /**
   * The policy answers the request itself, as a UAS (a registrar, an event notifier): it has
   * responded, or will respond, in `context.transaction`. The core only waits.
   */
  | { action: 'handled' }
  /** Answer it here. */
  | {
      action: 'respond';
      status: number;
      reason?: string;
      headers?: [string, string][];
      body?: Buffer;
      contentType?: string;
    };

/** The request being handled and where it came from. */
export interface RequestContext {
  readonly request: SipRequest;
  readonly flow: Flow;
  readonly transaction: ServerTransaction;
  /**
   * The Route values that named this proxy, removed by §16.4 preprocessing, first first: how
   * a function tells an originating request (Service-Route) from a terminating one, or reads
   * the original dialog identifier an AS sends back.
   */
  readonly removedRoutes: readonly NameAddr[];
  /** Free for the policy to keep per-request state between its hooks. */
  data: Record<string, unknown>;
}

/**
 * What a network function plugs into the proxy core: the decisions. The RFC 3261 mechanics
 * (validation, Route processing, Via, Max-Forwards, Record-Route, forking, CANCEL, best
 * response) stay in the core.
 */
export interface ProxyPolicy {
  /**
   * What this element says of itself when it answers an OPTIONS as its UAS (RFC 3261 §11.2):
   * also in the 200 to an OPTIONS whose Max-Forwards reached 0 (§16.3 step 3).
   */
  readonly capabilities?: OwnCapabilities;
  /**
   * Where a request goes, after §16.3 validation and §16.4 Route preprocessing. Requests
   * inside a dialog (To tag) come here too; `relay` is the usual answer for them.
   */
  route(context: RequestContext): RoutingDecision | Promise<RoutingDecision>;
  /**
   * The URI to Record-Route with (§16.6 step 4), or undefined not to stay on the path. Called
   * for requests outside a dialog; the core never record-routes REGISTER.
   */
  recordRoute?(context: RequestContext, target: ProxyTarget): string | undefined;
  /** Last changes to a request about to go to a target (add or remove headers: §16.6 step 5). */
  beforeForward?(request: SipRequest, target: ProxyTarget, context: RequestContext): void;
  /**
   * A branch ended with a final 3xx-5xx response, received or made up (408 on timeout, 503 on
   * a transport error or no next hop), while no final response went upstream. New targets
   * returned here are tried instead and the failure is forgotten (§16.7 step 4: a proxy may
   * add targets): the next application server when an AS fails with default handling
   * SESSION_CONTINUED, another S-CSCF. Undefined or [] keeps the failure for §16.7 step 6.
   */
  onBranchFailure?(
    response: SipResponse,
    target: ProxyTarget,
    context: RequestContext,
  ): ProxyTarget[] | undefined | Promise<ProxyTarget[] | undefined>;
  /** Changes to a response about to be forwarded upstream (§16.7 step 9). */
  beforeResponse?(response: SipResponse, context: RequestContext): void;
  /** The final response sent for a request (for registrars, charging, metrics). */
  onFinalResponse?(response: SipResponse, context: RequestContext): void;
  /**
   * Where an ACK for a 2xx or a CANCEL without context goes when forwarded statelessly
   * (§16.11): a fixed flow (a UE behind NAT), or undefined to resolve the next hop. `flow` is
   * where it came from, `removedRoutes` the Route values naming this proxy that §16.4
   * preprocessing removed (a flow token in a Record-Route of ours, RFC 5626 §5.3).
   */
  statelessDestination?(
    request: SipRequest,
    flow: Flow,
    removedRoutes: readonly NameAddr[],
  ): Destination | undefined;
}
