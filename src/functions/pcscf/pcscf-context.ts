import type { Logger } from '../../log/logger.ts';
import type { NameAddr } from '../../sip/message/index.ts';
import { SipUri } from '../../sip/message/index.ts';
import type { SipTransportLayer } from '../../sip/transport/index.ts';
import type { Flow } from '../../sip/transport/types.ts';
import { newChargingVector } from './charging.ts';
import type { PcscfConfig } from './config.ts';
import { type FlowTokenCodec, flowKey } from './flow-token.ts';
import type { QosPolicyHook } from './qos-hook.ts';
import type { RegEventSubscriber } from './reg-event-subscriber.ts';
import type { RegistrationTable, UeRegistration } from './registration-table.ts';
import type { SecurityAgreement } from './sec-agree.ts';

/** Which way a request goes through the P-CSCF, kept in RequestContext.data between hooks. */
export type RequestKind =
  /** A REGISTER from a UE (TS 24.229 §5.2.2). */
  | 'register'
  /** An initial request from a registered UE (§5.2.6.3). */
  | 'originating'
  /** A request inside a dialog, from the UE. */
  | 'from-ue'
  /** An initial request to a UE over its registered flow (§5.2.7). */
  | 'terminating'
  /** A request inside a dialog, to the UE. */
  | 'to-ue';

export interface RequestState {
  kind: RequestKind;
  /** The UE's flow. */
  ueFlow: Flow;
  /** Its flow token (RFC 5626 §5.2). */
  token: string;
  registration?: UeRegistration;
  /** RFC 3329 mechanism agreed on this request, if any. */
  secAgree?: string;
}

/** What the P-CSCF's procedures share. */
export class PcscfContext {
  /** The reg-event subscriber (TS 24.229 §5.2.3), set once the proxy exists; none when disabled. */
  regEvent: RegEventSubscriber | undefined;

  constructor(
    readonly config: PcscfConfig,
    readonly transport: SipTransportLayer,
    readonly tokens: FlowTokenCodec,
    readonly registrations: RegistrationTable,
    readonly secAgree: SecurityAgreement,
    readonly qos: QosPolicyHook | undefined,
    readonly logger: Logger,
  ) {}

  /** The P-CSCF's own SIP URI, core side. */
  get ownUri(): string {
    return `sip:${this.config.sip.host}:${this.config.sip.port}`;
  }

  /** A URI of ours naming the UE's flow, as the core reaches us (Path, core-side Record-Route). */
  coreSideUri(token: string, extra = ''): string {
    return `sip:${token}@${this.config.sip.host}:${this.config.sip.port};lr${extra}`;
  }

  /**
   * A URI of ours naming the UE's flow, as the UE reaches us: the advertised address of the
   * listener its flow came in on, with its transport (UE-side Record-Route).
   */
  ueSideUri(flow: Flow, token: string): string {
    const l = this.transport
      .listening()
      .find((x) => x.protocol === flow.protocol && x.port === flow.local.port);
    const host = l?.advertised.host ?? flow.local.host;
    const port = l?.advertised.port ?? flow.local.port;
    const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    const transport = flow.protocol === 'udp' ? '' : `;transport=${flow.protocol}`;
    return `sip:${token}@${h}:${port}${transport};lr`;
  }

  /** RFC 7315 §4.6: a fresh charging vector (icid generated here, orig-ioi = home network). */
  chargingVector(): string {
    return newChargingVector({ generatedAt: this.config.sip.host, origIoi: this.config.domain });
  }

  /** The UE flows Route values of ours name through their flow tokens, in order. */
  routeFlows(routes: readonly NameAddr[]): Flow[] {
    const flows: Flow[] = [];
    for (const r of routes) {
      const uri = r.uri;
      if (!(uri instanceof SipUri) || !uri.user) continue;
      const flow = this.tokens.decode(uri.user);
      if (flow) flows.push(flow);
    }
    return flows;
  }

  /**
   * Where a request whose Route named us goes: the last flow named there that is not the one
   * it came over (two dialogs of UEs behind this P-CSCF may leave our four Record-Route values
   * side by side), undefined when it goes on into the network.
   */
  flowTowardsUe(routes: readonly NameAddr[], source: Flow): Flow | undefined {
    return this.routeFlows(routes)
      .filter((f) => !this.sameFlow(f, source))
      .pop();
  }

  /** True if a message came over this flow (same connection, or same NAT-ed UDP address). */
  sameFlow(a: Flow, b: Flow): boolean {
    return flowKey(a) === flowKey(b);
  }

  /** Whether the connection of a stream flow is still open (a UDP flow always is). */
  flowAlive(flow: Flow): boolean {
    if (flow.protocol === 'udp' || flow.connectionId === undefined) return true;
    return this.transport.connections().some((c) => c.id === flow.connectionId);
  }
}
