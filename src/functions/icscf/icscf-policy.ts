/**
 * The I-CSCF's decisions for its stateful proxy (TS 24.229 §5.3), read top to bottom: REGISTER
 * (register.ts), initial requests towards a public identity or PSI (terminating.ts), requests
 * inside a dialog relayed. It keeps no state per user: every decision comes from the HSS.
 */

import type { SipRequest, SipResponse, Uri } from '../../sip/message/index.ts';
import type { ProxyPolicy, ProxyTarget, RequestContext, RoutingDecision } from '../../sip/proxy/index.ts';
import { answerOptions } from '../../sip/proxy/uas-checks.ts';
import type { IcscfContext } from './icscf-context.ts';
import { registerAnswered, reselectForRegister, routeRegister } from './register.ts';
import { addProfileKey, routeInitial } from './terminating.ts';

/** Methods answered when a request is addressed to the I-CSCF itself (RFC 3261 §11). */
const ALLOW =
  'REGISTER, INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, SUBSCRIBE, NOTIFY, PUBLISH, REFER, UPDATE, PRACK, INFO';

export class IcscfPolicy implements ProxyPolicy {
  readonly capabilities = { allow: ALLOW, supported: [] };

  constructor(
    private readonly ctx: IcscfContext,
    /** Whether a URI designates this I-CSCF (StatefulProxy.isLocal). */
    private readonly isLocal: (uri: Uri) => boolean,
  ) {}

  route(context: RequestContext): RoutingDecision | Promise<RoutingDecision> {
    const { request } = context;
    // Requests inside a dialog, and requests with a route set beyond us: by their Route.
    if (request.to.tag !== undefined || request.headers.has('Route')) return { action: 'relay' };
    if (request.method === 'REGISTER') return routeRegister(this.ctx, context);
    if (this.isLocal(request.uri)) return this.addressedToUs(context);
    return routeInitial(this.ctx, context);
  }

  beforeForward(request: SipRequest, _target: ProxyTarget, context: RequestContext): void {
    addProfileKey(request, context);
  }

  onBranchFailure(response: SipResponse, _target: ProxyTarget, context: RequestContext) {
    if (context.request.method === 'REGISTER') return reselectForRegister(this.ctx, response, context);
    return undefined;
  }

  onFinalResponse(response: SipResponse, context: RequestContext): void {
    if (context.request.method === 'REGISTER') registerAnswered(this.ctx, response, context);
  }

  /** OPTIONS to the I-CSCF (a keep-alive or capability query) is answered here; nothing else is. */
  private addressedToUs(context: RequestContext): RoutingDecision {
    // RFC 3261 §11: answered as the UAS (400 when malformed, 420 for an unknown Require).
    if (context.request.method === 'OPTIONS') return answerOptions(context.request, this.capabilities);
    return { action: 'respond', status: 404, reason: 'No Such User Here' };
  }
}
