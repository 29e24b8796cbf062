import { randomBytes } from 'node:crypto';
import type { Logger } from '../../log/logger.ts';
import { type Connection, normalizeIp } from './connection.ts';
import type { HostPort, TransportProtocol } from './types.ts';

/** A row of the connection table, for status pages and tests. */
export interface ConnectionInfo {
  id: string;
  protocol: TransportProtocol;
  local: HostPort;
  remote: HostPort;
  outbound: boolean;
  /** RFC 5923 aliases: the Via sent-by addresses this connection also serves. */
  aliases: HostPort[];
  lastActivity: number;
}

function key(protocol: TransportProtocol, host: string, port: number): string {
  return `${protocol} ${normalizeIp(host)} ${port}`;
}

/**
 * Every open stream connection of a transport layer, found by id (responses, RFC 5626 flows)
 * or by remote address (reuse for requests, RFC 3261 §18.1.1 "SHOULD use an existing
 * connection", and RFC 5923 aliases). Closes connections idle for longer than the timeout.
 */
export class ConnectionTable {
  private readonly byId = new Map<string, Connection>();
  private readonly byAddress = new Map<string, Connection>();
  private readonly aliasesOf = new Map<string, string[]>();
  private readonly connecting = new Map<string, Promise<Connection>>();
  private sweeper: NodeJS.Timeout | undefined;
  private counter = 0;
  private readonly epoch = randomBytes(4).toString('hex');

  constructor(
    private readonly idleTimeoutMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    // Check at a fraction of the timeout, so a connection lives at most 1.25 timeouts idle.
    const every = Math.max(50, Math.min(Math.floor(idleTimeoutMs / 4), 30_000));
    this.sweeper = setInterval(() => this.sweep(), every);
    this.sweeper.unref();
  }

  /**
   * A new connection id, unique in this table and across restarts of the process (a random
   * prefix per table): an id kept elsewhere (an edge proxy's flow token in a registrar's Path)
   * never names a connection opened after a restart.
   */
  nextId(protocol: TransportProtocol): string {
    return `${protocol}-${this.epoch}-${++this.counter}`;
  }

  get size(): number {
    return this.byId.size;
  }

  add(conn: Connection): void {
    this.byId.set(conn.id, conn);
    // A newer connection to the same address wins: the older one stays reachable by id.
    this.byAddress.set(key(conn.protocol, conn.remote.host, conn.remote.port), conn);
  }

  remove(conn: Connection): void {
    if (this.byId.get(conn.id) !== conn) return;
    this.byId.delete(conn.id);
    const k = key(conn.protocol, conn.remote.host, conn.remote.port);
    if (this.byAddress.get(k) === conn) this.byAddress.delete(k);
    for (const a of this.aliasesOf.get(conn.id) ?? [])
      if (this.byAddress.get(a) === conn) this.byAddress.delete(a);
    this.aliasesOf.delete(conn.id);
  }

  get(id: string): Connection | undefined {
    const c = this.byId.get(id);
    return c && !c.closed ? c : undefined;
  }

  /** An open connection to this address (its own remote address or an alias). */
  find(protocol: TransportProtocol, host: string, port: number): Connection | undefined {
    const c = this.byAddress.get(key(protocol, host, port));
    return c && !c.closed ? c : undefined;
  }

  /** RFC 5923 §5: requests towards `sent-by` of the connection's Via may reuse it. */
  alias(conn: Connection, host: string, port: number): void {
    const k = key(conn.protocol, host, port);
    if (this.byAddress.get(k) === conn || conn.closed) return;
    this.byAddress.set(k, conn);
    const list = this.aliasesOf.get(conn.id) ?? [];
    list.push(k);
    this.aliasesOf.set(conn.id, list);
  }

  /**
   * The open connection to an address, or the one being opened, or a new one from `open`:
   * concurrent sends to the same peer share one connection attempt.
   */
  async obtain(
    protocol: TransportProtocol,
    host: string,
    port: number,
    open: () => Promise<Connection>,
  ): Promise<Connection> {
    const existing = this.find(protocol, host, port);
    if (existing) return existing;
    const k = key(protocol, host, port);
    let pending = this.connecting.get(k);
    if (!pending) {
      pending = open().finally(() => this.connecting.delete(k));
      this.connecting.set(k, pending);
    }
    return pending;
  }

  list(): ConnectionInfo[] {
    return [...this.byId.values()].map((c) => ({
      id: c.id,
      protocol: c.protocol,
      local: { ...c.local },
      remote: { ...c.remote },
      outbound: c.outbound,
      aliases: (this.aliasesOf.get(c.id) ?? []).map((a) => {
        const [, host, port] = a.split(' ');
        return { host: host!, port: Number(port) };
      }),
      lastActivity: c.lastActivity,
    }));
  }

  /** Closes connections without traffic for longer than the idle timeout. */
  sweep(): void {
    const limit = this.now() - this.idleTimeoutMs;
    for (const c of this.byId.values()) {
      if (c.lastActivity < limit) {
        this.logger.debug({ connection: c.id, remote: c.remote }, 'closing idle connection');
        c.close();
      }
    }
  }

  /** Stops the idle timer and closes every connection. */
  closeAll(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const c of [...this.byId.values()]) c.close();
  }
}
