import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { type Logger, silentLogger } from '../../log/logger.ts';
import { SipParseError, type SipRequest, type SipResponse, Via } from '../message/index.ts';
import { bracketHost, type Connection, type ConnectionEvents, flowOf, normalizeIp } from './connection.ts';
import { type ConnectionInfo, ConnectionTable } from './connection-table.ts';
import { MessageReceiver } from './message-receiver.ts';
import { StreamTransport } from './stream-transport.ts';
import type { TransportContext } from './transport-context.ts';
import {
  parseTransportOptions,
  type TransportOptions,
  type TransportOptionsInput,
} from './transport-options.ts';
import { emptyStats, type TransportStats } from './transport-stats.ts';
import {
  type Destination,
  type Flow,
  type HostPort,
  type IncomingMessage,
  isReliable,
  TransportError,
  type TransportLayer,
  type TransportProtocol,
} from './types.ts';
import { type Datagram, MAX_UDP_PAYLOAD, UdpTransport } from './udp-transport.ts';
import { responseTarget, sentByHost, sentByPort } from './via-routing.ts';
import { WsTransport } from './ws-transport.ts';

/** A bound listener: the address it is bound to (actual port) and the one it advertises. */
export interface ListeningAddress {
  protocol: TransportProtocol;
  host: string;
  port: number;
  advertised: HostPort;
}

type Listener = UdpTransport | StreamTransport | WsTransport;

function protocolOf(l: Listener): TransportProtocol {
  return l instanceof UdpTransport ? 'udp' : l.protocol;
}

function isKeepAliveDatagram(data: Buffer): boolean {
  // CRLF keep-alives, and RFC 5626 §4.4.2 STUN keep-alives (first two bits zero), which a
  // SIP message never starts with. DEVIATION: STUN binding requests are not answered.
  if (data.length > 0 && data[0]! < 4) return true;
  for (const b of data) if (b !== 13 && b !== 10) return false;
  return true;
}

/**
 * The SIP transport layer of one network function (RFC 3261 §18): UDP, TCP, TLS, WS and
 * WSS listeners, the connection table, the receive pipeline and the rules for where
 * requests and responses go.
 */
export class SipTransportLayer implements TransportLayer {
  private readonly table: ConnectionTable;
  private readonly receiver: MessageReceiver;
  private readonly counters: TransportStats = emptyStats();
  private readonly listeners: Listener[] = [];
  private handler: ((incoming: IncomingMessage) => void) | undefined;
  private closing = false;

  private constructor(
    readonly options: TransportOptions,
    private readonly log: Logger,
  ) {
    this.table = new ConnectionTable(options.limits.idleTimeoutMs, log);
    this.receiver = new MessageReceiver(
      {
        isOwnSentBy: (via) => this.isOwnSentBy(via),
        alias: (flow, via) => this.alias(flow, via),
        answer: (response, flow, target) =>
          target ? this.answerAt(response, flow, target) : this.sendResponse(response, flow),
        deliver: (incoming) => {
          if (this.handler) this.handler(incoming);
          else this.log.debug({ flow: incoming.flow }, 'no message handler: dropped');
        },
      },
      this.counters,
      log,
      options.limits.maxHeaderSize,
    );
  }

  /** Validates the options, binds every listen address; rejects (closing what was bound) on failure. */
  static async start(input: TransportOptionsInput): Promise<SipTransportLayer> {
    const { logger = silentLogger, ...rest } = input;
    const layer = new SipTransportLayer(
      parseTransportOptions(rest),
      logger.child({ component: 'sip-transport' }),
    );
    try {
      await layer.bind();
    } catch (err) {
      await layer.close();
      throw err;
    }
    return layer;
  }

  private async bind(): Promise<void> {
    const ctx: TransportContext = {
      options: this.options,
      table: this.table,
      events: this.connectionEvents,
      logger: this.log,
      accepting: () => !this.closing,
    };
    for (const entry of this.options.listen) {
      let l: Listener;
      if (entry.protocol === 'udp') {
        l = await UdpTransport.bind(
          entry,
          (d) => this.onDatagram(d),
          this.log,
          this.options.limits.udpReceiveBufferBytes,
        );
      } else if (entry.protocol === 'tcp' || entry.protocol === 'tls')
        l = await StreamTransport.listen(entry, ctx);
      else l = await WsTransport.listen(entry, ctx);
      this.listeners.push(l);
      this.log.info({ protocol: entry.protocol, local: l.local }, 'listening');
    }
  }

