import {
  type NameAddr,
  P_PREFERRED_IDENTITY,
  parseNameAddr,
  SipParseError,
  type SipRequest,
  type SipResponse,
  SipUri,
  type Uri,
} from '../../sip/message/index.ts';
import type { ProxyPolicy, ProxyTarget, RequestContext, RoutingDecision } from '../../sip/proxy/index.ts';
import { answerOptions } from '../../sip/proxy/uas-checks.ts';
import type { Destination, Flow } from '../../sip/transport/types.ts';
import { flowDestination } from './flow-token.ts';
import { routeOriginating } from './originating.ts';
import { removeNetworkHeaders, removeUntrustedHeaders } from './p-header-filter.ts';
import type { PcscfContext, RequestState } from './pcscf-context.ts';
import type { SessionDirection } from './qos-hook.ts';
import { registerResponse, routeRegister } from './register.ts';
import { aorKey, type UeRegistration } from './registration-table.ts';
import { routeTowardsUe } from './terminating.ts';

/** Requests going towards the UE, whose responses come from it. */
const TOWARDS_UE = new Set(['terminating', 'to-ue']);

function stateOf(rc: RequestContext): RequestState | undefined {
  return rc.data.state as RequestState | undefined;
}

function isSdp(message: SipRequest | SipResponse): boolean {
  const t = message.contentType;
  return (
    message.body.length > 0 && t !== undefined && `${t.type}/${t.subtype}`.toLowerCase() === 'application/sdp'
  );
}

/**
 * The P-CSCF's routing (TS 24.229 §5.2) as a ProxyPolicy: REGISTER; requests from registered
 * UEs (originating, §5.2.6); requests to UEs over the flow named by a flow token in our Path or
 * Record-Route (terminating, §5.2.7); NOTIFYs of our reg-event subscriptions. Anything else
 * from a source that is not a registered UE is refused.
 */
/** Methods listed when an OPTIONS is addressed to the P-CSCF itself (RFC 3261 §11). */
const ALLOW =
  'REGISTER, INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, SUBSCRIBE, NOTIFY, PUBLISH, REFER, UPDATE, PRACK, INFO';

export class PcscfPolicy implements ProxyPolicy {
  readonly capabilities = { allow: ALLOW, supported: ['path', 'outbound', 'sec-agree'] };

  constructor(
    private readonly ctx: PcscfContext,
    /** Whether a URI designates this P-CSCF (StatefulProxy.isLocal). */
    private readonly isLocal: (uri: Uri) => boolean = () => false,
  ) {}

  route(rc: RequestContext): RoutingDecision {
    const { request, flow } = rc;
    const ctx = this.ctx;
    if (request.method === 'REGISTER') return routeRegister(ctx, rc);
    if (request.method === 'NOTIFY' && ctx.regEvent) {
      const outcome = ctx.regEvent.handleNotify(request);
      if (outcome) return { action: 'respond', status: outcome.status, reason: outcome.reason };
    }
    if (this.addressedToUs(rc))
      // RFC 3261 §11: phones send OPTIONS to their outbound proxy as a keep-alive or to learn
      // its capabilities, registered or not; the P-CSCF answers as the target (its UAS: 400
      // when malformed, 420 for an unknown Require).
      return answerOptions(request, this.capabilities);
    const registrations = ctx.registrations.onFlow(flow);
    const fromUe =
      registrations.length > 0 || ctx.routeFlows(rc.removedRoutes).some((f) => ctx.sameFlow(f, flow));
    // A UE reaches another UE by flow token only inside a dialog: its initial requests go
    // through the S-CSCF (Service-Route), whatever Route it pre-loads.
    const ueFlow =
      fromUe && request.to.tag === undefined ? undefined : ctx.flowTowardsUe(rc.removedRoutes, flow);
    if (ueFlow) {
      if (fromUe) removeUntrustedHeaders(request);
      this.sessionEvents(request, 'terminating');
      return routeTowardsUe(ctx, rc, ueFlow);
    }
    if (request.to.tag !== undefined && fromUe) {
      // TS 24.229 §5.2.6.3.2: a request in a dialog from the UE follows the dialog's route set.
      if (!this.followsRecordedRoute(rc, registrations))
        return { action: 'respond', status: 403, reason: 'Not in a dialog through this P-CSCF' };
      const agreement = ctx.secAgree.check(request, flow);
      if (agreement.kind === 'required')
        return { action: 'respond', status: 494, reason: agreement.reason, headers: agreement.headers };
      ctx.secAgree.strip(request);
      removeUntrustedHeaders(request);
      rc.data.state = {
        kind: 'from-ue',
        ueFlow: flow,
        token: ctx.tokens.encode(flow),
      } satisfies RequestState;
      this.sessionEvents(request, 'originating');
      return { action: 'relay' };
    }
    if (registrations.length === 0) {
      // TS 24.229 §5.2.6.3.1: requests are accepted only from registered UEs, over their flow.
      ctx.logger.info({ method: request.method, flow }, 'request from an unregistered source refused');
      return { action: 'respond', status: 403, reason: 'Not registered' };
    }
    const decision = routeOriginating(ctx, rc, registrations);
    if (decision.action === 'forward') this.sessionEvents(request, 'originating');
    return decision;
  }

