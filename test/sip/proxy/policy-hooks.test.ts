/**
 * The ProxyPolicy hooks a network function needs beyond plain forwarding, over real UDP
 * sockets: `handled` (the policy answers as a UAS) and `onBranchFailure` (RFC 3261 §16.7
 * step 4: new targets replace a failed branch, e.g. the next AS or another S-CSCF).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResolveError } from '../../../src/sip/dns/resolve-error.ts';
import {
  createResponse,
  parseMessage,
  SipRequest,
  type SipResponse,
  SipUri,
} from '../../../src/sip/message/index.ts';
import { type ProxyPolicy, StatefulProxy, type StatefulProxyOptions } from '../../../src/sip/proxy/index.ts';
import { type IncomingMessage, SipTransportLayer } from '../../../src/sip/transport/index.ts';

const udp = () => SipTransportLayer.start({ listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }] });

/** A UDP endpoint answering every request with `status`, counting what it got. */
async function endpoint(status: number) {
  const transport = await udp();
  const got: SipRequest[] = [];
  transport.onMessage(({ message, flow }: IncomingMessage) => {
    if (!(message instanceof SipRequest)) return;
    got.push(message);
    void transport.sendResponse(createResponse(message, status, { toTag: 'x' }), flow);
  });
  return { transport, got, port: transport.listening()[0]!.port };
}

async function startProxy(policy: ProxyPolicy, resolve?: StatefulProxyOptions['resolve']) {
  const transport = await udp();
  const port = transport.listening()[0]!.port;
  const proxy = new StatefulProxy({
    transport,
    policy,
    localAddresses: [{ host: '127.0.0.1', port }],
    resolve:
      resolve ??
      (async (uri) => [{ protocol: 'udp', host: (uri as SipUri).host, port: (uri as SipUri).port ?? 5060 }]),
    timerValues: { T1: 50 },
  });
  return { transport, proxy, port };
}

/** Sends one MESSAGE to the proxy from a fresh UA and resolves with the final status. */
async function request(proxyPort: number): Promise<number> {
  return (await finalResponse(proxyPort))?.status ?? 0;
}

async function finalResponse(
  proxyPort: number,
  from = '<sip:alice@a.test>',
): Promise<SipResponse | undefined> {
  const ua = await udp();
  try {
    const port = ua.listening()[0]!.port;
    const final = new Promise<SipResponse>((resolve) =>
      ua.onMessage(({ message }) => {
        if (!(message instanceof SipRequest) && message.status >= 200) resolve(message);
      }),
    );
    const text =
      `MESSAGE sip:bob@127.0.0.1:${proxyPort} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${Math.random()}\r\n` +
      `Max-Forwards: 70\r\nFrom: ${from};tag=1\r\nTo: <sip:bob@b.test>\r\n` +
      `Call-ID: ${Math.random()}\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n`;
    await ua.send(parseMessage(Buffer.from(text)), { protocol: 'udp', host: '127.0.0.1', port: proxyPort });
    return await Promise.race([final, sleep(3000).then(() => undefined)]);
  } finally {
    await ua.close();
  }
}