  private readonly connectionEvents: ConnectionEvents = {
    opened: (conn) => {
      this.table.add(conn);
      this.counters.connectionsOpened++;
      this.log.debug(
        { connection: conn.id, remote: conn.remote, outbound: conn.outbound },
        'connection open',
      );
    },
    message: (conn, data) => {
      const stream = conn.protocol === 'tcp' || conn.protocol === 'tls';
      this.receiver.receive(data, flowOf(conn), stream);
    },
    framingError: (conn, error, head) => {
      this.counters.framingErrors++;
      this.log.debug(
        { connection: conn.id, remote: conn.remote, reason: error.reason },
        'stream framing lost: closing',
      );
      // RFC 3261 §18.3, §21.5.14: a request whose headers are readable is answered first.
      if (head) this.receiver.refuse(head, flowOf(conn), error);
    },
    keepAlive: () => {
      this.counters.keepAlives++;
    },
    closed: (conn) => {
      this.table.remove(conn);
      this.counters.connectionsClosed++;
      this.log.debug({ connection: conn.id }, 'connection closed');
    },
  };

  private onDatagram(d: Datagram): void {
    if (this.closing) return;
    if (d.data.length > this.options.limits.maxMessageSize) {
      this.counters.oversizedDropped++;
      // RFC 3261 §21.5.14: a request whose headers parse is told 513 (Message Too Large).
      const flow: Flow = { protocol: 'udp', local: d.local, remote: d.remote };
      this.receiver.refuse(d.data, flow, new SipParseError('Message Too Large', undefined, 513));
      return;
    }
    if (isKeepAliveDatagram(d.data)) {
      this.counters.keepAlives++;
      return;
    }
    this.receiver.receive(d.data, { protocol: 'udp', local: d.local, remote: d.remote }, false);
  }

  onMessage(handler: (incoming: IncomingMessage) => void): void {
    this.handler = handler;
  }

  /** Every bound listener with its actual port (port 0 in the options is read back here). */
  listening(): ListeningAddress[] {
    return this.listeners.map((l) => ({
      protocol: protocolOf(l),
      host: l.local.host,
      port: l.local.port,
      advertised: this.advertised(l),
    }));
  }

  /** The connection table: one row per open TCP, TLS, WS or WSS connection. */
  connections(): ConnectionInfo[] {
    return this.table.list();
  }

  stats(): Readonly<TransportStats> {
    return { ...this.counters };
  }

  private advertised(l: Listener): HostPort {
    return l.entry.advertise ? { ...l.entry.advertise } : { ...l.local };
  }

  viaSentBy(protocol: TransportProtocol, destinationHost?: string): HostPort {
    const own = this.listeners.filter((l) => protocolOf(l) === protocol);
    const l = (destinationHost && own.find((x) => x.reaches(normalizeIp(destinationHost)))) || own[0];
    if (!l) throw new TransportError('NO_TRANSPORT', `no ${protocol} listener`);
    return this.advertised(l);
  }

  /** RFC 3261 §18.1.2: is this the sent-by we would insert (any listener, default port applied)? */
  private isOwnSentBy(via: Via): boolean {
    const host = sentByHost(via);
    const port = sentByPort(via);
    return this.listeners.some((l) => {
      const a = this.advertised(l);
      return a.port === port && (normalizeIp(a.host) === host || l.local.host === host);
    });
  }

  private alias(flow: Flow, via: Via): void {
    const conn = flow.connectionId === undefined ? undefined : this.table.get(flow.connectionId);
    const policy = this.options.acceptAlias;
    if (!conn || policy === 'never') return;
    // RFC 5923 §5: reuse is predicated on the peer authenticating with a certificate.
    // DEVIATION: acceptAlias 'always' also honours alias over TCP and unauthenticated TLS,
    // for networks of trusted elements; never use it where terminals connect.
    if (policy === 'authenticated' && !conn.authenticated) return;
    // A sent-by host name is taken to be the address the connection comes from.
    const host = isIP(sentByHost(via)) ? sentByHost(via) : conn.remote.host;
    this.table.alias(conn, host, sentByPort(via));
  }

