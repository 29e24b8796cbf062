import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../../log/logger.ts';
import { DiameterPeerError } from '../errors.ts';
import type { DiameterUri } from '../routing/diameter-uri.ts';
import { DisconnectCause } from './base-messages.ts';
import { NamedTimer } from './named-timer.ts';
import type { Peer } from './peer.ts';
import { PeerState } from './peer-state.ts';
import type { PeerTable } from './peer-table.ts';

export interface DynamicPeerOptions {
  /**
   * The address to connect to for a Diameter identity named in a Redirect-Host. Default: the
   * identity itself, resolved by DNS when connecting.
   */
  resolve?: (host: string) => string | Promise<string>;
  /** A dynamic peer with no application traffic for this long is closed, ms (default 300000; 0: never). */
  idleTimeout?: number;
  /** TLS client options for `aaas://` hosts (servername defaults to the host). */
  tls?: ConnectionOptions;
}

export interface DynamicPeersContext {
  table: PeerTable;
  log: Logger;
  /** How long connecting and the CER/CEA exchange may take, ms. */
  connectTimeout: number;
  /** Whether requests still wait on the peer (it is not idle then). */
  busy(host: string): boolean;
  /** The peer left the table (closed, failed, idle): what was cached for it must go. */
  removed(host: string): void;
}

interface Activity {
  lastUsed: number;
  readonly idle: NamedTimer;
}

/**
 * Peers discovered through redirects (RFC 6733 §6.1.8: "If no transport connection exists with
 * the new peer, one is created, and the request is sent directly to it"). They connect with the
 * node's identity and applications (CER/CEA as any peer), stay in the peer table as dynamic
 * entries (§2.6) for later requests, and leave it when they close, fail or stay idle: §6.14,
 * "once a host is no longer reachable, any associated cache, peer, and routing table entries
 * MUST be deleted". They are not reconnected.
 */
export class DynamicPeers {
  private readonly activity = new Map<string, Activity>();
  private readonly idleTimeout: number;

  constructor(
    private readonly context: DynamicPeersContext,
    private readonly options: DynamicPeerOptions = {},
  ) {
    this.idleTimeout = options.idleTimeout ?? 300_000;
  }

  /**
   * The usable peer a DiameterURI names: a static peer of the table only if it is up, else a
   * dynamic one, connected now if needed. Rejects with DiameterPeerError when it cannot be used.
   */
  async open(uri: DiameterUri): Promise<Peer> {
    const { table } = this.context;
    const known = table.get(uri.host);
    if (known && !table.isDynamic(uri.host)) {
      if (known.usable) return known;
      throw new DiameterPeerError(`redirect to ${uri.host}: the configured peer is not up`);
    }
    // DEVIATION: RFC 6733 §2.1 also allows SCTP, which Node does not have; only TCP is dialled.
    if (uri.transport.toLowerCase() !== 'tcp') {
      throw new DiameterPeerError(`redirect to ${uri.host}: transport ${uri.transport} not supported`);
    }
    let peer = known;
    if (peer?.state === PeerState.Closing) {
      // Being closed (idle): wait until it has left the table, then connect afresh.
      await peer.stop(DisconnectCause.DO_NOT_WANT_TO_TALK_TO_YOU);
      peer = table.get(uri.host);
    }
    if (!peer) {
      const address = await (this.options.resolve ?? ((h: string) => h))(uri.host);
      peer = table.get(uri.host) ?? this.create(uri, address);
    }
    if (!peer.usable) await this.whenUsable(peer);
    this.touch(peer.host);
    return peer;
  }

  /** Application traffic went to or came from `host`. */
  touch(host: string): void {
    const a = this.activity.get(host.toLowerCase());
    if (a) a.lastUsed = Date.now();
  }

  /** Clears the idle timers (the node stops its peers itself). */
  close(): void {
    for (const a of this.activity.values()) a.idle.clear();
    this.activity.clear();
  }

  private create(uri: DiameterUri, address: string): Peer {
    const { table, log } = this.context;
    const tls = uri.secure ? { servername: uri.host, ...this.options.tls } : undefined;
    const peer = table.add({ host: uri.host, address, port: uri.port, ...(tls ? { tls } : {}) }, true);
    const activity: Activity = { lastUsed: Date.now(), idle: new NamedTimer('idle') };
    this.activity.set(peer.host.toLowerCase(), activity);
    peer.on('state', (state) => {
      if (state === PeerState.Closed) this.remove(peer);
    });
    this.armIdle(peer, activity, this.idleTimeout);
    log.info({ peer: uri.host, address, port: uri.port }, 'connecting to a peer named by a redirect');
    peer.start();
    return peer;
  }

  private remove(peer: Peer): void {
    const key = peer.host.toLowerCase();
    this.activity.get(key)?.idle.clear();
    this.activity.delete(key);
    this.context.table.remove(peer);
    this.context.log.info({ peer: peer.host }, 'dynamic peer removed');
    this.context.removed(peer.host);
  }

  private armIdle(peer: Peer, activity: Activity, delay: number): void {
    if (this.idleTimeout <= 0) return;
    activity.idle.set(delay, () => {
      const idleFor = Date.now() - activity.lastUsed;
      if (idleFor < this.idleTimeout || this.context.busy(peer.host)) {
        this.armIdle(peer, activity, Math.max(1, this.idleTimeout - idleFor));
        return;
      }
      this.context.log.info({ peer: peer.host, idleFor }, 'closing an idle dynamic peer');
      // RFC 6733 §5.4.3 DO_NOT_WANT_TO_TALK_TO_YOU: "does not expect any messages to be exchanged
      // in the near future".
      void peer.stop(DisconnectCause.DO_NOT_WANT_TO_TALK_TO_YOU);
    });
  }

  /** Resolves once the peer is usable; rejects when it closes first or takes too long. */
  private whenUsable(peer: Peer): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        peer.off('availability', onAvailability);
        peer.off('state', onState);
        if (err) reject(err);
        else resolve();
      };
      const onAvailability = (usable: boolean) => {
        if (usable) done();
      };
      const onState = (state: PeerState) => {
        if (state !== PeerState.Closed) return;
        const why = peer.lastError?.message ?? 'connection failed';
        done(new DiameterPeerError(`redirect to ${peer.host}: ${why}`, undefined, peer.lastError));
      };
      const timer = setTimeout(() => {
        done(
          new DiameterPeerError(`redirect to ${peer.host}: not up after ${this.context.connectTimeout} ms`),
        );
        if (!peer.usable) void peer.stop();
      }, this.context.connectTimeout);
      peer.on('availability', onAvailability);
      peer.on('state', onState);
    });
  }
}
