/**
 * The S-CSCF's session routing (TS 24.229 §5.4.3, TS 23.218 §6): originating and terminating
 * iFC evaluation, ISC towards application servers with an original dialog identifier, then
 * routing to the callee (I-CSCF, ENUM, BGCF, other domains) or to the callee's contacts.
 * Composed into the S-CSCF's ProxyPolicy by the registrar side: `route` for requests outside
 * the registrar's own, the other methods as the policy hooks of the same names.
 */
import { e164Of, isTelephoneNumber } from '../../../ims/identity.ts';
import { type IfcEvaluationContext, nextMatchingIfc } from '../../../ims/ifc/evaluate.ts';
import { DefaultHandling, type InitialFilterCriteria, SessionCase } from '../../../ims/ifc/model.ts';
import type { Logger } from '../../../log/logger.ts';
import {
  parseSipUri,
  parseUri,
  type SipRequest,
  type SipResponse,
  SipUri,
} from '../../../sip/message/index.ts';
import type { ProxyTarget, RequestContext, RoutingDecision } from '../../../sip/proxy/proxy-policy.ts';
import { answerOptions, type OwnCapabilities } from '../../../sip/proxy/uas-checks.ts';
import type { Binding, Registration, RegistrationStore } from '../../../store/registrations/types.ts';
import type { ScscfConfig } from '../config.ts';
import { addChargingFunctionAddresses, ensureChargingVector, removeChargingHeaders } from './charging.ts';
import { EnumResolver } from './enum-resolver.ts';
import { ODI_PREFIX, type OriginalDialogState, OriginalDialogTable } from './odi-table.ts';
import { addTelIdentity, assertedIdentities, identityCandidates, routeUser } from './request-identities.ts';
import { ServiceProfileCache, UserProfileError } from './service-profile-cache.ts';

export interface SessionRouterDeps {
  config: ScscfConfig;
  registrations: RegistrationStore;
  logger: Logger;
  /** sip:<sip.host>:<sip.port>, e.g. sip:scscf.ims.test:6060. */
  selfUri: SipUri;
  /** TS 24.229 §5.4.3.3: Cx SAR UNREGISTERED_USER → the record of an unregistered user with services, or undefined. */
  assignUnregistered(impu: string): Promise<Registration | undefined>;
  /** For tests: the ENUM resolver (its DNS client) to use. */
  enumResolver?: EnumResolver;
  /**
   * RFC 5626 §5.3: the edge proxy said 430 (Flow Failed) for a registered contact: its binding
   * of the record holding `impu` is stale and goes.
   */
  flowFailed?(impu: string, contact: string): Promise<void>;
}

/** The user part of the Service-Route the registrar hands out: `<sip:orig@host:port;lr>`. */
export const ORIG_USER = 'orig';

/** One request being served: whose services run, in which case, how far evaluation went. */
interface Session extends OriginalDialogState {
  record: Registration;
  ifcs: InitialFilterCriteria[];
}

/** What a target is, for the hooks that see only the target. */
type TargetRole =
  | { role: 'as'; session: Session; ifc: InitialFilterCriteria; odi: string }
  | { role: 'contact'; session: Session; contact: string }
  | { role: 'icscf' | 'bgcf'; session?: Session }
  | { role: 'foreign'; session?: Session };

const ORIGINATING = new Set([
  SessionCase.ORIGINATING_SESSION,
  SessionCase.ORIGINATING_UNREGISTERED,
  SessionCase.ORIGINATING_CDIV,
]);

const respond = (status: number, reason?: string): RoutingDecision => ({ action: 'respond', status, reason });

/** What the S-CSCF says of itself to an OPTIONS addressed to it (RFC 3261 §11). */
export const SCSCF_CAPABILITIES: OwnCapabilities = {
  allow:
    'REGISTER, INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, SUBSCRIBE, NOTIFY, PUBLISH, REFER, UPDATE, PRACK, INFO',
  /** Option tags of the S-CSCF as a UAS: the registrar's (RFC 3327 Path, RFC 5626 outbound). */
  supported: ['path', 'outbound'],
};

export class SessionRouter {
  private readonly logger: Logger;
  private readonly config: ScscfConfig['routing'];
  private readonly odi: OriginalDialogTable;
  private readonly profiles = new ServiceProfileCache();
  private readonly enum: EnumResolver;
  private readonly roles = new WeakMap<ProxyTarget, TargetRole>();
  private readonly domains: Set<string>;

