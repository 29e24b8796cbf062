import type { Socket } from 'node:net';
import type { Logger } from '../../log/logger.ts';
import type { DiameterHeader } from '../codec/header.ts';
import type { Dictionary } from '../dictionary/dictionary.ts';
import type { IdentifierSource } from '../routing/identifiers.ts';
import type { LocalIdentity } from './capabilities.ts';
import type { PeerState } from './peer-state.ts';

/** How a Peer is built: who it must be, how to reach it, and its RFC 6733 / RFC 3539 timers. */
export interface PeerOptions {
  /** The Diameter identity (Origin-Host) the peer must present. */
  host: string;
  /** Where to connect; absent for a peer that only connects to us. */
  connect?: () => Promise<Socket>;
  local: LocalIdentity;
  dictionary: Dictionary;
  ids: IdentifierSource;
  logger?: Logger;
  /** Tw init, ms (RFC 3539). */
  twInit?: number;
  /** Reconnection backoff: first delay and the ceiling Tc (RFC 6733 §2.1 suggests Tc = 30 s). */
  tcMin?: number;
  tc?: number;
  /** Timeout of connect, CEA and DPA waits (the "Timeout" event of RFC 6733 §5.6), ms. */
  timeout?: number;
  maxMessageLength?: number;
}

export interface PeerEvents {
  state: [state: PeerState];
  /** Whether requests may be routed to this peer changed (open + watchdog OKAY). */
  availability: [usable: boolean];
  /** An application message (not CER/DWR/DPR and their answers). */
  message: [bytes: Buffer, header: DiameterHeader];
}
