/**
 * A small proxy program for interop tests and benchmarks: our transport layer and stateful
 * proxy core with a fixed policy. Every request to the proxy's own host goes to `target`;
 * others are relayed by their Route/Request-URI. Record-Route is optional.
 * A target's `transport` parameter is copied into the forwarded Request-URI.
 */
import { parseSipUri, SipUri } from '../../../src/sip/message/index.ts';
import type { ProxyPolicy } from '../../../src/sip/proxy/index.ts';
import { StatefulProxy } from '../../../src/sip/proxy/index.ts';
import type { TimerService, TimerValues } from '../../../src/sip/transaction/index.ts';
import { SipTransportLayer } from '../../../src/sip/transport/index.ts';
import type { Destination, TransportProtocol } from '../../../src/sip/transport/types.ts';
import { freePort } from './free-port.ts';

export interface TestProxyOptions {
  host?: string;
  port?: number;
  /** Where requests addressed to the proxy itself go, e.g. sip:127.0.0.1:5070. */
  targets: string[];
  forking?: 'parallel' | 'sequential';
  recordRoute?: boolean;
  protocols?: TransportProtocol[];
  tls?: { cert: string; key: string };
  timerC?: number;
  /** T1, T2, T4 of the proxy's transactions (lowered in the leak test). */
  timerValues?: Partial<TimerValues>;
  /** The proxy's timers (a counting wrapper in the leak test). */
  timers?: TimerService;
}

export interface TestProxy {
  proxy: StatefulProxy;
  /**
   * Requests the policy saw (ACKs for 2xx are forwarded statelessly and not counted), by
   * method, and by "<method> routed" when a Route naming the proxy was removed (§16.4): an
   * in-dialog request following the route set a Record-Route built.
   */
  requests: Map<string, number>;
  transport: SipTransportLayer;
  port: number;
  close(): Promise<void>;
}

/**
 * UDP and TCP share one port (SIPp reaches the proxy at one host:port with either); with port
 * 0 a port free for both is picked, and picked again if another process takes it first.
 */
async function startTransport(
  options: TestProxyOptions,
  host: string,
  protocols: readonly TransportProtocol[],
): Promise<SipTransportLayer> {
  for (let attempt = 0; ; attempt++) {
    const port =
      options.port ?? (protocols.includes('udp') && protocols.includes('tcp') ? await freePort(host) : 0);
    try {
      return await SipTransportLayer.start({
        listen: protocols.map((protocol, i) => ({
          protocol,
          host,
          port:
            protocol === 'udp' || protocol === 'tcp'
              ? port
              : options.port === undefined || options.port === 0
                ? 0
                : options.port + 1 + i,
        })),
        ...(options.tls ? { tls: options.tls } : {}),
      });
    } catch (err) {
      if (options.port !== undefined || attempt >= 5 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE')
        throw err;
    }
  }
}

export async function startTestProxy(options: TestProxyOptions): Promise<TestProxy> {
  const host = options.host ?? '127.0.0.1';
  const protocols = options.protocols ?? ['udp', 'tcp'];
  const transport = await startTransport(options, host, protocols);
  const bound = transport.listening();
  const sipPort = bound.find((l) => l.protocol === 'udp' || l.protocol === 'tcp')?.port ?? bound[0]!.port;
  const local = bound.map((l) => ({ host, port: l.port }));
  const targets = options.targets.map((t) => parseSipUri(t));
  const requests = new Map<string, number>();
  const count = (key: string) => requests.set(key, (requests.get(key) ?? 0) + 1);
  const policy: ProxyPolicy = {
    route(ctx) {
      count(ctx.request.method);
      if (ctx.removedRoutes.length > 0) count(`${ctx.request.method} routed`);
      const uri = ctx.request.uri;
      const toUs =
        uri instanceof SipUri && uri.host === host && local.some((l) => l.port === (uri.port ?? 5060));
      if (!toUs) return { action: 'relay' };
      return {
        action: 'forward',
        forking: options.forking ?? 'parallel',
        targets: targets.map((t) => {
          const u = uri.clone();
          u.host = t.host;
          u.port = t.port;
          // A target's transport (sip:h:p;transport=tcp) is how the callee is reached.
          const transport = t.param('transport');
          if (typeof transport === 'string') u.params.set('transport', transport);
          return { uri: u };
        }),
      };
    },
    recordRoute: () => (options.recordRoute ? `sip:${host}:${sipPort};lr` : undefined),
  };
  const proxy = new StatefulProxy({
    transport,
    policy,
    localAddresses: local,
    resolve: async (uri) => {
      if (!(uri instanceof SipUri)) return [];
      const t = uri.param('transport');
      const protocol = (typeof t === 'string' ? t.toLowerCase() : 'udp') as Destination['protocol'];
      return [{ protocol, host: uri.host, port: uri.port ?? 5060 }];
    },
    timerC: options.timerC,
    ...(options.timerValues ? { timerValues: options.timerValues } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
  });
  return {
    proxy,
    requests,
    transport,
    port: sipPort,
    async close() {
      proxy.dispose();
      await transport.close();
    },
  };
}
