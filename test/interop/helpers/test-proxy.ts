/**
 * A small proxy program for interop tests and benchmarks: our transport layer and stateful
 * proxy core with a fixed policy. Every request to the proxy's own host goes to `target`;
 * others are relayed by their Route/Request-URI. Record-Route is optional.
 */
import { parseSipUri, SipUri } from '../../../src/sip/message/index.ts';
import type { ProxyPolicy } from '../../../src/sip/proxy/index.ts';
import { StatefulProxy } from '../../../src/sip/proxy/index.ts';
import { SipTransportLayer } from '../../../src/sip/transport/index.ts';
import type { Destination } from '../../../src/sip/transport/types.ts';

export interface TestProxyOptions {
  host?: string;
  port?: number;
  /** Where requests addressed to the proxy itself go, e.g. sip:127.0.0.1:5070. */
  targets: string[];
  forking?: 'parallel' | 'sequential';
  recordRoute?: boolean;
  protocols?: ('udp' | 'tcp' | 'tls' | 'ws' | 'wss')[];
  tls?: { cert: string; key: string };
  timerC?: number;
}

export interface TestProxy {
  proxy: StatefulProxy;
  transport: SipTransportLayer;
  port: number;
  close(): Promise<void>;
}

export async function startTestProxy(options: TestProxyOptions): Promise<TestProxy> {
  const host = options.host ?? '127.0.0.1';
  const protocols = options.protocols ?? ['udp', 'tcp'];
  const port = options.port ?? 0;
  const transport = await SipTransportLayer.start({
    listen: protocols.map((protocol, i) => ({
      protocol,
      host,
      port: protocol === 'udp' || protocol === 'tcp' ? port : port === 0 ? 0 : port + 1 + i,
    })),
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const bound = transport.listening();
  const sipPort = bound.find((l) => l.protocol === 'udp' || l.protocol === 'tcp')?.port ?? bound[0]!.port;
  const local = bound.map((l) => ({ host, port: l.port }));
  const targets = options.targets.map((t) => parseSipUri(t));
  const policy: ProxyPolicy = {
    route(ctx) {
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
  });
  return {
    proxy,
    transport,
    port: sipPort,
    async close() {
      proxy.dispose();
      await transport.close();
    },
  };
}
