/**
 * Starts the SIP transport and resolver of a network function from its `sip` config section.
 */

import type { SipSection } from '../config/sip-function.ts';
import type { Logger } from '../log/logger.ts';
import { SipResolver } from '../sip/dns/index.ts';
import { SipUri, type Uri } from '../sip/message/index.ts';
import { SipTransportLayer } from '../sip/transport/index.ts';
import type { Destination } from '../sip/transport/types.ts';

export interface SipStack {
  transport: SipTransportLayer;
  resolver: SipResolver;
  /** RFC 3263 next hops of a SIP URI (for StatefulProxy and UserAgentCore `resolve`); none for tel: and others. */
  resolve(uri: Uri): Promise<Destination[]>;
  /** Host/port pairs that designate this function (its name, and every listen address). */
  localAddresses: { host: string; port?: number }[];
}

export async function startSipStack(sip: SipSection, logger: Logger): Promise<SipStack> {
  const transport = await SipTransportLayer.start({
    listen: sip.listen.map((l) => ({ ...l })),
    ...(sip.tls ? { tls: sip.tls } : {}),
    limits: sip.limits,
    acceptAlias: sip.acceptAlias,
    logger,
  });
  const resolver = new SipResolver({
    hosts: sip.hosts,
    protocols: sip.protocols,
    ...(sip.dnsServers ? { servers: sip.dnsServers } : {}),
    logger,
  });
  const localAddresses: { host: string; port?: number }[] = [{ host: sip.host, port: sip.port }];
  for (const l of transport.listening()) {
    localAddresses.push({ host: l.host, port: l.port });
    if (l.advertised) localAddresses.push({ host: l.advertised.host, port: l.advertised.port });
  }
  return {
    transport,
    resolver,
    resolve: async (uri) => (uri instanceof SipUri ? resolver.resolve(uri) : []),
    localAddresses,
  };
}
