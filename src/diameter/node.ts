import { EventEmitter, once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { type Logger, silentLogger } from '../log/logger.ts';
import { type DiameterHeader, isRequest } from './codec/header.ts';
import type { DiameterMessage } from './codec/message.ts';
import type { Dictionary } from './dictionary/dictionary.ts';
import { createStandardDictionary } from './dictionary/standard.ts';
import { DiameterPeerError, DiameterRoutingError, DiameterTimeoutError } from './errors.ts';
import { BaseMessages } from './peer/base-messages.ts';
import { type AdvertisedApplication, type LocalIdentity, RELAY_APPLICATION_ID } from './peer/capabilities.ts';
import { DisconnectCause, Peer } from './peer/peer.ts';
import { PeerAcceptor } from './peer/peer-acceptor.ts';
import { connectTransport, createTransportServer } from './peer/transport.ts';
import { IdentifierSource } from './routing/identifiers.ts';
import { PendingRequests } from './routing/pending-requests.ts';
import { withRetransmitFlag } from './routing/raw-message.ts';
import { type RedirectPolicy, RequestDispatcher, type RequestHandler } from './routing/request-dispatcher.ts';
import { type RequestInit, RequestSender } from './routing/request-sender.ts';
import { type RouteEntry, RoutingTable } from './routing/routing-table.ts';

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

export interface DiameterNodeOptions {
  originHost: string;
  originRealm: string;
  hostIpAddresses?: string[];
  vendorId?: number;
  productName?: string;
  firmwareRevision?: number;
  originStateId?: number;
  /** Applications advertised in CER/CEA (application wrappers add theirs). */
  applications?: AdvertisedApplication[];
  listen?: { address?: string; port: number; tls?: TlsOptions };
  peers?: PeerConfig[];
  routes?: RouteEntry[];
  /** Accept CERs from hosts not in `peers` (default false: 3010 DIAMETER_UNKNOWN_PEER). */
  acceptUnknownPeers?: boolean;
  /** Relay agent: advertise the Relay application and forward requests for other realms. */
  relay?: boolean;
  /** Per-attempt answer timeout, ms (default 5000). */
  requestTimeout?: number;
  /** Retransmissions to alternate peers with the T flag (default 1). */
  maxRetransmissions?: number;
  twInit?: number;
  tc?: number;
  tcMin?: number;
  peerTimeout?: number;
  duplicateLifetime?: number;
  dictionary?: Dictionary;
  logger?: Logger;
}

export type { RequestInit } from './routing/request-sender.ts';

export interface NodeEvents {
  peerAvailability: [host: string, usable: boolean];
}

/**
 * A Diameter node (RFC 6733 §2): peer table, realm routing table, request timeouts and
 * retransmission to alternate peers with the T flag, duplicate detection, relay/proxy and
 * redirect agent roles. Application code talks to it through handle() and request(), or through
 * the typed applications in apps/.
 */
export class DiameterNode extends EventEmitter<NodeEvents> {
  readonly dictionary: Dictionary;
  readonly originHost: string;
  readonly originRealm: string;
  readonly ids = new IdentifierSource();
  readonly routes: RoutingTable;
  readonly pending: PendingRequests;
  readonly log: Logger;
  readonly local: LocalIdentity;
  private readonly peers = new Map<string, Peer>();
  private readonly dispatcher: RequestDispatcher;
  private readonly sender: RequestSender;
  readonly requestTimeout: number;
  private server: Server | undefined;
  private acceptor: PeerAcceptor | undefined;
  private closing = false;

  constructor(private readonly options: DiameterNodeOptions) {
    super();
    this.dictionary = options.dictionary ?? createStandardDictionary();
    this.originHost = options.originHost;
    this.originRealm = options.originRealm;
    this.log = (options.logger ?? silentLogger).child({ diameter: options.originHost });
    this.routes = new RoutingTable(options.routes);
    this.local = {
      originHost: options.originHost,
      originRealm: options.originRealm,
      hostIpAddresses: options.hostIpAddresses ?? [],
      vendorId: options.vendorId ?? 0,
      productName: options.productName ?? 'ims-core',
      originStateId: options.originStateId ?? Math.floor(Date.now() / 1000) >>> 0,
      applications: [...(options.applications ?? [])],
      ...(options.firmwareRevision !== undefined ? { firmwareRevision: options.firmwareRevision } : {}),
    };
    if (options.relay) this.advertise({ id: RELAY_APPLICATION_ID, vendorId: 0, kind: 'auth' });
    this.pending = new PendingRequests((r) => {
      const next = this.selectPeer(
        r.route.applicationId,
        r.route.destinationHost,
        r.route.destinationRealm,
        r.tried,
      );
      if (!next) return undefined;
      // RFC 6733 §3 T flag: set on a request retransmitted after a link failover.
      r.bytes = withRetransmitFlag(r.bytes);
      try {
        next.send(r.bytes);
      } catch {
        return undefined;
      }
      this.log.info(
        { to: next.host, hopByHopId: r.hopByHopId },
        'request retransmitted to an alternate peer',
      );
      return next.host;
    }, options.maxRetransmissions ?? 1);
    this.dispatcher = new RequestDispatcher(
      {
        identity: { dictionary: this.dictionary, originHost: this.originHost, originRealm: this.originRealm },
        ids: this.ids,
        routes: this.routes,
        pending: this.pending,
        log: this.log,
        requestTimeout: options.requestTimeout ?? 5000,
        peer: (host) => this.peer(host),
        selectPeer: (app, host, realm, exclude) => this.selectPeer(app, host, realm, exclude),
        servesApplication: (id) => id === 0 || this.local.applications.some((a) => a.id === id),
        relay: options.relay ?? false,
      },
      options.duplicateLifetime,
    );
    this.requestTimeout = options.requestTimeout ?? 5000;
    this.sender = new RequestSender(this);
    for (const p of options.peers ?? []) this.addPeer(p);
  }

  /** The port the node listens on (after start), e.g. when configured with port 0. */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Adds an application to those advertised in CER/CEA (before peers connect). */
  advertise(app: AdvertisedApplication): void {
    if (!this.local.applications.some((a) => a.id === app.id)) this.local.applications.push(app);
  }

  handle(applicationId: number, commandCode: number, handler: RequestHandler): void {
    this.dispatcher.handle(applicationId, commandCode, handler);
  }

  /** Redirect agent role (RFC 6733 §6.1.7): the policy names the hosts to redirect a request to. */
  redirect(applicationId: number | '*', policy: RedirectPolicy): void {
    this.dispatcher.redirect(applicationId, policy);
  }

  addPeer(config: PeerConfig): Peer {
    const key = config.host.toLowerCase();
    const existing = this.peers.get(key);
    if (existing) return existing;
    const { address } = config;
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
      local: this.local,
      dictionary: this.dictionary,
      ids: this.ids,
      logger: this.log,
      twInit: this.options.twInit,
      tc: this.options.tc,
      tcMin: this.options.tcMin,
      timeout: this.options.peerTimeout,
    });
    peer.on('message', (bytes, header) => this.onPeerMessage(peer, bytes, header));
    peer.on('availability', (usable) => {
      if (!usable) this.pending.failover(peer.host);
      this.emit('peerAvailability', peer.host, usable);
    });
    this.peers.set(key, peer);
    if (this.server && !this.closing) peer.start();
    return peer;
  }

  peer(host: string): Peer | undefined {
    return this.peers.get(host.toLowerCase());
  }

  allPeers(): Peer[] {
    return [...this.peers.values()];
  }

  /** Listens (when configured) and starts connecting to the configured peers. */
  async start(): Promise<void> {
    const listen = this.options.listen;
    const acceptor = (this.acceptor = new PeerAcceptor({
      dictionary: this.dictionary,
      messages: new BaseMessages(this.local, this.dictionary, this.ids),
      log: this.log,
      timeout: this.options.peerTimeout ?? 10_000,
      findPeer: (host) =>
        this.peer(host) ?? (this.options.acceptUnknownPeers ? this.addPeer({ host }) : undefined),
    }));
    this.server = createTransportServer((socket) => {
      if (this.closing) socket.destroy();
      else acceptor.accept(socket);
    }, listen?.tls);
    if (listen) {
      this.server.listen(listen.port, listen.address);
      await once(this.server, 'listening');
    }
    for (const peer of this.peers.values()) peer.start();
  }

  /** Resolves once the peer can take requests; rejects after `timeoutMs`. */
  async waitForPeer(host: string, timeoutMs = 10_000): Promise<Peer> {
    const peer = this.peer(host);
    if (!peer) throw new DiameterRoutingError(`unknown peer ${host}`);
    if (peer.usable) return peer;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        peer.off('availability', on);
        reject(
          new DiameterTimeoutError(
            `peer ${host} not up after ${timeoutMs} ms${peer.lastError ? `: ${peer.lastError.message}` : ''}`,
          ),
        );
      }, timeoutMs);
      const on = (usable: boolean) => {
        if (!usable) return;
        clearTimeout(t);
        peer.off('availability', on);
        resolve();
      };
      peer.on('availability', on);
    });
    return peer;
  }

  /** Stops: DPR to every open peer (RFC 6733 §5.4), closes the listener, fails pending requests. */
  async close(cause: number = DisconnectCause.REBOOTING): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const server = this.server;
    const closed = server?.listening ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    this.acceptor?.close();
    await Promise.all([...this.peers.values()].map((p) => p.stop(cause)));
    this.pending.failAll(new DiameterPeerError('node closing'));
    for (const p of this.peers.values()) p.dispose();
    await closed;
  }

  /** A new Session-Id of this node (RFC 6733 §8.8). */
  newSessionId(optional?: string): string {
    return this.ids.nextSessionId(this.originHost, optional);
  }

  /**
   * Sends a request and resolves with the answer (see RequestSender): routing by Destination-Host,
   * routing table, realm; T-flag retransmission to alternates; one 3006 redirect followed.
   */
  request(init: RequestInit, options: { timeout?: number } = {}): Promise<DiameterMessage> {
    return this.sender.request(init, options);
  }

  /** Picks a usable peer: Destination-Host, then the routing table, then any peer of the realm. */
  selectPeer(
    applicationId: number,
    host: string | undefined,
    realm: string | undefined,
    exclude: Set<string>,
  ): Peer | undefined {
    const ok = (p: Peer | undefined): p is Peer =>
      p?.usable === true &&
      !exclude.has(p.host) &&
      (p.applications.includes(applicationId) ||
        p.applications.includes(RELAY_APPLICATION_ID) ||
        applicationId === 0);
    if (host) {
      const direct = this.peer(host);
      if (ok(direct)) return direct;
    }
    const entry = this.routes.lookup(realm, applicationId);
    if (entry && (entry.action === 'relay' || entry.action === 'proxy' || entry.action === 'local')) {
      for (const h of entry.peers) {
        const p = this.peer(h);
        if (ok(p)) return p;
      }
      return undefined;
    }
    const r = realm?.toLowerCase();
    for (const p of this.peers.values()) {
      if (ok(p) && (r === undefined || p.realm?.toLowerCase() === r)) return p;
    }
    return undefined;
  }

  private onPeerMessage(peer: Peer, bytes: Buffer, header: DiameterHeader): void {
    if (isRequest(header)) {
      this.dispatcher.dispatch(peer, bytes, header);
      return;
    }
    const pending = this.pending.take(header.hopByHopId, peer.host);
    if (!pending) {
      this.log.debug(
        { hopByHopId: header.hopByHopId, peer: peer.host },
        'answer to no pending request: dropped',
      );
      return;
    }
    pending.onAnswer(bytes, header, peer.host);
  }
}
