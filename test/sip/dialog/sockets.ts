import { silentLogger } from '../../../src/log/logger.ts';
import { UserAgentCore } from '../../../src/sip/dialog/user-agent-core.ts';
import { SipResolver } from '../../../src/sip/dns/index.ts';
import { SipUri } from '../../../src/sip/message/index.ts';
import { SipTransportLayer } from '../../../src/sip/transport/index.ts';
import type { TransportProtocol } from '../../../src/sip/transport/types.ts';

/** A user agent core on real sockets on 127.0.0.1 (one listener, a port chosen by the system). */
export async function startUa(protocol: Extract<TransportProtocol, 'udp' | 'tcp'> = 'udp') {
  const transport = await SipTransportLayer.start({
    listen: [{ protocol, host: '127.0.0.1', port: 0 }],
    logger: silentLogger,
  });
  const resolver = new SipResolver({ protocols: [protocol] });
  const core = new UserAgentCore({
    transport,
    resolve: (uri) => resolver.resolve(uri instanceof SipUri ? uri : uri.toString()),
    logger: silentLogger,
  });
  const port = transport.listening()[0]!.port;
  return {
    transport,
    core,
    port,
    /** A SIP URI reaching this UA. */
    uri: (user: string) => `sip:${user}@127.0.0.1:${port}${protocol === 'tcp' ? ';transport=tcp' : ''}`,
    async close() {
      core.dispose();
      resolver.close();
      await transport.close();
    },
  };
}

/** Polls until `check` holds (no fixed sleeps). */
export async function eventually(
  check: () => boolean,
  what = 'condition',
  timeoutMs = 10_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