  /**
   * Whether a UE's request in a dialog follows a route set this P-CSCF recorded, rather than
   * going wherever its Request-URI points past the S-CSCF (its services, its charging): its
   * Route starts with our Record-Route value for this very flow and goes on to another hop,
   * which for a UE registered here is one of its Service-Route hosts (the S-CSCF that serves
   * it record-routes its dialogs).
   */
  private followsRecordedRoute(rc: RequestContext, registrations: readonly UeRegistration[]): boolean {
    const ctx = this.ctx;
    if (!ctx.routeFlows(rc.removedRoutes).some((f) => ctx.sameFlow(f, rc.flow))) return false;
    const next = rc.request.routes[0]?.uri;
    if (!(next instanceof SipUri)) return false;
    if (registrations.length === 0) return true;
    return registrations.some((r) => r.serviceRoute.some((route) => sameHostPort(route, next)));
  }

  /** An OPTIONS outside a dialog whose Request-URI is this P-CSCF, without a user part. */
  private addressedToUs(rc: RequestContext): boolean {
    const { request } = rc;
    if (request.method !== 'OPTIONS' || request.to.tag !== undefined || request.headers.has('Route'))
      return false;
    return request.uri instanceof SipUri && !request.uri.user && this.isLocal(request.uri);
  }

  /**
   * Two Record-Route values naming the UE's flow (RFC 5626 §5.3, a "double Record-Route" as
   * the P-CSCF sits between two networks): the one facing the UE (its listener and transport)
   * and the one facing the core (our name). This returns the one nearer the next hop's
   * opposite end; beforeForward adds the other on top.
   */
  recordRoute(rc: RequestContext, _target: ProxyTarget): string | undefined {
    const state = stateOf(rc);
    if (!state) return undefined;
    if (state.kind === 'originating') return this.ctx.ueSideUri(state.ueFlow, state.token);
    if (state.kind === 'terminating') return this.ctx.coreSideUri(state.token);
    return undefined;
  }

  beforeForward(request: SipRequest, _target: ProxyTarget, rc: RequestContext): void {
    const state = stateOf(rc);
    if (!state) return;
    let second: string | undefined;
    if (state.kind === 'originating') second = this.ctx.coreSideUri(state.token);
    else if (state.kind === 'terminating') second = this.ctx.ueSideUri(state.ueFlow, state.token);
    const first = request.recordRoutes[0]?.uriText;
    if (second && first !== undefined && first !== second)
      request.headers.prepend('Record-Route', `<${second}>`);
  }

  beforeResponse(response: SipResponse, rc: RequestContext): void {
    const state = stateOf(rc);
    if (!state) return;
    if (state.kind === 'register') registerResponse(this.ctx, response, rc);
    if (TOWARDS_UE.has(state.kind) && response.status === 500 && rc.data.flowFailed === true) {
      // RFC 5626 §5.3: the flow failed under the request (the proxy core made a 503, then 500).
      response.status = 430;
      response.reason = 'Flow Failed';
    }
    if (TOWARDS_UE.has(state.kind)) {
      // The UE's response enters the network: TS 24.229 §5.2.7 asserts its identity.
      removeUntrustedHeaders(response);
      if (state.kind === 'terminating' && response.status < 300) this.assertResponder(response, state);
    } else removeNetworkHeaders(response);
    if (rc.request.method === 'INVITE' && response.status > 100 && response.status < 300 && isSdp(response))
      this.emit({
        type: 'answer',
        direction: TOWARDS_UE.has(state.kind) ? 'terminating' : 'originating',
        callId: response.callId,
        sdp: response.body.toString('utf8'),
        status: response.status,
        ...(state.registration ? { servedIdentity: state.registration.associatedUris[0]! } : {}),
      });
  }

