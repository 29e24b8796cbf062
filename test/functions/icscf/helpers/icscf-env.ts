/**
 * What the I-CSCF tests share: a real HSS (SQLite, Diameter port 0) with a client node playing
 * an S-CSCF on Cx (to put users in the registered state with a SAR), fake S-CSCFs (UDP SIP
 * endpoints on our transport layer that record what they get and answer as told), the I-CSCF
 * itself on port 0, and a UA sending one request and waiting for the final response.
 */
import { randomUUID } from 'node:crypto';
import { validateConfig } from '../../../../src/config/load.ts';
import type { DiameterNode } from '../../../../src/diameter/node.ts';
import { type IcscfConfig, icscfConfigSchema } from '../../../../src/functions/icscf/config.ts';
import { type Icscf, startIcscf } from '../../../../src/functions/icscf/index.ts';
import { silentLogger } from '../../../../src/log/logger.ts';
import {
  createResponse,
  parseMessage,
  SipRequest,
  type SipResponse,
} from '../../../../src/sip/message/index.ts';
import { type IncomingMessage, SipTransportLayer } from '../../../../src/sip/transport/index.ts';
import { HSS_HOST } from '../../hss/helpers/hss-env.ts';

const udp = () => SipTransportLayer.start({ listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }] });

export interface FakeScscf {
  /** Its SIP URI: the Server-Name the HSS stores and the I-CSCF configuration names. */
  uri: string;
  port: number;
  /** Requests received, retransmissions left out. */
  got: SipRequest[];
  /** Resolves with the next request it receives. */
  next(): Promise<SipRequest>;
  close(): Promise<void>;
}

/**
 * A fake S-CSCF: answers each request with `answer(request)` (undefined: stays silent, as a
 * dead S-CSCF would; 401 for a REGISTER, as the S-CSCF challenging the UE).
 */
export async function fakeScscf(
  answer: (request: SipRequest) => number | undefined = (r) => (r.method === 'REGISTER' ? 401 : 200),
): Promise<FakeScscf> {
  const transport = await udp();
  const port = transport.listening()[0]!.port;
  const got: SipRequest[] = [];
  const waiting: ((r: SipRequest) => void)[] = [];
  transport.onMessage(({ message, flow }: IncomingMessage) => {
    if (!(message instanceof SipRequest) || message.method === 'ACK') return;
    // UDP retransmissions of a request it does not answer count once.
    if (got.some((r) => r.topVia.branch === message.topVia.branch)) return;
    got.push(message);
    waiting.shift()?.(message);
    const status = answer(message);
    if (status !== undefined)
      void transport.sendResponse(createResponse(message, status, { toTag: 'scscf' }), flow);
  });
  return {
    uri: `sip:127.0.0.1:${port}`,
    port,
    got,
    next: () => new Promise((resolve) => waiting.push(resolve)),
    close: () => transport.close(),
  };
}

/**
 * The I-CSCF on UDP port 0 towards the HSS at `hss` (its port, or the Diameter host and port of
 * another first peer, an SLF); `overrides` merged at the top level.
 */
export async function startTestIcscf(
  hss: number | { host: string; port: number },
  scscfs: IcscfConfig['scscfs'] | { uri: string; capabilities?: number[]; weight?: number }[],
  overrides: Record<string, unknown> = {},
): Promise<Icscf> {
  const peer = typeof hss === 'number' ? { host: HSS_HOST, port: hss } : hss;
  const config = validateConfig(icscfConfigSchema, {
    sip: {
      host: '127.0.0.1',
      listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }],
      timers: { T1: 100 },
    },
    diameter: {
      listen: { port: 0 },
      peers: [{ host: peer.host, address: '127.0.0.1', port: peer.port }],
      requestTimeoutMs: 1000,
    },
    scscfs,
    scscfTimeoutMs: 400,
    ...overrides,
  });
  const icscf = await startIcscf(config, silentLogger);
  await (icscf.diameter as DiameterNode).waitForPeer(peer.host);
  return icscf;
}

/** Records the User-Authorization-Type (or -1 when absent) of each UAR the I-CSCF sends. */
export function spyUars(icscf: Icscf): number[] {
  const node = icscf.diameter as DiameterNode;
  const types: number[] = [];
  const request = node.request.bind(node);
  node.request = (init, options) => {
    if (init.commandCode === 300) types.push((init.avps.userAuthorizationType as number | undefined) ?? -1);
    return request(init, options);
  };
  return types;
}

export interface RequestOptions {
  method?: string;
  uri: string;
  from?: string;
  to: string;
  /** A To tag: the request is inside a dialog. */
  toTag?: string;
  headers?: string[];
  maxForwards?: number;
}

/** Sends one request from a fresh UDP UA to the I-CSCF and resolves with its final response. */
export async function send(icscfPort: number, options: RequestOptions): Promise<SipResponse> {
  const ua = await udp();
  try {
    const port = ua.listening()[0]!.port;
    const method = options.method ?? 'REGISTER';
    const final = new Promise<SipResponse>((resolve) =>
      ua.onMessage(({ message }) => {
        if (!(message instanceof SipRequest) && message.status >= 200) resolve(message);
      }),
    );
    const lines = [
      `${method} ${options.uri} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${randomUUID()}`,
      `Max-Forwards: ${options.maxForwards ?? 70}`,
      `From: <${options.from ?? options.to}>;tag=ua`,
      `To: <${options.to}>${options.toTag ? `;tag=${options.toTag}` : ''}`,
      `Call-ID: ${randomUUID()}`,
      `CSeq: 1 ${method}`,
      `Contact: <sip:ue@127.0.0.1:${port}>`,
      ...(options.headers ?? []),
      'Content-Length: 0',
      '',
      '',
    ];
    await ua.send(parseMessage(Buffer.from(lines.join('\r\n'))), {
      protocol: 'udp',
      host: '127.0.0.1',
      port: icscfPort,
    });
    return await withTimeout(final, 8000, `no final response to ${method} ${options.uri}`);
  } finally {
    await ua.close();
  }
}

/** A REGISTER for `name`@ims.test with the Authorization username its IMPI. */
export function register(icscfPort: number, name: string, extra: string[] = []): Promise<SipResponse> {
  return send(icscfPort, {
    uri: 'sip:ims.test',
    to: `sip:${name}@ims.test`,
    headers: [
      `Authorization: Digest username="${name}@ims.test", realm="ims.test", nonce="", uri="sip:ims.test", response=""`,
      'Expires: 600',
      ...extra,
    ],
  });
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(what)), ms);
    }),
  ]);
}