describe('ProxyPolicy hooks', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  it("'handled': the policy's own response goes upstream, nothing is forwarded", async () => {
    const p = await startProxy({
      route(ctx) {
        ctx.transaction.respond(createResponse(ctx.request, 202, { toTag: 'uas' }));
        return { action: 'handled' };
      },
    });
    cleanup.push(
      () => p.transport.close(),
      () => p.proxy.dispose(),
    );
    assert.equal(await request(p.port), 202);
    assert.equal(p.proxy.stats().responseContexts, 0);
  });

  it('§16.3 step 1: a malformed From is a 400 naming it before the policy sees the request', async () => {
    let routed = 0;
    const p = await startProxy({
      route: () => {
        routed++;
        return { action: 'respond', status: 403 };
      },
    });
    cleanup.push(
      () => p.transport.close(),
      () => p.proxy.dispose(),
    );
    const r = await finalResponse(p.port, '<sip:>');
    assert.equal(`${r?.status} ${r?.reason}`, '400 Bad From header: Bad SIP URI: missing host');
    assert.equal(routed, 0);
  });

  it('§16.7 step 6: no next hop (DNS found no server) is a 500 upstream that says so, not a 503', async () => {
    const p = await startProxy(
      { route: () => ({ action: 'forward', targets: [{ uri: SipUri.parse('sip:bob@nowhere.invalid') }] }) },
      async () => {
        throw new ResolveError('NOT_FOUND', 'no SIP server found for sip:bob@nowhere.invalid');
      },
    );
    cleanup.push(
      () => p.transport.close(),
      () => p.proxy.dispose(),
    );
    const response = await finalResponse(p.port);
    assert.equal(response?.status, 500);
    assert.equal(response?.reason, 'Next Hop Unresolvable');
  });

  it('§16.7 step 3: a final response with no Via left for upstream ends its branch; ours goes up instead', async () => {
    // A broken UAS that keeps only the top Via (the proxy's) in its 486.
    const broken = await udp();
    broken.onMessage(({ message, flow }: IncomingMessage) => {
      if (!(message instanceof SipRequest)) return;
      const response = createResponse(message, 486, { toTag: 'x' });
      response.headers.set('Via', message.headers.values('Via')[0]!);
      void broken.sendResponse(response, flow);
    });
    const brokenPort = broken.listening()[0]!.port;
    const p = await startProxy({
      route: () => ({
        action: 'forward',
        targets: [{ uri: SipUri.parse(`sip:bob@127.0.0.1:${brokenPort}`) }],
      }),
    });
    cleanup.push(
      () => p.transport.close(),
      () => p.proxy.dispose(),
      () => broken.close(),
    );
    const response = await finalResponse(p.port);
    assert.equal(response?.status, 486);
    assert.equal(p.proxy.stats().responseContexts, 0);
  });

  it('onBranchFailure: new targets replace a failed branch and their answer goes upstream', async () => {
    const failing = await endpoint(503);
    const working = await endpoint(200);
    const seen: number[] = [];
    const p = await startProxy({
      route: () => ({
        action: 'forward',
        targets: [{ uri: SipUri.parse(`sip:as@127.0.0.1:${failing.port}`) }],
      }),
      async onBranchFailure(response) {
        seen.push(response.status);
        await sleep(5);
        return seen.length === 1 ? [{ uri: SipUri.parse(`sip:bob@127.0.0.1:${working.port}`) }] : undefined;
      },
    });
    cleanup.push(
      () => p.transport.close(),
      () => p.proxy.dispose(),
      () => failing.transport.close(),
      () => working.transport.close(),
    );
    assert.equal(await request(p.port), 200);
    assert.deepEqual(seen, [503]);
    assert.equal(failing.got.length, 1);
    assert.equal(working.got.length, 1);
  });

  it('onBranchFailure returning nothing keeps the failure for the best-response choice', async () => {
    const failing = await endpoint(486);
    const p = await startProxy({
      route: () => ({
        action: 'forward',
        targets: [{ uri: SipUri.parse(`sip:bob@127.0.0.1:${failing.port}`) }],
      }),
      onBranchFailure: () => [],
    });
    cleanup.push(
      () => p.transport.close(),
      () => p.proxy.dispose(),
      () => failing.transport.close(),
    );
    assert.equal(await request(p.port), 486);
  });

  it('responseTimeout: a target silent for that long fails with 408 long before Timer B', async () => {
    const silent = await udp();
    const silentPort = silent.listening()[0]!.port;
    const working = await endpoint(200);
    const seen: number[] = [];
    const p = await startProxy({
      route: () => ({
        action: 'forward',
        targets: [{ uri: SipUri.parse(`sip:as@127.0.0.1:${silentPort}`), responseTimeout: 150 }],
      }),
      onBranchFailure(response) {
        seen.push(response.status);
        return [{ uri: SipUri.parse(`sip:bob@127.0.0.1:${working.port}`) }];
      },
    });
    cleanup.push(
      () => p.transport.close(),
      () => p.proxy.dispose(),
      () => silent.close(),
      () => working.transport.close(),
    );
    const started = Date.now();
    assert.equal(await request(p.port), 200);
    assert.deepEqual(seen, [408]);
    // T1 is 50 ms here, so Timer F would be 3.2 s.
    assert.ok(Date.now() - started < 1500);
  });
});
