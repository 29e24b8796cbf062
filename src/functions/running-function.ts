/**
 * What every network function's start function returns (`startHss`, `startScscf`, ...): how
 * `ims up`, `ims run`, `ims status`, `/health` and `/metrics` see a running function without
 * knowing what it does. Functions still talk to each other only over the wire.
 */
import type { DiameterNode } from '../diameter/index.ts';
import type { TransactionLayer } from '../sip/transaction/index.ts';
import type { TransportProtocol } from '../sip/transport/types.ts';

/** A Diameter peer as `ims status` shows it. */
export interface PeerStatus {
  /** The peer's Origin-Host (or the configured host before the CER/CEA exchange). */
  host: string;
  /** The peer state machine's state (e.g. 'open', 'closed', 'wait-conn-ack'). */
  state: string;
}

/** A snapshot for `ims status --json` and `/health`. */
export interface FunctionStatus {
  /** false when the function is running but cannot serve (e.g. no Diameter peer open). */
  healthy: boolean;
  /** SIP listeners (protocol, address, port) of a SIP function. */
  sip?: { protocol: TransportProtocol; host: string; port: number }[];
  /** Diameter listener port of a Diameter function. */
  diameterPort?: number;
  diameterPeers?: PeerStatus[];
  /** Registered public identities (S-CSCF: registrations; P-CSCF: UEs it keeps state for). */
  registeredUsers?: number;
  /** Anything else worth showing, e.g. `{ sqlite: 'data/hss.sqlite' }`. */
  details?: Record<string, unknown>;
}

export interface RunningFunction {
  /** The function's name as in `ims run <name>` (pcscf, icscf, scscf, hss, slf, ...). */
  readonly name: string;
  status(): FunctionStatus | Promise<FunctionStatus>;
  /** The SIP transaction layers the function runs (metrics count their transactions). */
  readonly sipLayers?: readonly TransactionLayer[];
  /** The Diameter node, if any (metrics subscribe to its diagnostics channel events). */
  readonly diameter?: DiameterNode;
  /** Stops cleanly: de-registrations persisted, DPR to peers, listeners closed. Idempotent. */
  stop(): Promise<void>;
}
