import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { type LookupOneOptions, lookup } from 'node:dns';
import { isIP } from 'node:net';
import type { Logger } from '../../log/logger.ts';
import { normalizeIp } from './connection.ts';
import type { ListenEntry } from './transport-options.ts';
import { type HostPort, TransportError } from './types.ts';

/** RFC 768 over IPv4: the largest UDP payload is 65,535 - 8 - 20 bytes. */
export const MAX_UDP_PAYLOAD = 65507;

/** A datagram as received: bytes, source and the local address it arrived on. */
export interface Datagram {
  data: Buffer;
  remote: HostPort;
  local: HostPort;
}

/**
 * The transport layer resolves names itself (RFC 3263) and gives dgram addresses: an address
 * is taken as it is, at once, where dns.lookup would answer it a tick later, for every datagram.
 */
function addressLookup(
  host: string,
  options: LookupOneOptions | number,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const f = isIP(host);
  if (f !== 0) callback(null, host, f);
  else lookup(host, typeof options === 'number' ? { family: options } : options, callback);
}

/** One UDP socket bound to a listen address (RFC 3261 §18: UDP is the default SIP transport). */
export class UdpTransport {
  private constructor(
    readonly entry: ListenEntry,
    private readonly socket: Socket,
    /** The bound address, port read back from the system when 0 was asked. */
    readonly local: HostPort,
    readonly family: 4 | 6,
  ) {}

  static bind(
    entry: ListenEntry,
    onDatagram: (d: Datagram) => void,
    logger: Logger,
    receiveBufferBytes?: number,
  ): Promise<UdpTransport> {
    const family = isIP(entry.host) === 6 ? 6 : 4;
    const socket = createSocket({
      type: family === 6 ? 'udp6' : 'udp4',
      lookup: addressLookup,
      ...(receiveBufferBytes ? { recvBufferSize: receiveBufferBytes } : {}),
    });
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      socket.once('error', onError);
      socket.bind(entry.port, entry.host, () => {
        socket.off('error', onError);
        const local = { host: normalizeIp(socket.address().address), port: socket.address().port };
        const t = new UdpTransport(entry, socket, local, family);
        const log = logger.child({ transport: 'udp', local });
        socket.on('error', (err) => log.warn({ err: err.message }, 'udp socket error'));
        socket.on('message', (data: Buffer, rinfo: RemoteInfo) =>
          onDatagram({ data, remote: { host: normalizeIp(rinfo.address), port: rinfo.port }, local }),
        );
        resolve(t);
      });
    });
  }

  /** Whether this socket can send to an address of that family (a '::' socket is dual-stack). */
  reaches(host: string): boolean {
    const f = isIP(host);
    return f === this.family || (f === 4 && this.family === 6 && this.entry.host === '::');
  }

  send(data: Buffer, host: string, port: number): Promise<void> {
    if (data.length > MAX_UDP_PAYLOAD) {
      return Promise.reject(new TransportError('TOO_LARGE', `${data.length} bytes do not fit a datagram`));
    }
    // A dual-stack IPv6 socket reaches IPv4 peers at their IPv4-mapped address.
    const to = this.family === 6 && isIP(host) === 4 ? `::ffff:${host}` : host;
    return new Promise((resolve, reject) => {
      this.socket.send(data, port, to, (err) => {
        if (err) reject(new TransportError('SEND_FAILED', `udp send to ${host}:${port}: ${err.message}`));
        else resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }
}
