/**
 * Free ports for the peers a test starts (SIPp binds a fixed port it is given): a port the
 * system hands out for TCP and that UDP can bind too, both released again before returning.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

function bindTcp(host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({
        port: typeof a === 'object' && a ? a.port : port,
        close: () => new Promise((r) => server.close(() => r())),
      });
    });
  });
}

function bindUdp(host: string, port: number): Promise<() => Promise<void>> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(port, host, () => resolve(() => new Promise((r) => socket.close(() => r()))));
  });
}

/**
 * Ports handed out lately: released until their owner binds them, so never handed out twice
 * in a row (the proxy's port and the SIPp ports of one test are picked one after the other).
 */
const recent: number[] = [];
const RECENT_KEPT = 256;

/** A port free for both UDP and TCP on `host` (IPv4), e.g. for SIPp's `-p`. */
export async function freePort(host = '127.0.0.1', exclude: readonly number[] = []): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const tcp = await bindTcp(host, 0);
    try {
      if (exclude.includes(tcp.port) || recent.includes(tcp.port)) continue;
      const closeUdp = await bindUdp(host, tcp.port).catch(() => undefined);
      if (!closeUdp) continue;
      await closeUdp();
      recent.push(tcp.port);
      if (recent.length > RECENT_KEPT) recent.shift();
      return tcp.port;
    } finally {
      await tcp.close();
    }
  }
  throw new Error(`no port free for both UDP and TCP on ${host}`);
}

/** Several distinct free ports. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort(host, ports));
  return ports;
}

/** True once something has bound `port` (UDP or TCP, as asked) on `host`. */
export async function isBound(protocol: 'udp' | 'tcp', port: number, host = '127.0.0.1'): Promise<boolean> {
  try {
    if (protocol === 'udp') await (await bindUdp(host, port))();
    else await (await bindTcp(host, port)).close();
    return false;
  } catch {
    return true;
  }
}
