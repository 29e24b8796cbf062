import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type ClientOptions, WebSocket, WebSocketServer } from 'ws';
import { bracketHost, type Connection, normalizeIp } from './connection.ts';
import type { TransportContext } from './transport-context.ts';
import { type ListenEntry, tlsServerOptions } from './transport-options.ts';
import { type HostPort, TransportError } from './types.ts';
import { WsConnection } from './ws-connection.ts';

type WsProtocol = 'ws' | 'wss';

/** RFC 7118 §4: the WebSocket subprotocol of SIP. */
export const SIP_SUBPROTOCOL = 'sip';

/**
 * A SIP WebSocket server (RFC 7118) on an HTTP or HTTPS listener, and the WebSocket client
 * connections it opens towards other SIP WebSocket servers.
 */
export class WsTransport {
  private readonly pending = new Set<WebSocket>();

  private constructor(
    readonly entry: ListenEntry,
    readonly protocol: WsProtocol,
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly local: HostPort,
    private readonly ctx: TransportContext,
  ) {}

  static listen(entry: ListenEntry, ctx: TransportContext): Promise<WsTransport> {
    const protocol = entry.protocol as WsProtocol;
    const log = ctx.logger.child({ transport: protocol });
    const tls = ctx.options.tls;
    let server: Server;
    if (protocol === 'wss') {
      if (!tls) throw new TransportError('NO_TRANSPORT', 'wss listener without certificate');
      server = createHttpsServer(tlsServerOptions(tls));
    } else {
      server = createHttpServer();
    }
    const wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: ctx.options.limits.maxMessageSize,
      handleProtocols: () => SIP_SUBPROTOCOL,
    });
    // Plain HTTP requests: this port only speaks WebSocket.
    server.on('request', (_req, res) => {
      res.writeHead(426, { Upgrade: 'websocket', Connection: 'close' });
      res.end();
    });
    server.on('clientError', (err, socket) => {
      log.debug({ err: err.message }, 'bad http request');
      socket.destroy();
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(entry.port, entry.host, () => {
        server.off('error', reject);
        server.on('error', (err) => log.warn({ err: err.message }, 'listener error'));
        const a = server.address();
        const local = { host: entry.host, port: typeof a === 'object' && a ? a.port : entry.port };
        const t = new WsTransport(entry, protocol, server, wss, local, ctx);
        server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
          t.upgrade(req, socket, head),
        );
        resolve(t);
      });
    });
  }

  reaches(host: string): boolean {
    const f = isIP(host);
    return f === isIP(this.entry.host) || (f === 4 && this.entry.host === '::');
  }

  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim().toLowerCase());
    // RFC 7118 §4: the handshake MUST carry the "sip" subprotocol; refuse anything else.
    if (!this.ctx.accepting() || !offered.includes(SIP_SUBPROTOCOL)) {
      this.ctx.logger.debug({ offered, remote: req.socket.remoteAddress }, 'websocket refused');
      socket.on('error', () => {});
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const local = { host: normalizeIp(socket.localAddress), port: socket.localPort ?? 0 };
      const remote = { host: normalizeIp(socket.remoteAddress), port: socket.remotePort ?? 0 };
      const authorized = (socket as TLSSocket).authorized === true;
      this.register(ws, local, remote, false, authorized);
    });
  }

  private register(
    ws: WebSocket,
    local: HostPort,
    remote: HostPort,
    outbound: boolean,
    auth: boolean,
  ): Connection {
    const { table, events, logger } = this.ctx;
    const id = table.nextId(this.protocol);
    const conn = new WsConnection(id, this.protocol, ws, local, remote, outbound, auth, events, logger);
    events.opened(conn);
    return conn;
  }

  /** Opens a WebSocket connection with the `sip` subprotocol to a SIP WebSocket server. */
  connect(host: string, port: number, serverName?: string): Promise<Connection> {
    const { options } = this.ctx;
    const tls = options.tls;
    const name = serverName ?? host;
    const url = `${this.protocol}://${bracketHost(host)}:${port}/`;
    // ws hands these to tls.connect; `servername` is missing from its ClientOptions type.
    const secure: ClientOptions & { servername?: string } =
      this.protocol === 'wss'
        ? {
            servername: isIP(name) ? undefined : name,
            cert: tls?.cert,
            key: tls?.key,
            ca: tls?.ca,
            rejectUnauthorized: tls?.rejectUnauthorized ?? true,
          }
        : {};
    const ws = new WebSocket(url, SIP_SUBPROTOCOL, {
      handshakeTimeout: options.limits.connectTimeoutMs,
      maxPayload: options.limits.maxMessageSize,
      perMessageDeflate: false,
      ...secure,
    });
    this.pending.add(ws);
    let local: HostPort = { host: '', port: 0 };
    ws.once('upgrade', (res: IncomingMessage) => {
      local = { host: normalizeIp(res.socket.localAddress), port: res.socket.localPort ?? 0 };
    });
    return new Promise<Connection>((resolve, reject) => {
      const fail = (reason: string) => {
        this.pending.delete(ws);
        ws.terminate();
        reject(new TransportError('CONNECT_FAILED', `${url}: ${reason}`));
      };
      ws.once('error', (err) => fail(err.message));
      ws.once('open', () => {
        this.pending.delete(ws);
        ws.removeAllListeners('error');
        if (!this.ctx.accepting()) return fail('transport closing');
        // RFC 7118 §4: the server must have accepted the sip subprotocol.
        if (ws.protocol !== SIP_SUBPROTOCOL) return fail('server did not accept the sip subprotocol');
        const verified = this.protocol === 'wss' && (tls?.rejectUnauthorized ?? true);
        resolve(this.register(ws, local, { host: normalizeIp(host), port }, true, verified));
      });
    });
  }

  close(): Promise<void> {
    for (const ws of this.pending) ws.terminate();
    this.pending.clear();
    this.wss.close();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
