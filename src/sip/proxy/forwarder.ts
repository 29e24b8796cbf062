import { SipRequest, SipUri, type Uri } from '../message/index.ts';
import { newBranch } from '../transaction/index.ts';
import type { Destination, TransportLayer } from '../transport/types.ts';
import { localVia } from '../transport/via-routing.ts';
import type { ProxyPolicy, ProxyTarget, RequestContext } from './proxy-policy.ts';

/** Turns a URI into an ordered list of next hops (RFC 3263); first is tried first. */
export type NextHopResolver = (uri: Uri) => Promise<Destination[]>;

/** A request prepared for one target, before a Via and a next hop are chosen. */
export interface PreparedRequest {
  request: SipRequest;
  /** The URI whose host is the next hop (§16.6 step 7): the first Route, else the Request-URI. */
  nextHop: Uri;
}

/**
 * RFC 3261 §16.6 "Request Forwarding", steps 1-8, for one target: copy, Request-URI,
 * Max-Forwards, Record-Route, the policy's headers, the route set, then our Via.
 */
export class Forwarder {
  constructor(
    private readonly transport: Pick<TransportLayer, 'viaSentBy'>,
    private readonly policy: ProxyPolicy,
  ) {}

  prepare(context: RequestContext, target: ProxyTarget): PreparedRequest {
    const original = context.request;
    // §16.6 step 1: "Make a copy of the received request".
    const request = new SipRequest(original.method, target.uri, original.headers.clone(), original.body);
    // §16.6 step 3: decrement Max-Forwards, or add one with 70.
    const mf = original.maxForwards;
    request.headers.set('Max-Forwards', String(mf === undefined ? 70 : mf - 1));
    // §16.6 step 4: Record-Route, only on requests that may create a dialog (outside one).
    if (original.method !== 'REGISTER' && original.to.tag === undefined) {
      const rr = this.policy.recordRoute?.(context, target);
      if (rr) request.headers.prepend('Record-Route', rr.startsWith('<') ? rr : `<${rr}>`);
    }
    // §16.6 step 6: a pre-loaded route set goes above the Route fields the request carries.
    if (target.routes?.length) {
      const existing = request.headers.values('Route');
      request.headers.set('Route', [...target.routes, ...existing]);
    }
    // §16.6 step 5: the policy's own header changes.
    this.policy.beforeForward?.(request, target, context);
    // §16.6 step 6: "If the copy contains a Route header field, the proxy MUST inspect the URI
    // in its first value. If that URI does not contain an lr parameter, the proxy MUST modify
    // the copy as follows": the Request-URI goes last in Route, the first Route becomes it.
    const first = request.headers.has('Route') ? request.routes[0] : undefined;
    if (first && !(first.uri instanceof SipUri && first.uri.hasParam('lr'))) {
      const strict = first.uri;
      request.headers.shift('Route');
      request.headers.append('Route', `<${request.uriText}>`);
      request.uri = strict;
    }
    const nextHop = request.headers.has('Route') ? request.routes[0]!.uri : request.uri;
    return { request, nextHop };
  }

  /**
   * §16.6 step 8: our Via on top, with a branch unique to this client transaction whose first
   * part is the loop-detection hash (§16.3 step 4). Returns a copy: each attempt at another
   * next hop is a new client transaction with its own branch.
   */
  withVia(prepared: PreparedRequest, destination: Destination, loopHash: string): SipRequest {
    const r = prepared.request;
    const copy = new SipRequest(r.method, r.uri, r.headers.clone(), r.body);
    copy.headers.prepend(
      'Via',
      localVia(this.transport, destination, `${newBranch().slice(0, 15)}.${loopHash}`),
    );
    return copy;
  }
}
