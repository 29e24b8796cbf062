import type { RequestContext, RoutingDecision } from '../../sip/proxy/index.ts';
import type { Flow } from '../../sip/transport/types.ts';
import { flowDestination } from './flow-token.ts';
import { removeNetworkHeaders } from './p-header-filter.ts';
import type { PcscfContext, RequestState } from './pcscf-context.ts';

/**
 * TS 24.229 §5.2.7 and RFC 5626 §5.3: a request whose Route named our Path (or Record-Route)
 * with a flow token goes to the UE over that flow: the same connection for TCP, TLS, WS and
 * WSS, the NAT-ed address for UDP. A closed connection answers 430 (Flow Failed).
 */
export function routeTowardsUe(ctx: PcscfContext, rc: RequestContext, ueFlow: Flow): RoutingDecision {
  const request = rc.request;
  const initial = request.to.tag === undefined;
  if (!ctx.flowAlive(ueFlow))
    // RFC 5626 §5.3: "the edge proxy MUST ... reject the request with a 430 (Flow Failed)".
    return { action: 'respond', status: 430, reason: 'Flow Failed' };
  const registrations = ctx.registrations.onFlow(ueFlow);
  if (initial && registrations.length === 0)
    return { action: 'respond', status: 480, reason: 'No registration on this flow' };
  removeNetworkHeaders(request);
  const state: RequestState = {
    kind: initial ? 'terminating' : 'to-ue',
    ueFlow,
    token: ctx.tokens.encode(ueFlow),
    ...(registrations[0] ? { registration: registrations[0] } : {}),
  };
  rc.data.state = state;
  return { action: 'forward', targets: [{ uri: request.uri, destination: flowDestination(ueFlow) }] };
}
