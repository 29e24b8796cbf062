/**
 * The S-CSCF's proxy policy, read top to bottom like the routes of a registrar script:
 * REGISTER for a home domain → the registrar (TS 24.229 §5.4.1); SUBSCRIBE to the reg event
 * of an identity registered here → the notifier (§5.4.2.1); everything else → session
 * routing (§5.4.3, routing/).
 */
import {
  createResponse,
  type SipRequest,
  type SipResponse,
  SipUri,
  type Uri,
} from '../../sip/message/index.ts';
import type {
  ProxyPolicy,
  ProxyTarget,
  RequestContext,
  RoutingDecision,
} from '../../sip/proxy/proxy-policy.ts';
import type { RegistrationStore } from '../../store/registrations/types.ts';
import type { ScscfConfig } from './config.ts';
import { eventPackage, type RegEventNotifier } from './reg-event-notifier.ts';
import type { Registrar } from './registrar.ts';
import { SCSCF_CAPABILITIES, type SessionRouter } from './routing/session-router.ts';
import { canonicalImpu } from './user-profile.ts';

export interface ScscfPolicyDeps {
  config: ScscfConfig;
  registrations: RegistrationStore;
  registrar: Registrar;
  notifier: RegEventNotifier;
  router: SessionRouter;
  /** Whether a URI names this S-CSCF (its host and port). */
  isLocal(uri: Uri): boolean;
}

export class ScscfPolicy implements ProxyPolicy {
  readonly capabilities = SCSCF_CAPABILITIES;
  readonly #domains: Set<string>;

  constructor(private readonly deps: ScscfPolicyDeps) {
    this.#domains = new Set(deps.config.domains.map((d) => d.toLowerCase()));
  }

  async route(ctx: RequestContext): Promise<RoutingDecision> {
    const { request } = ctx;
    if (request.method === 'REGISTER' && this.#isRegistrarUri(request.uri)) {
      void this.deps.registrar.handle(ctx);
      return { action: 'handled' };
    }
    if (
      request.method === 'SUBSCRIBE' &&
      eventPackage(request) === 'reg' &&
      (await this.#isRegWatch(request))
    ) {
      this.deps.notifier.handleSubscribe(ctx).catch(() => {
        // A failure inside the notifier: the subscriber tries again later.
        ctx.transaction.respond(createResponse(request, 500, { reason: 'reg event notifier error' }));
      });
      return { action: 'handled' };
    }
    return this.deps.router.route(ctx);
  }

  recordRoute(ctx: RequestContext, target: ProxyTarget): string | undefined {
    return this.deps.router.recordRoute(ctx, target);
  }

  beforeForward(request: SipRequest, target: ProxyTarget, ctx: RequestContext): void {
    this.deps.router.beforeForward(request, target, ctx);
  }

  beforeResponse(response: SipResponse, ctx: RequestContext): void {
    this.deps.router.beforeResponse(response, ctx);
  }

  onBranchFailure(response: SipResponse, target: ProxyTarget, ctx: RequestContext) {
    return this.deps.router.onBranchFailure(response, target, ctx);
  }

  /** RFC 3261 §10.3 step 1: a REGISTER for one of our domains (or naming us) is ours. */
  #isRegistrarUri(uri: Uri): boolean {
    if (!(uri instanceof SipUri)) return false;
    return this.#domains.has(uri.host.toLowerCase()) || this.deps.isLocal(uri);
  }

  /** A reg event SUBSCRIBE we answer: in one of our dialogs, or for an identity registered here. */
  async #isRegWatch(request: SipRequest): Promise<boolean> {
    if (request.to.tag !== undefined && this.deps.notifier.hasDialog(request)) return true;
    // In a dialog we do not know, with no Route left: ours to answer (481) when the identity is.
    if (request.to.tag !== undefined && request.headers.has('Route')) return false;
    let impu: string;
    try {
      impu = canonicalImpu(request.uri.toString());
    } catch {
      return false;
    }
    const record = await this.deps.registrations.get(impu);
    return record?.state === 'registered';
  }
}
