import {
  type Contact,
  formatAuth,
  P_ASSOCIATED_URI,
  parseUri,
  SERVICE_ROUTE,
  type SipResponse,
  SipUri,
  uriEquals,
  WWW_AUTHENTICATE,
} from '../../sip/message/index.ts';
import type { RequestContext, RoutingDecision } from '../../sip/proxy/index.ts';
import { removeUntrustedHeaders } from './p-header-filter.ts';
import type { PcscfContext, RequestState } from './pcscf-context.ts';
import type { UeContact, UeRegistration } from './registration-table.ts';

/** What a REGISTER in progress remembers for its 200 (OK). */
interface RegisterState extends RequestState {
  impu: string;
  /** The UE's Contact URIs (empty: a query; '*': remove all). */
  contacts: string[] | '*';
  /** RFC 5626: the contacts carry a reg-id, each flow of the UE is a binding of its own. */
  outbound: boolean;
}

function hasTag(values: string[], tag: string): boolean {
  return values.some((v) => v.split(',').some((t) => t.trim().toLowerCase() === tag));
}

/** The next hop of REGISTERs: the I-CSCF (configured), else the home domain by RFC 3263. */
function registrarRoute(ctx: PcscfContext): string {
  const uri = SipUri.parse(ctx.config.icscf ?? `sip:${ctx.config.domain}`);
  if (!uri.hasParam('lr')) uri.params.set('lr', null);
  return `<${uri.toString()}>`;
}

/**
 * TS 24.229 §5.2.2.1: a REGISTER from a UE gets a Path naming its flow (RFC 3327, with an
 * RFC 5626 flow token), `path` in Supported, a charging vector and goes to the I-CSCF.
 */
export function routeRegister(ctx: PcscfContext, rc: RequestContext): RoutingDecision {
  const request = rc.request;
  // RFC 3329 §2.3.1 (TS 33.203 §7 with TLS): the agreement comes first.
  const agreement = ctx.secAgree.check(request, rc.flow);
  if (agreement.kind === 'required')
    return { action: 'respond', status: 494, reason: agreement.reason, headers: agreement.headers };
  ctx.secAgree.strip(request);
  removeUntrustedHeaders(request);
  const contacts = request.contacts;
  const token = ctx.tokens.encode(rc.flow);
  // RFC 5626 §5.1: "ob" tells the registrar this edge proxy keeps the flow (outbound UEs).
  const outbound =
    contacts.some((c) => c !== '*' && (c as Contact).regId !== undefined) &&
    hasTag(request.headers.values('Supported'), 'outbound');
  // RFC 3327 §5.2: the proxy puts its URI on top of Path.
  request.headers.prepend('Path', `<${ctx.coreSideUri(token, outbound ? ';ob' : '')}>`);
  const supported = request.headers.values('Supported');
  if (!hasTag(supported, 'path')) request.headers.set('Supported', [...supported, 'path'].join(', '));
  // TS 24.229 §5.2.2.1: icid and a type 1 orig-ioi naming the network of the P-CSCF.
  request.headers.set('P-Charging-Vector', ctx.chargingVector());
  if (ctx.config.visitedNetworkId)
    request.headers.set('P-Visited-Network-ID', `"${ctx.config.visitedNetworkId}"`);
  // The UE's pre-loaded route ends here (the routes naming us are already removed).
  request.headers.delete('Route');
  const state: RegisterState = {
    kind: 'register',
    ueFlow: rc.flow,
    token,
    impu: request.to.uriText,
    contacts: contacts.includes('*') ? '*' : contacts.map((c) => (c as Contact).uriText),
    outbound,
    ...(agreement.kind === 'agreed' ? { secAgree: agreement.mechanism } : {}),
  };
  rc.data.state = state;
  return { action: 'forward', targets: [{ uri: request.uri, routes: [registrarRoute(ctx)] }] };
}

function sameUri(a: string, b: string): boolean {
  try {
    return uriEquals(parseUri(a), parseUri(b));
  } catch {
    return a === b;
  }
}

/**
 * TS 24.229 §5.2.2.1: from the 200 (OK) the P-CSCF keeps the implicitly registered set
 * (P-Associated-URI), the Service-Route and the UE's bindings with their expiry; then, after
 * the first registration of the user, subscribes to its reg event (§5.2.3).
 */
export function registerResponse(ctx: PcscfContext, response: SipResponse, rc: RequestContext): void {
  const state = rc.data.state as RegisterState;
  if (response.status === 401) removeAkaKeys(response);
  if (response.status < 200 || response.status >= 300 || state.contacts.length === 0) return;
  const now = Date.now();
  let ueContacts: UeContact[] = [];
  if (state.contacts !== '*') {
    const defaultExpires = response.expires ?? 3600;
    const registered = state.contacts;
    for (const c of response.contacts) {
      if (c === '*') continue;
      const contact = c as Contact;
      if (!registered.some((r) => sameUri(r, contact.uriText))) continue;
      const expires = contact.expires ?? defaultExpires;
      if (expires > 0) ueContacts.push({ uri: contact.uriText, expiresAt: now + expires * 1000 });
    }
  }
  if (state.contacts === '*') ueContacts = [];
  const associatedUris = response.all(P_ASSOCIATED_URI).map((a) => a.uriText);
  const serviceRoute = response.all(SERVICE_ROUTE).map((r) => r.toString());
  if (!state.outbound) ctx.registrations.releaseElsewhere(state.ueFlow, state.impu, state.contacts);
  const registration = ctx.registrations.save(state.ueFlow, state.impu, {
    associatedUris,
    serviceRoute,
    contacts: ueContacts,
    ...(state.secAgree ? { secAgree: state.secAgree } : {}),
  });
  if (!registration) {
    ctx.logger.info({ impu: state.impu }, 'UE de-registered');
    return;
  }
  ctx.logger.info(
    { impu: state.impu, associatedUris, contacts: ueContacts.length, flow: registration.flowKey },
    'UE registered',
  );
  subscribeRegEvent(ctx, registration, now);
}

/** TS 24.229 §5.2.3: the reg event subscription for a registration's default identity, if none yet. */
export function subscribeRegEvent(ctx: PcscfContext, registration: UeRegistration, now = Date.now()): void {
  const identity = registration.associatedUris[0]!;
  if (ctx.regEvent && ctx.config.subscribeRegEvent && !ctx.regEvent.has(identity)) {
    const expires = Math.ceil((Math.max(...registration.contacts.map((c) => c.expiresAt)) - now) / 1000);
    ctx.regEvent.subscribe(identity, registration.serviceRoute, expires);
  }
}

/**
 * TS 24.229 §5.2.2.1: on a 401 to REGISTER the P-CSCF "shall remove the "ck" and "ik"
 * WWW-Authenticate header field parameters" before forwarding it (the keys are for the
 * P-CSCF's IPsec security associations and never go to the UE).
 */
function removeAkaKeys(response: SipResponse): void {
  if (!response.headers.has('WWW-Authenticate')) return;
  const values = response.all(WWW_AUTHENTICATE).map((challenge) => {
    const params = Object.fromEntries(
      Object.entries(challenge.params).filter(([name]) => !/^(ck|ik)$/i.test(name)),
    );
    return formatAuth({ scheme: challenge.scheme, params }, 'challenge');
  });
  response.headers.set('WWW-Authenticate', values);
}