  /**
   * A 503 on a branch over a UE's connection: taken as the connection failing while sending
   * (RFC 5626 §5.3), remembered for a 430 upstream. DEVIATION: a 503 the UE itself sends is
   * taken the same way (the proxy core does not say which it was).
   */
  onBranchFailure(response: SipResponse, target: ProxyTarget, rc: RequestContext): undefined {
    if (response.status === 503 && target.destination?.connectionId !== undefined) {
      const state = stateOf(rc);
      if (state && TOWARDS_UE.has(state.kind)) rc.data.flowFailed = true;
    }
    return undefined;
  }

  onFinalResponse(response: SipResponse, rc: RequestContext): void {
    const state = stateOf(rc);
    if (!state || rc.request.method !== 'INVITE' || response.status < 300 || rc.request.to.tag !== undefined)
      return;
    this.emit({
      type: 'terminated',
      direction: TOWARDS_UE.has(state.kind) ? 'terminating' : 'originating',
      callId: response.callId,
      reason: 'failure',
    });
  }

  /** RFC 5626 §5.3: an ACK (or CANCEL without context) whose Route named a UE's flow goes over it. */
  statelessDestination(
    request: SipRequest,
    flow: Flow,
    removedRoutes: readonly NameAddr[],
  ): Destination | undefined {
    const ueFlow = this.ctx.flowTowardsUe(removedRoutes, flow);
    if (!ueFlow) {
      removeUntrustedHeaders(request);
      return undefined;
    }
    removeNetworkHeaders(request);
    return flowDestination(ueFlow);
  }

  /** TS 24.229 §5.2.7: P-Preferred-Identity of the UE's response turned into P-Asserted-Identity. */
  private assertResponder(response: SipResponse, state: RequestState): void {
    const registration = state.registration;
    if (!registration) return;
    let preferred: string[] = [];
    try {
      preferred = response.all(P_PREFERRED_IDENTITY).map((p) => p.uriText);
    } catch (err) {
      if (!(err instanceof SipParseError)) throw err;
    }
    response.headers.delete('P-Preferred-Identity');
    const match = preferred
      .map((p) => registration.associatedUris.find((a) => aorKey(a) === aorKey(p)))
      .find((a) => a !== undefined);
    response.headers.set('P-Asserted-Identity', `<${match ?? registration.associatedUris[0]!}>`);
  }

  /** The Rx seam: offers in INVITEs, and BYEs, seen in either direction. */
  private sessionEvents(request: SipRequest, direction: SessionDirection): void {
    if (!this.ctx.qos) return;
    if (request.method === 'INVITE' && isSdp(request))
      this.emit({ type: 'offer', direction, callId: request.callId, sdp: request.body.toString('utf8') });
    else if (request.method === 'BYE')
      this.emit({ type: 'terminated', direction, callId: request.callId, reason: 'bye' });
  }

  private emit(event: Parameters<NonNullable<PcscfContext['qos']>['onSessionEvent']>[0]): void {
    const qos = this.ctx.qos;
    if (!qos) return;
    Promise.resolve()
      .then(() => qos.onSessionEvent(event))
      .catch((err: unknown) => this.ctx.logger.warn({ err: String(err) }, 'QoS hook failed'));
  }
}

/** True if a Service-Route value names the host and port of `uri` (Record-Route and Service-Route of one S-CSCF). */
function sameHostPort(serviceRoute: string, uri: SipUri): boolean {
  let route: NameAddr;
  try {
    route = parseNameAddr(serviceRoute, 'Service-Route');
  } catch {
    return false;
  }
  const r = route.uri;
  return (
    r instanceof SipUri &&
    r.host.toLowerCase() === uri.host.toLowerCase() &&
    (r.port ?? defaultPort(r)) === (uri.port ?? defaultPort(uri))
  );
}

function defaultPort(uri: SipUri): number {
  return uri.scheme === 'sips' || uri.params.get('transport')?.toLowerCase() === 'tls' ? 5061 : 5060;
}