  async send(message: SipRequest | SipResponse, destination: Destination): Promise<Flow> {
    return this.counted(() => this.dispatch(message, destination));
  }

  async sendResponse(response: SipResponse, requestFlow: Flow): Promise<Flow> {
    return this.counted(() => this.routeResponse(response, requestFlow));
  }

  /**
   * A stateless answer to a malformed request whose Via cannot route it: over the request's
   * connection on a stream flow, to `target` over UDP (malformed-request-answer.ts).
   */
  private answerAt(response: SipResponse, flow: Flow, target: HostPort): Promise<Flow> {
    return this.counted(async () => {
      if (!isReliable(flow.protocol)) {
        return this.sendUdp(response, target.host, target.port, this.udpListenerOf(flow));
      }
      const conn = flow.connectionId === undefined ? undefined : this.table.get(flow.connectionId);
      if (!conn) throw new TransportError('FLOW_GONE', `connection ${flow.connectionId} is closed`);
      return this.write(conn, response.toBuffer());
    });
  }

  private async counted(run: () => Promise<Flow>): Promise<Flow> {
    if (this.closing) throw new TransportError('NO_TRANSPORT', 'transport layer closed');
    try {
      const flow = await run();
      this.counters.messagesSent++;
      return flow;
    } catch (err) {
      this.counters.sendFailures++;
      throw err;
    }
  }

  private async dispatch(message: SipRequest | SipResponse, d: Destination): Promise<Flow> {
    if (d.connectionId !== undefined) {
      const conn = this.table.get(d.connectionId);
      if (!conn) throw new TransportError('FLOW_GONE', `connection ${d.connectionId} is closed`);
      return this.write(conn, message.toBuffer());
    }
    const host = await this.resolveHost(d.host);
    if (d.protocol === 'udp')
      return d.local === undefined
        ? this.sendUdp(message, host, d.port)
        : this.sendUdp(message, host, d.port, this.udpListenerAt(d.local), true);
    const conn = await this.connectionTo(d.protocol, host, d.port, d.serverName);
    return this.write(conn, message.toBuffer());
  }

  private async routeResponse(response: SipResponse, flow: Flow): Promise<Flow> {
    const via = response.vias[0];
    if (!via) throw new TransportError('SEND_FAILED', 'response without Via');
    if (isReliable(flow.protocol)) {
      // RFC 3261 §18.2.2: over a reliable transport the response MUST use the connection
      // the request came on, while it is open.
      const conn = flow.connectionId === undefined ? undefined : this.table.get(flow.connectionId);
      if (conn) return this.write(conn, response.toBuffer());
      // RFC 7118 §5: SIP WebSocket clients accept no connections; nothing to reconnect to.
      if (flow.protocol === 'ws' || flow.protocol === 'wss')
        throw new TransportError('FLOW_GONE', `connection ${flow.connectionId} is closed`);
      // §18.2.2: else open one to received (or sent-by) at the sent-by port.
      const target = responseTarget(via, true);
      const conn2 = await this.connectionTo(flow.protocol, await this.resolveHost(target.host), target.port);
      return this.write(conn2, response.toBuffer());
    }
    const target = responseTarget(via, false);
    return this.sendUdp(response, await this.resolveHost(target.host), target.port, this.udpListenerOf(flow));
  }

  /** RFC 3581 §4: a response is sent from the address and port the request was received on. */
  private udpListenerOf(flow: Flow): UdpTransport | undefined {
    return this.udpListenerAt(flow.local);
  }

  private udpListenerAt(local: HostPort): UdpTransport | undefined {
    return this.listeners.find(
      (l): l is UdpTransport =>
        l instanceof UdpTransport && l.local.port === local.port && l.local.host === local.host,
    );
  }

