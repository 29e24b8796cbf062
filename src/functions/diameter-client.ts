/**
 * Starts the Diameter node of a client function (a CSCF towards the HSS) from its `diameter`
 * config section: its identity, its peers, a listener for peers that connect to it when one is
 * configured, and dynamic peers for Redirect-Host answers (an SLF in front of several HSSs).
 */
import type { DiameterClientSection } from '../config/sip-function.ts';
import { DiameterNode, isOpen } from '../diameter/index.ts';
import type { Logger } from '../log/logger.ts';
import type { PeerStatus } from './running-function.ts';

export function createDiameterClient(
  section: DiameterClientSection,
  productName: string,
  logger: Logger,
): DiameterNode {
  return new DiameterNode({
    originHost: section.originHost,
    originRealm: section.originRealm,
    productName,
    ...(section.listen ? { listen: { address: section.listen.address, port: section.listen.port } } : {}),
    peers: section.peers.map((p) => ({ ...p })),
    acceptUnknownPeers: false,
    dynamicPeers: { resolve: (host) => section.hosts[host.toLowerCase()] ?? host },
    requestTimeout: section.requestTimeoutMs,
    logger,
  });
}

/** True when at least one peer connection is open (requests can leave). */
export function hasOpenPeer(node: DiameterNode): boolean {
  return node.allPeers().some((p) => isOpen(p.state));
}

/** The peers of a node for `ims status`. */
export function peerStatuses(node: DiameterNode): PeerStatus[] {
  return node.allPeers().map((p) => ({ host: p.host, state: String(p.state) }));
}
