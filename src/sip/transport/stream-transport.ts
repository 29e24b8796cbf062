import {
  createServer as createNetServer,
  isIP,
  connect as netConnect,
  type Server,
  type Socket,
} from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket, connect as tlsConnect } from 'node:tls';
import type { Connection } from './connection.ts';
import { SocketConnection } from './socket-connection.ts';
import type { TransportContext } from './transport-context.ts';
import { type ListenEntry, tlsServerOptions } from './transport-options.ts';
import { type HostPort, TransportError } from './types.ts';

type StreamProtocol = 'tcp' | 'tls';

/**
 * A TCP or TLS listener (RFC 3261 §18, §26.2) and the connections it opens towards peers.
 * Accepted and opened connections both go into the shared connection table.
 */
export class StreamTransport {
  private readonly pending = new Set<Socket>();

  private constructor(
    readonly entry: ListenEntry,
    readonly protocol: StreamProtocol,
    private readonly server: Server,
    readonly local: HostPort,
    private readonly ctx: TransportContext,
  ) {}

  static listen(entry: ListenEntry, ctx: TransportContext): Promise<StreamTransport> {
    const protocol = entry.protocol as StreamProtocol;
    const log = ctx.logger.child({ transport: protocol });
    const tls = ctx.options.tls;
    let server: Server;
    if (protocol === 'tls') {
      if (!tls) throw new TransportError('NO_TRANSPORT', 'tls listener without certificate');
      // A client that does not finish its handshake in time is dropped, like a failed one (with a
      // listener on tlsClientError, Node leaves closing the socket to it).
      server = createTlsServer({
        ...tlsServerOptions(tls),
        handshakeTimeout: ctx.options.limits.connectTimeoutMs,
      });
      server.on('tlsClientError', (err: Error, socket: Duplex) => {
        log.debug({ err: err.message }, 'tls handshake failed');
        socket.destroy();
      });
    } else {
      server = createNetServer();
    }
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(entry.port, entry.host, () => {
        server.off('error', reject);
        server.on('error', (err) => log.warn({ err: err.message }, 'listener error'));
        const a = server.address();
        const local = { host: entry.host, port: typeof a === 'object' && a ? a.port : entry.port };
        const t = new StreamTransport(entry, protocol, server, local, ctx);
        server.on(protocol === 'tls' ? 'secureConnection' : 'connection', (s: Socket) => t.accept(s));
        resolve(t);
      });
    });
  }

  /** Whether a socket of this listener's family can reach the host. */
  reaches(host: string): boolean {
    const f = isIP(host);
    const own = isIP(this.entry.host);
    return f === own || (f === 4 && this.entry.host === '::');
  }

  private accept(socket: Socket): void {
    if (!this.ctx.accepting()) {
      socket.destroy();
      return;
    }
    this.register(socket, false);
  }

  private register(socket: Socket, outbound: boolean): Connection {
    const { table, events, options, logger } = this.ctx;
    const conn = new SocketConnection(
      table.nextId(this.protocol),
      this.protocol,
      socket,
      outbound,
      events,
      options.limits.maxMessageSize,
      logger,
    );
    events.opened(conn);
    return conn;
  }

  /** Opens a connection; rejects with TransportError('CONNECT_FAILED') on error or timeout. */
  connect(host: string, port: number, serverName?: string): Promise<Connection> {
    const { options } = this.ctx;
    const tls = options.tls;
    let socket: Socket;
    if (this.protocol === 'tls') {
      if (!tls) return Promise.reject(new TransportError('NO_TRANSPORT', 'no TLS certificate configured'));
      const name = serverName ?? host;
      socket = tlsConnect({
        host,
        port,
        // RFC 5922 §7.2: the certificate is checked against the SIP domain, not the IP
        // (Node checks it against servername); RFC 6066 §3: SNI never holds an IP address.
        servername: isIP(name) ? undefined : name,
        cert: tls.cert,
        key: tls.key,
        ca: tls.ca,
        rejectUnauthorized: tls.rejectUnauthorized,
      });
    } else {
      socket = netConnect({ host, port });
    }
    this.pending.add(socket);
    const what = `${this.protocol}:${host}:${port}`;
    return new Promise<Connection>((resolve, reject) => {
      const fail = (reason: string) => {
        clearTimeout(timer);
        this.pending.delete(socket);
        socket.destroy();
        reject(new TransportError('CONNECT_FAILED', `${what}: ${reason}`));
      };
      const timer = setTimeout(() => fail('connect timeout'), options.limits.connectTimeoutMs);
      socket.once('error', (err) => fail(err.message));
      socket.once(this.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        this.pending.delete(socket);
        socket.removeAllListeners('error');
        if (!this.ctx.accepting()) {
          socket.destroy();
          reject(new TransportError('CONNECT_FAILED', `${what}: transport closing`));
          return;
        }
        if (this.protocol === 'tls' && !(socket as TLSSocket).authorized && tls?.rejectUnauthorized) {
          fail(`certificate not verified: ${(socket as TLSSocket).authorizationError}`);
          return;
        }
        resolve(this.register(socket, true));
      });
    });
  }

  /** Stops listening and abandons connection attempts (the table closes open connections). */
  close(): Promise<void> {
    for (const s of this.pending) s.destroy();
    this.pending.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