  private async sendUdp(
    message: SipRequest | SipResponse,
    host: string,
    port: number,
    from?: UdpTransport,
    onFlow = false,
  ): Promise<Flow> {
    let data = message.toBuffer();
    // RFC 3261 §18.1.1: a request within 200 bytes of the path MTU (1500) MUST go over a
    // congestion-controlled transport such as TCP, when we have one; not towards a UDP flow,
    // which is the only way to the UE (RFC 5626 §5.3).
    const tcp = onFlow
      ? undefined
      : this.listeners.find((l) => l instanceof StreamTransport && l.protocol === 'tcp' && l.reaches(host));
    if (message.isRequest && data.length > this.options.limits.udpMtuThreshold && tcp) {
      const restore = this.moveTopVia(message as SipRequest, 'TCP', this.advertised(tcp));
      try {
        const conn = await this.connectionTo('tcp', host, port);
        const flow = await this.write(conn, message.toBuffer());
        this.counters.udpToTcpSwitches++;
        return flow;
      } catch (err) {
        // §18.1.1: if the connection cannot be made (reset, protocol not supported) the
        // element SHOULD retry the request over UDP.
        if (!(err instanceof TransportError) || err.code !== 'CONNECT_FAILED') throw err;
        this.log.debug({ host, port, err: err.message }, 'tcp for a large request failed: back to udp');
        restore();
        data = message.toBuffer();
      }
    }
    this.checkSize(data, MAX_UDP_PAYLOAD);
    const udp = from ?? this.udpFor(host);
    if (!udp) throw new TransportError('NO_TRANSPORT', `no udp listener reaches ${host}`);
    await udp.send(data, host, port);
    return { protocol: 'udp', local: { ...udp.local }, remote: { host, port } };
  }

  /** Rewrites the transport and sent-by of our top Via; returns a function undoing it. */
  private moveTopVia(request: SipRequest, transport: string, sentBy: HostPort): () => void {
    const before = request.headers.shift('Via');
    if (before === undefined) throw new TransportError('SEND_FAILED', 'request without Via');
    const via = Via.parse(before);
    via.transport = transport;
    via.host = bracketHost(sentBy.host);
    via.port = sentBy.port;
    request.headers.prepend('Via', via.toString());
    return () => {
      request.headers.shift('Via');
      request.headers.prepend('Via', before);
    };
  }

  private udpFor(host: string): UdpTransport | undefined {
    const all = this.listeners.filter((l): l is UdpTransport => l instanceof UdpTransport && l.reaches(host));
    const loopback = host === '::1' || host.startsWith('127.');
    const isLoop = (h: string) => h === '::1' || h.startsWith('127.');
    return all.find((l) => isLoop(l.local.host) === loopback) ?? all[0];
  }

  private connectionTo(
    protocol: TransportProtocol,
    host: string,
    port: number,
    serverName?: string,
  ): Promise<Connection> {
    const t = this.listeners.find(
      (l): l is StreamTransport | WsTransport =>
        !(l instanceof UdpTransport) && l.protocol === protocol && l.reaches(host),
    );
    if (!t)
      return Promise.reject(new TransportError('NO_TRANSPORT', `no ${protocol} transport reaches ${host}`));
    return this.table.obtain(protocol, host, port, () => t.connect(host, port, serverName));
  }

  private async write(conn: Connection, data: Buffer): Promise<Flow> {
    this.checkSize(data);
    await conn.write(data);
    return flowOf(conn);
  }

  private checkSize(data: Buffer, limit = Number.POSITIVE_INFINITY): void {
    const max = Math.min(limit, this.options.limits.maxMessageSize);
    if (data.length > max) throw new TransportError('TOO_LARGE', `${data.length} bytes, at most ${max}`);
  }

  /** Destinations are resolved above (RFC 3263); a name here (maddr, sent-by) is looked up. */
  private async resolveHost(host: string): Promise<string> {
    const h = normalizeIp(host);
    if (isIP(h)) return h;
    try {
      return normalizeIp((await lookup(h)).address);
    } catch (err) {
      throw new TransportError('CONNECT_FAILED', `cannot resolve ${h}: ${(err as Error).message}`);
    }
  }

  /** Closes every listener, connection and timer. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.table.closeAll();
    await Promise.all(this.listeners.map((l) => l.close()));
    this.log.debug('transport layer closed');
  }
}
