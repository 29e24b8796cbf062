import { P_PREFERRED_IDENTITY, SipParseError, type SipRequest } from '../../sip/message/index.ts';
import type { RequestContext, RoutingDecision } from '../../sip/proxy/index.ts';
import type { Flow } from '../../sip/transport/types.ts';
import { removeUntrustedHeaders } from './p-header-filter.ts';
import type { PcscfContext, RequestState } from './pcscf-context.ts';
import { aorKey, type UeRegistration } from './registration-table.ts';

/** The asserted identity of an originating request, or why there is none. */
type Assertion =
  | { ok: true; registration: UeRegistration; identity: string }
  | { ok: false; status: number; reason: string };

/**
 * TS 24.229 §5.2.6.3.1: "if the P-Preferred-Identity header field ... matches one of the
 * registered public user identities, the P-CSCF shall identify the initiator ... by that
 * public user identity"; absent or not matching, by "a default public user identity".
 * Operator policy `unknownPreferredIdentity: reject` answers 403 for the latter instead.
 */
export function assertIdentity(
  ctx: PcscfContext,
  request: SipRequest,
  flow: Flow,
  registrations: readonly UeRegistration[],
): Assertion {
  let preferred: string[];
  try {
    preferred = request.all(P_PREFERRED_IDENTITY).map((p) => p.uriText);
  } catch (err) {
    if (!(err instanceof SipParseError)) throw err;
    return { ok: false, status: 400, reason: 'Bad P-Preferred-Identity' };
  }
  request.headers.delete('P-Preferred-Identity');
  for (const p of preferred) {
    const r = ctx.registrations.onFlowWithIdentity(flow, p);
    const key = aorKey(p);
    const match = r?.associatedUris.find((a) => aorKey(a) === key);
    if (r && match) return { ok: true, registration: r, identity: match };
  }
  if (preferred.length > 0 && ctx.config.unknownPreferredIdentity === 'reject')
    return { ok: false, status: 403, reason: 'P-Preferred-Identity not registered' };
  // The default public user identity: of the registration the From names, else the first one.
  let fromUri: string | undefined;
  try {
    fromUri = request.from.uriText;
  } catch {
    fromUri = undefined;
  }
  const registration =
    (fromUri !== undefined ? ctx.registrations.onFlowWithIdentity(flow, fromUri) : undefined) ??
    registrations[0]!;
  return { ok: true, registration, identity: registration.associatedUris[0]! };
}

/**
 * TS 24.229 §5.2.6.3 (RFC 3608 §6): an initial request from a registered UE: the agreement
 * checked, the untrusted P-headers removed, P-Asserted-Identity set, a charging vector
 * created, and the route set replaced by the Service-Route of its registration.
 */
export function routeOriginating(
  ctx: PcscfContext,
  rc: RequestContext,
  registrations: readonly UeRegistration[],
): RoutingDecision {
  const request = rc.request;
  const agreement = ctx.secAgree.check(request, rc.flow);
  if (agreement.kind === 'required')
    return { action: 'respond', status: 494, reason: agreement.reason, headers: agreement.headers };
  ctx.secAgree.strip(request);
  removeUntrustedHeaders(request);
  const assertion = assertIdentity(ctx, request, rc.flow, registrations);
  if (!assertion.ok) return { action: 'respond', status: assertion.status, reason: assertion.reason };
  request.headers.set('P-Asserted-Identity', `<${assertion.identity}>`);
  // TS 24.229 §5.2.6.3.1: icid and a type 2 orig-ioi on the first request of a dialog or transaction.
  request.headers.set('P-Charging-Vector', ctx.chargingVector());
  // RFC 3608 §6, TS 24.229 §5.2.6.3.1: the Service-Route replaces the UE's pre-loaded route.
  request.headers.delete('Route');
  const state: RequestState = {
    kind: 'originating',
    ueFlow: rc.flow,
    token: ctx.tokens.encode(rc.flow),
    registration: assertion.registration,
  };
  rc.data.state = state;
  return {
    action: 'forward',
    targets: [{ uri: request.uri, routes: assertion.registration.serviceRoute }],
  };
}