  constructor(private readonly deps: SessionRouterDeps) {
    this.logger = deps.logger.child({ component: 'session-routing' });
    this.config = deps.config.routing;
    this.odi = new OriginalDialogTable(this.config.odi.maxEntries, this.config.odi.ttlMs);
    this.enum = deps.enumResolver ?? new EnumResolver(this.config.enum, this.logger);
    this.domains = new Set(deps.config.domains.map((d) => d.toLowerCase()));
  }

  /** Original dialog identifiers held (for status and tests). */
  get pendingServiceHops(): number {
    return this.odi.size;
  }

  close(): void {
    this.enum.close();
  }

  async route(ctx: RequestContext): Promise<RoutingDecision> {
    // Requests inside a dialog follow the route set our Record-Route put there.
    if (ctx.request.to.tag !== undefined) return { action: 'relay' };
    // RFC 3261 §11: an OPTIONS for the S-CSCF itself (a keep-alive, a capability query) is
    // answered here as its UAS, before the originating/terminating decision.
    if (this.isOptionsForUs(ctx)) return answerOptions(ctx.request, SCSCF_CAPABILITIES);
    try {
      for (const r of ctx.removedRoutes) {
        const user = routeUser(r);
        if (user === ORIG_USER) return await this.originating(ctx);
        if (user?.startsWith(ODI_PREFIX)) return await this.returnFromAs(ctx, user);
      }
      return await this.terminating(ctx);
    } catch (err) {
      if (!(err instanceof UserProfileError)) throw err;
      this.logger.error({ err: err.message }, 'user profile unreadable');
      return respond(500, 'User Profile Unreadable');
    }
  }

  /**
   * An OPTIONS with no Route left whose Request-URI names us without a user part: our own URI,
   * or the very address and port it arrived on.
   */
  private isOptionsForUs(ctx: RequestContext): boolean {
    const { request, flow } = ctx;
    if (request.method !== 'OPTIONS' || request.headers.has('Route')) return false;
    const uri = request.uri;
    if (!(uri instanceof SipUri) || uri.user) return false;
    const host = uri.host.toLowerCase().replace(/^\[|\]$/g, '');
    const port = uri.port ?? (uri.scheme === 'sips' ? 5061 : 5060);
    const self = this.deps.selfUri;
    if (host === self.host.toLowerCase() && port === (self.port ?? 5060)) return true;
    return host === flow.local.host.toLowerCase() && port === flow.local.port;
  }

  /**
   * TS 24.229 §5.4.3.2 step 1: the request came over the Service-Route; the served user is the
   * asserted identity, which must be a registered, non-barred identity of one of our records.
   */
  private async originating(ctx: RequestContext): Promise<RoutingDecision> {
    const request = ctx.request;
    if (!request.headers.has('P-Asserted-Identity')) return respond(403, 'No P-Asserted-Identity');
    for (const identity of assertedIdentities(request)) {
      const record = await this.deps.registrations.get(identity);
      if (record?.state !== 'registered' || record.barred.includes(identity)) continue;
      this.addChargingHeaders(request, record);
      addTelIdentity(request, record.impus, record.barred);
      const session: Session = {
        sessionCase: SessionCase.ORIGINATING_SESSION,
        servedUser: identity,
        registered: true,
        lastPriority: -1,
        record,
        ifcs: this.profiles.ifcsFor(record, identity),
      };
      return this.proceed(ctx, session);
    }
    return respond(403, 'Originating User Not Registered');
  }

  /**
   * TS 24.229 §5.4.3.3 step 1: a request for one of our users (from the I-CSCF, or straight
   * from another S-CSCF in 'direct' mode): the callee's record, or Cx SAR for an unregistered
   * callee with services; 404 for identities we do not serve or barred ones.
   */
  private async terminating(ctx: RequestContext): Promise<RoutingDecision> {
    const request = ctx.request;
    const found = await this.findCallee(request);
    if (!found) {
      if (!this.isOurs(request)) return respond(403, 'Not An Originating Request Nor One For Our Users');
      return respond(404, 'Not Found');
    }
    const { record, identity } = found;
    if (record.barred.includes(identity)) return respond(404, 'Not Found');
    return this.proceed(ctx, this.terminatingSession(request, record, identity));
  }

