/**
 * The S-CSCF's session routing (TS 24.229 §5.4.3, TS 23.218 §6): originating and terminating
 * iFC evaluation, ISC towards application servers, routing to the callee. Plugged into the
 * S-CSCF's ProxyPolicy by the registrar side.
 */
import type { Logger } from '../../../log/logger.ts';
import type { SipRequest, SipResponse, SipUri } from '../../../sip/message/index.ts';
import type { ProxyTarget, RequestContext, RoutingDecision } from '../../../sip/proxy/proxy-policy.ts';
import type { Registration, RegistrationStore } from '../../../store/registrations/types.ts';
import type { ScscfConfig } from '../config.ts';

export interface SessionRouterDeps {
  config: ScscfConfig;
  registrations: RegistrationStore;
  logger: Logger;
  /** sip:<sip.host>:<sip.port>, e.g. sip:scscf.ims.test:6060. */
  selfUri: SipUri;
  /** TS 24.229 §5.4.3.3: Cx SAR UNREGISTERED_USER → the record of an unregistered user with services, or undefined. */
  assignUnregistered(impu: string): Promise<Registration | undefined>;
}

export class SessionRouter {
  constructor(private readonly deps: SessionRouterDeps) {}

  async route(_ctx: RequestContext): Promise<RoutingDecision> {
    return { action: 'respond', status: 500, reason: 'Session routing not implemented yet' };
  }

  recordRoute(_ctx: RequestContext, _target: ProxyTarget): string | undefined {
    return undefined;
  }

  beforeForward(_request: SipRequest, _target: ProxyTarget, _ctx: RequestContext): void {}

  beforeResponse(_response: SipResponse, _ctx: RequestContext): void {}

  async onBranchFailure(
    _response: SipResponse,
    _target: ProxyTarget,
    _ctx: RequestContext,
  ): Promise<ProxyTarget[] | undefined> {
    return undefined;
  }
}
