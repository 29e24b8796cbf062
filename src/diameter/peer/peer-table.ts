import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../../log/logger.ts';
import type { DiameterHeader } from '../codec/header.ts';
import type { Dictionary } from '../dictionary/dictionary.ts';
import type { IdentifierSource } from '../routing/identifiers.ts';
import type { LocalIdentity } from './capabilities.ts';
import { Peer } from './peer.ts';
import { connectTransport } from './transport.ts';

export interface PeerConfig {
  /** The peer's Diameter identity (the Origin-Host it presents). */
  host: string;
  /** Address to connect to; absent when the peer connects to us. */
  address?: string;
  port?: number;
  tls?: ConnectionOptions;
  /** Source address of our connections to it (the peer may learn and reuse it). */
  localAddress?: string;
}

export interface PeerTableOptions {
  local: LocalIdentity;
  dictionary: Dictionary;
  ids: IdentifierSource;
  log: Logger;
  twInit?: number;
  tc?: number;
  tcMin?: number;
  peerTimeout?: number;
}

/** What the table reports to its node. */
export interface PeerTableUser {
  /** An application message from a peer. */
  message(peer: Peer, bytes: Buffer, header: DiameterHeader): void;
  availability(peer: Peer, usable: boolean): void;
}

interface Entry {
  peer: Peer;
  /** RFC 6733 §2.6 "Static or Dynamic": whether the entry was configured or discovered. */
  dynamic: boolean;
}

/**
 * The peer table of a node (RFC 6733 §2.6): one Peer per Diameter identity (compared without
 * case), static when configured or accepted from a CER, dynamic when created to follow a
 * redirect (§6.1.8). Peers built here share the node's identity, applications and timers.
 */
export class PeerTable {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly options: PeerTableOptions,
    private readonly user: PeerTableUser,
  ) {}

  /** The peer for `config.host`, created (not started) if the table has none. */
  add(config: PeerConfig, dynamic = false): Peer {
    const key = config.host.toLowerCase();
    const existing = this.entries.get(key);
    if (existing) return existing.peer;
    const { address } = config;
    const o = this.options;
    const peer = new Peer({
      host: config.host,
      ...(address
        ? {
            connect: () =>
              connectTransport({
                address,
                port: config.port ?? 3868,
                ...(config.tls ? { tls: config.tls } : {}),
                ...(config.localAddress ? { localAddress: config.localAddress } : {}),
              }),
          }
        : {}),
      local: o.local,
      dictionary: o.dictionary,
      ids: o.ids,
      logger: o.log,
      twInit: o.twInit,
      tc: o.tc,
      tcMin: o.tcMin,
      timeout: o.peerTimeout,
    });
    peer.on('message', (bytes, header) => this.user.message(peer, bytes, header));
    peer.on('availability', (usable) => this.user.availability(peer, usable));
    this.entries.set(key, { peer, dynamic });
    return peer;
  }

  get(host: string): Peer | undefined {
    return this.entries.get(host.toLowerCase())?.peer;
  }

  isDynamic(host: string): boolean {
    return this.entries.get(host.toLowerCase())?.dynamic === true;
  }

  all(): Peer[] {
    return [...this.entries.values()].map((e) => e.peer);
  }

  /** Takes a peer out of the table and drops it (no DPR, no reconnection). */
  remove(peer: Peer): void {
    const key = peer.host.toLowerCase();
    if (this.entries.get(key)?.peer === peer) this.entries.delete(key);
    peer.dispose();
  }
}
