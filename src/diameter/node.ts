import { EventEmitter, once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { type Logger, silentLogger } from '../log/logger.ts';
import { type DiameterHeader, isRequest } from './codec/header.ts';
import type { DiameterMessage } from './codec/message.ts';
import { CommandFlag } from './codec/raw-avp.ts';
import { DiameterDiagnostics } from './diagnostics/diameter-diagnostics.ts';
import type { Dictionary } from './dictionary/dictionary.ts';
import { createStandardDictionary } from './dictionary/standard.ts';
import { DiameterPeerError, DiameterRoutingError, DiameterTimeoutError } from './errors.ts';
import { BaseMessages, DisconnectCause } from './peer/base-messages.ts';
import { type AdvertisedApplication, type LocalIdentity, RELAY_APPLICATION_ID } from './peer/capabilities.ts';
import { type DynamicPeerOptions, DynamicPeers } from './peer/dynamic-peers.ts';
import type { Peer } from './peer/peer.ts';
import { PeerAcceptor } from './peer/peer-acceptor.ts';
import { PeerState } from './peer/peer-state.ts';
import { type PeerConfig, PeerTable } from './peer/peer-table.ts';
import { createTransportServer } from './peer/transport.ts';
import type { DiameterUri } from './routing/diameter-uri.ts';
import { IdentifierSource } from './routing/identifiers.ts';
import { type PendingRequest, PendingRequests } from './routing/pending-requests.ts';
import type { ProxyPolicy } from './routing/proxy-agent.ts';
import { withRetransmitFlag } from './routing/raw-message.ts';
import { RedirectCache } from './routing/redirect-cache.ts';
import { type RedirectPolicy, RequestDispatcher, type RequestHandler } from './routing/request-dispatcher.ts';
import { type RequestInit, RequestSender } from './routing/request-sender.ts';
import { type RouteEntry, RoutingTable } from './routing/routing-table.ts';

export type { PeerConfig } from './peer/peer-table.ts';

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
  /** Peers connected to follow redirects (RFC 6733 §6.1.8): address lookup, idle close, TLS. */
  dynamicPeers?: DynamicPeerOptions;
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
 * A Diameter node (RFC 6733 §2): peer table (static and dynamic entries), realm routing table
 * with routes cached from redirects, request timeouts and retransmission to alternate peers with
 * the T flag, duplicate detection, relay, proxy (with a policy) and redirect agent roles, and its
 * traffic published on node:diagnostics_channel. Application code talks to it through handle()
 * and request(), or through the typed applications in apps/.
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
  /** Routes cached from 3006 answers (RFC 6733 §6.1.8, §6.13-6.14). */
  readonly redirects = new RedirectCache();
  /** Publishes the node's traffic on node:diagnostics_channel (see DiameterChannel). */
  readonly diagnostics: DiameterDiagnostics;
  private readonly peers: PeerTable;
  private readonly dynamicPeers: DynamicPeers;
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
    this.requestTimeout = options.requestTimeout ?? 5000;
    this.diagnostics = new DiameterDiagnostics(this.originHost, this.dictionary);
    this.peers = new PeerTable(
      {
        local: this.local,
        dictionary: this.dictionary,
        ids: this.ids,
        log: this.log,
        twInit: options.twInit,
        tc: options.tc,
        tcMin: options.tcMin,
        peerTimeout: options.peerTimeout,
      },
      {
        message: (peer, bytes, header) => this.onPeerMessage(peer, bytes, header),
        availability: (peer, usable) => {
          if (!usable) this.pending.failover(peer.host);
          this.diagnostics.peer(peer.host, usable, peer.state);
          this.emit('peerAvailability', peer.host, usable);
        },
      },
    );
    this.dynamicPeers = new DynamicPeers(
      {
        table: this.peers,
        log: this.log,
        connectTimeout: options.peerTimeout ?? 10_000,
        busy: (host) => this.pending.waitsOn(host),
        removed: (host) => this.redirects.forgetTarget(host),
      },
      options.dynamicPeers,
    );
    this.pending = new PendingRequests((r) => this.retransmit(r), options.maxRetransmissions ?? 1, {
      sent: (r, retransmitted) => {
        this.dynamicPeers.touch(r.peer);
        const { header } = r;
        const flags = retransmitted ? header.flags | CommandFlag.Retransmitted : header.flags;
        this.diagnostics.request('out', r.peer, { ...header, flags });
      },
      failed: (r, error) =>
        this.diagnostics.failure(
          r.peer,
          r.header,
          (error as { code?: string }).code ?? error.name,
          r.startedAt ?? 0,
        ),
    });
    this.dispatcher = new RequestDispatcher(
      {
        identity: { dictionary: this.dictionary, originHost: this.originHost, originRealm: this.originRealm },
        ids: this.ids,
        routes: this.routes,
        pending: this.pending,
        log: this.log,
        requestTimeout: this.requestTimeout,
        diagnostics: this.diagnostics,
        peer: (host) => this.peer(host),
        usablePeer: (host, app) => this.usablePeer(host, app),
        selectPeer: (app, host, realm, exclude) => this.selectPeer(app, host, realm, exclude),
        servesApplication: (id) => id === 0 || this.local.applications.some((a) => a.id === id),
        relay: options.relay ?? false,
      },
      options.duplicateLifetime,
    );
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

  /**
   * Proxy agent role (RFC 6733 §2.8.2): every request this node relays, and its answer, goes
   * through `policy`, which may change AVPs, pick the next peer or answer with an error itself.
   */
  proxy(policy: ProxyPolicy): void {
    this.dispatcher.proxy(policy);
  }

  /** A static peer (RFC 6733 §2.6); started at once if the node is running. */
  addPeer(config: PeerConfig): Peer {
    const peer = this.peers.add(config);
    if (this.server && !this.closing) peer.start();
    return peer;
  }

  peer(host: string): Peer | undefined {
    return this.peers.get(host);
  }

  /**
   * An unknown peer whose CER is taken (acceptUnknownPeers): in the peer table while its
   * connection lasts, so that hosts which come and go leave no entry behind.
   */
  private acceptedPeer(host: string): Peer {
    const peer = this.addPeer({ host });
    const drop = () =>
      setImmediate(() => {
        if (peer.state !== PeerState.Closed || this.peers.get(host) !== peer) return;
        peer.off('state', onState);
        this.peers.remove(peer);
      });
    const onState = (state: PeerState) => {
      if (state === PeerState.Closed) drop();
    };
    peer.on('state', onState);
    // A refused CER (no common application, ...) leaves it closed without a transition.
    drop();
    return peer;
  }

  allPeers(): Peer[] {
    return this.peers.all();
  }

  /** Whether `host` is a dynamic peer table entry (connected to follow a redirect). */
  isDynamicPeer(host: string): boolean {
    return this.peers.isDynamic(host);
  }

  /** The peer a Redirect-Host names, connected now if needed (RFC 6733 §6.1.8). */
  openRedirectPeer(uri: DiameterUri): Promise<Peer> {
    if (this.closing) return Promise.reject(new DiameterPeerError('node closing'));
    return this.dynamicPeers.open(uri);
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
        this.peer(host) ?? (this.options.acceptUnknownPeers ? this.acceptedPeer(host) : undefined),
    }));
    this.server = createTransportServer((socket) => {
      if (this.closing) socket.destroy();
      else acceptor.accept(socket);
    }, listen?.tls);
    if (listen) {
      this.server.listen(listen.port, listen.address);
      await once(this.server, 'listening');
    }
    for (const peer of this.peers.all()) peer.start();
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
    this.dynamicPeers.close();
    const peers = this.peers.all();
    await Promise.all(peers.map((p) => p.stop(cause)));
    this.pending.failAll(new DiameterPeerError('node closing'));
    for (const p of peers) p.dispose();
    await closed;
  }

  /** A new Session-Id of this node (RFC 6733 §8.8). */
  newSessionId(optional?: string): string {
    return this.ids.nextSessionId(this.originHost, optional);
  }

  /**
   * Sends a request and resolves with the answer (see RequestSender): routing by a cached redirect
   * route, Destination-Host, routing table, realm; T-flag retransmission to alternates; one 3006
   * redirect followed, to a dynamic peer when the host named is not in the peer table.
   */
  request(init: RequestInit, options: { timeout?: number } = {}): Promise<DiameterMessage> {
    return this.sender.request(init, options);
  }

  /** The peer named `host` if it is up and takes the application (or relays everything). */
  usablePeer(host: string, applicationId: number): Peer | undefined {
    const p = this.peer(host);
    return p?.usable === true &&
      (p.applications.includes(applicationId) ||
        p.applications.includes(RELAY_APPLICATION_ID) ||
        applicationId === 0)
      ? p
      : undefined;
  }

  /**
   * Picks a usable peer: Destination-Host, then the routing table, then any static peer of the
   * realm (a dynamic peer serves only the requests its redirect route covers).
   */
  selectPeer(
    applicationId: number,
    host: string | undefined,
    realm: string | undefined,
    exclude: Set<string>,
  ): Peer | undefined {
    const ok = (h: string) => {
      const p = this.usablePeer(h, applicationId);
      return p && !exclude.has(p.host) ? p : undefined;
    };
    const direct = host ? ok(host) : undefined;
    if (direct) return direct;
    const entry = this.routes.lookup(realm, applicationId);
    if (entry && (entry.action === 'relay' || entry.action === 'proxy' || entry.action === 'local')) {
      for (const h of entry.peers) {
        const p = ok(h);
        if (p) return p;
      }
      return undefined;
    }
    const r = realm?.toLowerCase();
    for (const p of this.peers.all()) {
      if (this.peers.isDynamic(p.host) || (r !== undefined && p.realm?.toLowerCase() !== r)) continue;
      if (ok(p.host)) return p;
    }
    return undefined;
  }

  /** RFC 6733 §5.5.4 failover: the request goes to an alternate peer with the T flag (§3). */
  private retransmit(r: PendingRequest): string | undefined {
    const { route } = r;
    const next = this.selectPeer(route.applicationId, route.destinationHost, route.destinationRealm, r.tried);
    if (!next) return undefined;
    r.bytes = withRetransmitFlag(r.bytes);
    try {
      next.send(r.bytes);
    } catch {
      return undefined;
    }
    this.log.info({ to: next.host, hopByHopId: r.hopByHopId }, 'request retransmitted to an alternate peer');
    return next.host;
  }

  private onPeerMessage(peer: Peer, bytes: Buffer, header: DiameterHeader): void {
    this.dynamicPeers.touch(peer.host);
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
    this.diagnostics.answer('in', peer.host, bytes, pending.startedAt ?? 0);
    pending.onAnswer(bytes, header, peer.host);
  }
}
