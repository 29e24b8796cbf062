import { connect as netConnect, createServer as netServer, type Server, type Socket } from 'node:net';
import {
  type ConnectionOptions,
  type TlsOptions,
  connect as tlsConnect,
  createServer as tlsServer,
} from 'node:tls';

// RFC 6733 §2.1: Diameter runs over TCP or SCTP, TLS/TCP on its own port (5658) from the first
// byte. DEVIATION: Node has no SCTP, so only TCP and TLS/TCP are offered.

export interface ConnectTarget {
  address: string;
  port: number;
  /** TLS client options (ca, cert, key, servername, ...); plain TCP when absent. */
  tls?: ConnectionOptions;
  /** Source address to bind. */
  localAddress?: string;
}

/** Opens a TCP (or TLS) connection; resolves once it is up (for TLS, once the handshake is done). */
export function connectTransport(target: ConnectTarget): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = target.tls
      ? tlsConnect({
          host: target.address,
          port: target.port,
          ...(target.localAddress ? { localAddress: target.localAddress } : {}),
          ...target.tls,
        })
      : netConnect({
          host: target.address,
          port: target.port,
          ...(target.localAddress ? { localAddress: target.localAddress } : {}),
        });
    const ready = target.tls ? 'secureConnect' : 'connect';
    const onError = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
    socket.once(ready, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/** A TCP (or TLS) listening server; `onConnection` gets each accepted socket. */
export function createTransportServer(onConnection: (socket: Socket) => void, tls?: TlsOptions): Server {
  return tls ? tlsServer(tls, onConnection) : netServer(onConnection);
}