  /** The callee's record: ours already, else the HSS's for an unregistered user (SAR). */
  private async findCallee(
    request: SipRequest,
  ): Promise<{ record: Registration; identity: string } | undefined> {
    const candidates = identityCandidates(request.uri);
    for (const identity of candidates) {
      const record = await this.deps.registrations.get(identity);
      if (record) return { record, identity };
    }
    if (!this.isOurs(request)) return undefined;
    for (const identity of candidates) {
      const record = await this.deps.assignUnregistered(identity);
      if (record) return { record, identity };
    }
    return undefined;
  }

  private terminatingSession(request: SipRequest, record: Registration, identity: string): Session {
    const registered = record.state === 'registered' && liveBindings(record).length > 0;
    // TS 24.229 §5.4.3.3 step 7: P-Called-Party-ID holds the Request-URI as received.
    request.headers.set('P-Called-Party-ID', `<${request.uriText}>`);
    this.addChargingHeaders(request, record);
    return {
      sessionCase: registered ? SessionCase.TERMINATING_REGISTERED : SessionCase.TERMINATING_UNREGISTERED,
      servedUser: identity,
      registered,
      lastPriority: -1,
      calledParty: request.uriText,
      record,
      ifcs: this.profiles.ifcsFor(record, identity),
    };
  }

  /**
   * TS 24.229 §5.4.3.2 step 4, §5.4.3.3 step 3, TS 23.218 §6.5: the request came back from an
   * AS with our original dialog identifier: evaluation resumes after that AS's iFC.
   */
  private async returnFromAs(ctx: RequestContext, token: string): Promise<RoutingDecision> {
    const state = this.odi.get(token);
    if (!state) return respond(403, 'Unknown Or Expired Original Dialog Identifier');
    const record =
      (await this.deps.registrations.get(state.servedUser)) ??
      (ORIGINATING.has(state.sessionCase) ? undefined : await this.deps.assignUnregistered(state.servedUser));
    if (!record) return respond(480, 'Served User No Longer Known');
    let session: Session = { ...state, record, ifcs: this.profiles.ifcsFor(record, state.servedUser) };
    if (!ORIGINATING.has(state.sessionCase)) {
      const now = identityCandidates(ctx.request.uri);
      if (!now.includes(state.servedUser)) {
        // TS 24.229 §5.4.3.3 step 3 (retargeted by the AS, e.g. call forwarding): the served
        // user's originating-CDIV iFCs run, then the request goes to the new target.
        session = { ...session, sessionCase: SessionCase.ORIGINATING_CDIV, lastPriority: -1 };
      }
    }
    return this.proceed(ctx, session);
  }

  /** The next AS whose iFC matches, else the exit of this session case. */
  private async proceed(ctx: RequestContext, session: Session): Promise<RoutingDecision> {
    ctx.data.session = session;
    const evaluation: IfcEvaluationContext = {
      sessionCase: session.sessionCase,
      registered: session.registered,
    };
    const ifc = nextMatchingIfc(session.ifcs, ctx.request, evaluation, session.lastPriority);
    if (ifc) return this.toApplicationServer(ctx, session, ifc);
    if (ORIGINATING.has(session.sessionCase)) return this.towardsCallee(ctx, session);
    return this.toContacts(session);
  }

  /**
   * TS 24.229 §5.4.3.2 step 4 / §5.4.3.3 step 3: the AS goes on top of the Route, our URI
   * with the original dialog identifier under it; the Request-URI is kept.
   */
  private toApplicationServer(
    ctx: RequestContext,
    session: Session,
    ifc: InitialFilterCriteria,
  ): RoutingDecision {
    let as: SipUri;
    try {
      as = parseSipUri(ifc.applicationServer.serverName);
    } catch {
      this.logger.warn({ as: ifc.applicationServer.serverName }, 'iFC names an unusable AS; skipped');
      return respond(500, 'Bad Application Server Name');
    }
    if (!as.hasParam('lr')) as.params = [...as.params, ['lr', null]];
    const { record: _record, ifcs: _ifcs, ...state } = session;
    const odi = this.odi.add({ ...state, lastPriority: ifc.priority });
    const back = new SipUri({
      user: odi,
      host: this.deps.selfUri.host,
      port: this.deps.selfUri.port,
      params: [['lr', null]],
    });
    const target: ProxyTarget = {
      uri: ctx.request.uri,
      routes: [`<${as}>`, `<${back}>`],
      responseTimeout: this.config.asTimeoutMs,
    };
    this.roles.set(target, { role: 'as', session, ifc, odi });
    this.logger.debug(
      { as: as.toString(), priority: ifc.priority, sessionCase: session.sessionCase },
      'request sent to application server',
    );
    return { action: 'forward', targets: [target] };
  }

