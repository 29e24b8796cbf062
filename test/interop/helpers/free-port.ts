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

/**
 * Ports are drawn at random below Linux's ephemeral range (32768-60999 by default): the system
 * hands those to every socket bound to port 0 and every outgoing connection, so a port picked
 * there could be taken by anyone before its owner binds it (a SIPp of another test file then
 * failed with EADDRINUSE). Below it, only another explicit pick can collide; the phones the
 * tests drive take their RTP ports from 10000-20000 (baresip.ts, linphone.ts).
 */
const PICK_FROM = 21_000;
const PICK_TO = 32_767;

/** A port free for both UDP and TCP on `host` (IPv4), e.g. for SIPp's `-p`. */
export async function freePort(host = '127.0.0.1', exclude: readonly number[] = []): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const candidate = PICK_FROM + Math.floor(Math.random() * (PICK_TO - PICK_FROM + 1));
    if (exclude.includes(candidate) || recent.includes(candidate)) continue;
    const tcp = await bindTcp(host, candidate).catch(() => undefined);
    if (!tcp) continue;
    try {
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
