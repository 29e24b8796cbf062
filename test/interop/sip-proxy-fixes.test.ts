/**
 * Regression tests for the proxy core (src/sip/proxy) over real UDP sockets, one per bug found
 * while running it against SIPp: a caller and a callee built on our transport layer, the
 * proxy between them, its timers counted.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  createResponse,
  parseMessage,
  type SipRequest,
  type SipResponse,
} from '../../src/sip/message/index.ts';
import { type IncomingMessage, SipTransportLayer } from '../../src/sip/transport/index.ts';
import { CountingTimers } from './helpers/counting-timers.ts';
import { startTestProxy, type TestProxy } from './helpers/test-proxy.ts';

/** A bare UA: a UDP transport and the messages it receives, in order. */
class TestUa {
  private readonly received: IncomingMessage[] = [];
  private waiters: (() => void)[] = [];

  private constructor(readonly transport: SipTransportLayer) {
    transport.onMessage((m) => {
      this.received.push(m);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async start(): Promise<TestUa> {
    return new TestUa(
      await SipTransportLayer.start({ listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }] }),
    );
  }

  get port(): number {
    return this.transport.listening()[0]!.port;
  }

  /** The first message received (now or later) that `match` accepts; fails after `ms`. */
  async next(match: (m: IncomingMessage) => boolean, ms = 5000): Promise<IncomingMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = this.received.findIndex(match);
      if (i >= 0) return this.received.splice(i, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('expected message not received');
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(left)]);
    }
  }

  send(text: string, port: number): Promise<unknown> {
    return this.transport.send(parseMessage(Buffer.from(text)), { protocol: 'udp', host: '127.0.0.1', port });
  }

  respond(request: SipRequest, flow: IncomingMessage['flow'], status: number, toTag = 'callee1'): void {
    void this.transport.sendResponse(createResponse(request, status, { toTag }), flow);
  }
}

const isRequest = (method: string) => (m: IncomingMessage) =>
  m.message.isRequest && (m.message as SipRequest).method === method;
const isResponse = (status: number) => (m: IncomingMessage) =>
  !m.message.isRequest && (m.message as SipResponse).status === status;

function request(method: string, uri: string, callerPort: number, branch: string): string {
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${callerPort};branch=${branch}`,
    'Max-Forwards: 70',
    'From: <sip:caller@127.0.0.1>;tag=caller1',
    'To: <sip:callee@127.0.0.1>',
    `Call-ID: ${branch}@fixes.test`,
    `CSeq: 1 ${method}`,
    `Contact: <sip:caller@127.0.0.1:${callerPort}>`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Until `done()` or `ms` elapsed. */
async function eventually(done: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(50);
}

describe('proxy core fixes, over real sockets', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  async function setUp(options: { timerC?: number; T1?: number } = {}) {
    const timers = new CountingTimers();
    const caller = await TestUa.start();
    const callee = await TestUa.start();
    open.push(caller.transport, callee.transport);
    const proxy: TestProxy = await startTestProxy({
      targets: [`sip:127.0.0.1:${callee.port}`],
      recordRoute: true,
      timers,
      ...(options.timerC ? { timerC: options.timerC } : {}),
      ...(options.T1 ? { timerValues: { T1: options.T1, T2: 8 * options.T1, T4: 10 * options.T1 } } : {}),
    });
    open.push(proxy);
    return { timers, caller, callee, proxy };
  }

  it('dispose() clears Timer C of the INVITEs still being forwarded (STYLE: dispose clears every timer)', async () => {
    const { timers, caller, callee, proxy } = await setUp();
    await caller.send(
      request('INVITE', `sip:callee@127.0.0.1:${proxy.port}`, caller.port, 'z9hG4bKfix1'),
      proxy.port,
    );
    const invite = await callee.next(isRequest('INVITE'));
    callee.respond(invite.message as SipRequest, invite.flow, 180);
    await caller.next(isResponse(180));
    assert.equal(proxy.proxy.stats().responseContexts, 1);
    open.splice(open.indexOf(proxy), 1);
    await proxy.close();
    assert.equal(timers.pending, 0, 'a timer outlived the proxy');
  });

  it('RFC 3261 §16.7 step 2: Timer C is reset by 101-199, not by 100', async () => {
    const timerC = 123_457;
    const { timers, caller, callee, proxy } = await setUp({ timerC });
    const starts = () => timers.scheduledWith(timerC);
    await caller.send(
      request('INVITE', `sip:callee@127.0.0.1:${proxy.port}`, caller.port, 'z9hG4bKfix2'),
      proxy.port,
    );
    const invite = await callee.next(isRequest('INVITE'));
    const inviteRequest = invite.message as SipRequest;
    await eventually(() => starts() === 1);
    assert.equal(starts(), 1, 'Timer C set when the INVITE is forwarded');
    callee.respond(inviteRequest, invite.flow, 100);
    callee.respond(inviteRequest, invite.flow, 180);
    await caller.next(isResponse(180));
    assert.equal(starts(), 2, 'reset once, by the 180 only');
    callee.respond(inviteRequest, invite.flow, 486);
    await caller.next(isResponse(486));
  });

  it('RFC 3261 §9.2, §16.10: a CANCEL matching no INVITE is answered and leaves no transaction', async () => {
    const { caller, callee, proxy } = await setUp({ T1: 20 });
    // Addressed to the callee (no context here): forwarded statelessly to it as well.
    await caller.send(
      request('CANCEL', `sip:callee@127.0.0.1:${callee.port}`, caller.port, 'z9hG4bKfix3'),
      proxy.port,
    );
    const response = (await caller.next((m) => !m.message.isRequest)).message as SipResponse;
    assert.equal(response.status, 481);
    assert.equal(response.cseq.method, 'CANCEL');
    await callee.next(isRequest('CANCEL'));
    // Timer J (64*T1 = 1.28 s) ends the CANCEL's server transaction.
    await eventually(() => proxy.proxy.layer.size === 0);
    assert.deepEqual(proxy.proxy.stats(), {
      responseContexts: 0,
      clientTransactions: 0,
      serverTransactions: 0,
    });
  });
});
