/**
 * Real-socket harness for the S-CSCF session routing: a StatefulProxy whose policy is the
 * SessionRouter over a Map-based registration store (no registrar), a tiny test application
 * server, answering endpoints, and a one-shot UAC. Everything on 127.0.0.1 UDP, port 0.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SessionRouter } from '../../../../src/functions/scscf/routing/session-router.ts';
import { silentLogger } from '../../../../src/log/logger.ts';
import {
  createResponse,
  parseMessage,
  SipRequest,
  type SipResponse,
  SipUri,
} from '../../../../src/sip/message/index.ts';
import { type ProxyPolicy, StatefulProxy } from '../../../../src/sip/proxy/index.ts';
import { type IncomingMessage, SipTransportLayer } from '../../../../src/sip/transport/index.ts';
import type { Registration } from '../../../../src/store/registrations/types.ts';
import { MapRegistrationStore, scscfConfig } from './fixtures.ts';

const udp = () => SipTransportLayer.start({ listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }] });

/** Numeric URIs only: sip:127.0.0.1:port. */
const resolveNumeric = async (uri: unknown) => {
  if (!(uri instanceof SipUri)) return [];
  return [{ protocol: 'udp' as const, host: uri.host, port: uri.port ?? 5060 }];
};

export interface RoutingHarness {
  router: SessionRouter;
  proxy: StatefulProxy;
  store: MapRegistrationStore;
  port: number;
  /** `<sip:orig@127.0.0.1:port;lr>`: the Service-Route a registrar would hand out. */
  serviceRoute: string;
  /** Every request the proxy policy saw. */
  seen: SipRequest[];
  close(): Promise<void>;
}

export async function startRoutingHarness(
  routing: Record<string, unknown> = {},
  unregistered: Record<string, Registration> = {},
  flowFailed?: (impu: string, contact: string) => Promise<void>,
): Promise<RoutingHarness> {
  const transport = await udp();
  const port = transport.listening()[0]!.port;
  const store = new MapRegistrationStore();
  const selfUri = new SipUri({ host: '127.0.0.1', port });
  const router = new SessionRouter({
    config: scscfConfig(routing, { host: '127.0.0.1', port }),
    registrations: store,
    logger: silentLogger,
    selfUri,
    async assignUnregistered(impu) {
      const r = unregistered[impu];
      return r ? store.put(r) : undefined;
    },
    ...(flowFailed ? { flowFailed } : {}),
  });
  const seen: SipRequest[] = [];
  const policy: ProxyPolicy = {
    route: (ctx) => {
      seen.push(ctx.request);
      return router.route(ctx);
    },
    recordRoute: (ctx, t) => router.recordRoute(ctx, t),
    beforeForward: (r, t, ctx) => router.beforeForward(r, t, ctx),
    beforeResponse: (r, ctx) => router.beforeResponse(r, ctx),
    onBranchFailure: (r, t, ctx) => router.onBranchFailure(r, t, ctx),
  };
  const proxy = new StatefulProxy({
    transport,
    policy,
    localAddresses: [{ host: '127.0.0.1', port }],
    resolve: resolveNumeric,
    timerValues: { T1: 100 },
  });
  return {
    router,
    proxy,
    store,
    port,
    serviceRoute: `<sip:orig@127.0.0.1:${port};lr>`,
    seen,
    async close() {
      router.close();
      proxy.dispose();
      await transport.close();
    },
  };
}

export type AsMode = 'proxy' | 'silent' | { status: number };

/**
 * A tiny application server on ISC: as a proxy it records the request and sends it back by the
 * Route it received (the S-CSCF's ODI entry); it may instead answer with an error, or say nothing.
 */
export async function startTestAs(name: string, mode: AsMode, log: string[]) {
  const transport = await udp();
  const port = transport.listening()[0]!.port;
  const got: SipRequest[] = [];
  if (mode === 'silent') {
    transport.onMessage(({ message }: IncomingMessage) => {
      if (message instanceof SipRequest) {
        got.push(message);
        log.push(name);
      }
    });
    return { port, uri: `sip:127.0.0.1:${port}`, got, close: () => transport.close() };
  }
  const proxy = new StatefulProxy({
    transport,
    localAddresses: [{ host: '127.0.0.1', port }],
    resolve: resolveNumeric,
    policy: {
      route(ctx) {
        got.push(ctx.request);
        if (ctx.request.to.tag === undefined) log.push(name);
        if (mode === 'proxy') return { action: 'relay' };
        return { action: 'respond', status: mode.status };
      },
      recordRoute: (ctx) => (ctx.request.method === 'INVITE' ? `sip:127.0.0.1:${port};lr` : undefined),
    },
  });
  return {
    port,
    uri: `sip:127.0.0.1:${port}`,
    got,
    async close() {
      proxy.dispose();
      await transport.close();
    },
  };
}

/** An endpoint answering every request with `status` (a UE behind the S-CSCF, a BGCF, an I-CSCF). */
export async function startEndpoint(name: string, status: number, log: string[] = []) {
  const transport = await udp();
  const port = transport.listening()[0]!.port;
  const got: SipRequest[] = [];
  transport.onMessage(({ message, flow }: IncomingMessage) => {
    if (!(message instanceof SipRequest) || message.method === 'ACK') return;
    got.push(message);
    log.push(name);
    void transport.sendResponse(createResponse(message, status, { toTag: `${name}-tag` }), flow);
  });
  return { port, contact: `sip:${name}@127.0.0.1:${port}`, got, close: () => transport.close() };
}

/** Sends one request (text with `{port}` for the UAC's port) to the S-CSCF; resolves with the final response. */
export async function sendRequest(
  scscfPort: number,
  text: string,
  timeoutMs = 8000,
): Promise<SipResponse | undefined> {
  const ua = await udp();
  try {
    const port = ua.listening()[0]!.port;
    const final = new Promise<SipResponse>((resolve) =>
      ua.onMessage(({ message }) => {
        if (!(message instanceof SipRequest) && message.status >= 200) resolve(message);
      }),
    );
    const request = parseMessage(
      Buffer.from(text.replaceAll('{port}', String(port)).replace(/\r?\n/g, '\r\n')),
    );
    await ua.send(request, { protocol: 'udp', host: '127.0.0.1', port: scscfPort });
    return await Promise.race([final, sleep(timeoutMs).then(() => undefined)]);
  } finally {
    await ua.close();
  }
}

let counter = 0;

/** A MESSAGE from alice (asserted) over the Service-Route, or to the S-CSCF as a terminating request. */
export function message(to: string, route: string, pai?: string): string {
  counter++;
  return [
    `MESSAGE ${to} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-msg${counter}-${Date.now()}`,
    'Max-Forwards: 70',
    `Route: ${route}`,
    `From: <sip:alice@ims.test>;tag=a${counter}`,
    `To: <${to}>`,
    `Call-ID: msg-${counter}-${Date.now()}@test`,
    'CSeq: 1 MESSAGE',
    ...(pai ? [`P-Asserted-Identity: <${pai}>`] : []),
    'Content-Type: text/plain',
    'Content-Length: 2',
    '',
    'hi',
  ].join('\n');
}