  /**
   * TS 24.229 §5.4.3.2 step 10: after the originating services, towards the callee: numbers
   * through ENUM (a SIP URI), else the I-CSCF or the BGCF (`unresolvedNumbers`); our domain
   * through the I-CSCF (or straight to the terminating handling when 'direct' and the callee is
   * ours); other domains by RFC 3263.
   */
  private async towardsCallee(ctx: RequestContext, session: Session): Promise<RoutingDecision> {
    const request = ctx.request;
    let uri = request.uri;
    if (isTelephoneNumber(uri)) {
      if (this.config.terminatingVia === 'direct') {
        const local = await this.localCallee(ctx);
        if (local) return local;
      }
      const number = e164Of(uri);
      const mapped = number === undefined ? undefined : await this.enum.lookup(number);
      if (mapped === undefined)
        return this.config.unresolvedNumbers === 'icscf'
          ? this.forwardTo(request.uri, this.config.icscf, 'icscf', session)
          : this.forwardTo(request.uri, this.config.bgcf, 'bgcf', session);
      try {
        uri = parseUri(mapped);
      } catch {
        this.logger.warn({ number, mapped }, 'ENUM gave an unusable URI; breaking out to the BGCF');
        return this.forwardTo(request.uri, this.config.bgcf, 'bgcf', session);
      }
      request.uri = uri;
    }
    if (uri instanceof SipUri && this.domains.has(uri.host.toLowerCase())) {
      if (this.config.terminatingVia === 'direct') {
        const local = await this.localCallee(ctx);
        if (local) return local;
      }
      return this.forwardTo(uri, this.config.icscf, 'icscf', session);
    }
    const target: ProxyTarget = { uri };
    this.roles.set(target, { role: 'foreign', session });
    return { action: 'forward', targets: [target] };
  }

  /**
   * 'direct' mode: a callee with a record here (or one the HSS assigns us as unregistered) is
   * served at once, as the terminating S-CSCF; undefined sends the request to the I-CSCF.
   */
  private async localCallee(ctx: RequestContext): Promise<RoutingDecision | undefined> {
    const found = await this.findCallee(ctx.request);
    if (!found) return undefined;
    if (found.record.barred.includes(found.identity)) return respond(404, 'Not Found');
    return this.proceed(ctx, this.terminatingSession(ctx.request, found.record, found.identity));
  }

  private forwardTo(
    uri: ProxyTarget['uri'],
    via: string,
    role: 'icscf' | 'bgcf',
    session: Session,
  ): RoutingDecision {
    const next = parseSipUri(via);
    if (!next.hasParam('lr')) next.params = [...next.params, ['lr', null]];
    const target: ProxyTarget = { uri, routes: [`<${next}>`] };
    this.roles.set(target, { role, session });
    return { action: 'forward', targets: [target] };
  }

  /**
   * TS 24.229 §5.4.3.3 step 10: to every registered contact at once (parallel forking), each
   * through the Path it registered with; an unregistered callee whose services did not take
   * the request gets 480.
   */
  private toContacts(session: Session): RoutingDecision {
    const bindings = session.record.state === 'registered' ? liveBindings(session.record) : [];
    const targets: ProxyTarget[] = [];
    for (const b of bindings) {
      try {
        const target: ProxyTarget = { uri: parseUri(b.contact), routes: b.path };
        this.roles.set(target, { role: 'contact', session, contact: b.contact });
        targets.push(target);
      } catch {
        this.logger.warn({ contact: b.contact }, 'registered contact unusable; skipped');
      }
    }
    if (targets.length === 0) return respond(480, 'Temporarily Unavailable');
    return { action: 'forward', targets, forking: 'parallel' };
  }

  /** RFC 3261 §16.6 step 4: stay on the path, with a leg marker so a request looping back to us works. */
  recordRoute(_ctx: RequestContext, target: ProxyTarget): string | undefined {
    const role = this.roles.get(target);
    if (!this.config.recordRoute || !role?.session) return undefined;
    const leg = ORIGINATING.has(role.session.sessionCase) ? 'orig' : 'term';
    const self = this.deps.selfUri;
    return `<sip:${self.host}${self.port ? `:${self.port}` : ''};lr;${leg}>`;
  }

  beforeForward(request: SipRequest, target: ProxyTarget, _ctx: RequestContext): void {
    const role = this.roles.get(target);
    if (!role) return;
    request.headers.delete('P-Served-User');
    if (role.role === 'as') {
      // RFC 5502 §6, TS 24.229 §5.4.3.2 step 4: the AS learns whom it serves and in which case.
      const s = role.session;
      const sescase = ORIGINATING.has(s.sessionCase) ? 'orig' : 'term';
      const regstate = s.registered ? 'reg' : 'unreg';
      request.headers.set('P-Served-User', `<${s.servedUser}>;sescase=${sescase};regstate=${regstate}`);
    } else if (role.role === 'foreign') {
      removeChargingHeaders(request);
    }
  }

  /**
   * TS 24.229 §5.4.3.3: responses of the terminating leg carry the callee's charging function
   * addresses back towards the originating side (inside the trust domain).
   */
  beforeResponse(response: SipResponse, ctx: RequestContext): void {
    // RFC 5626 §11.5: "Endpoints should never receive a 430": every flow of the callee failed.
    if (response.status === 430) {
      response.status = 480;
      response.reason = 'Temporarily Unavailable';
    }
    const session = ctx.data.session as Session | undefined;
    if (!session || ORIGINATING.has(session.sessionCase) || response.status < 180) return;
    addChargingFunctionAddresses(response, session.record);
  }

  /**
   * TS 24.229 §5.4.3.2 step 4 NOTE / TS 23.218 §6.4.3: an AS that does not answer (408) or
   * fails (5xx): SESSION_CONTINUED goes on as if it were not there, SESSION_TERMINATED ends the
   * session with its failure.
   */
  async onBranchFailure(
    response: SipResponse,
    target: ProxyTarget,
    ctx: RequestContext,
  ): Promise<ProxyTarget[] | undefined> {
    const role = this.roles.get(target);
    if (role?.role === 'contact' && response.status === 430) {
      // RFC 5626 §5.3: the authoritative proxy drops the binding of a failed flow (its other
      // flows, forked to in parallel, are tried already); the UE registers again.
      this.logger.info({ contact: role.contact }, 'flow failed (430): binding removed');
      this.deps
        .flowFailed?.(role.session.record.impus[0]!, role.contact)
        .catch((err: unknown) =>
          this.logger.warn({ err: (err as Error).message }, 'stale binding not removed'),
        );
      return undefined;
    }
    if (role?.role !== 'as') return undefined;
    if (response.status !== 408 && response.status < 500) return undefined;
    this.odi.delete(role.odi);
    const handling = role.ifc.applicationServer.defaultHandling ?? DefaultHandling.SESSION_CONTINUED;
    this.logger.info(
      {
        as: role.ifc.applicationServer.serverName,
        status: response.status,
        handling: DefaultHandling[handling],
      },
      'application server failed',
    );
    if (handling === DefaultHandling.SESSION_TERMINATED) return undefined;
    const decision = await this.proceed(ctx, { ...role.session, lastPriority: role.ifc.priority });
    return decision.action === 'forward' ? decision.targets : undefined;
  }

  private addChargingHeaders(request: SipRequest, record: Registration): void {
    ensureChargingVector(request, this.deps.selfUri.host);
    addChargingFunctionAddresses(request, record);
  }

  private isOurs(request: SipRequest): boolean {
    const uri = request.uri;
    if (uri instanceof SipUri) return this.domains.has(uri.host.toLowerCase());
    return e164Of(uri) !== undefined;
  }
}

function liveBindings(record: Registration): Binding[] {
  const now = Date.now();
  return record.bindings.filter((b) => b.expiresAt > now);
}
