import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../src/log/logger.ts';
import { UserAgentCore } from '../../../src/sip/dialog/user-agent-core.ts';
import { Headers, SipRequest, type SipResponse } from '../../../src/sip/message/index.ts';
import { TransportError } from '../../../src/sip/transport/types.ts';
import { FakeClock, flush } from '../transaction/fake-clock.ts';
import { makeResponse } from '../transaction/messages.ts';
import { flowFrom, SpyTransport } from '../transaction/spy-transport.ts';

function options(): SipRequest {
  const h = new Headers();
  h.append('Max-Forwards', '70');
  h.append('From', '<sip:alice@ims.test>;tag=a1');
  h.append('To', '<sip:bob@ims.test>');
  h.append('Call-ID', 'opt-1');
  h.append('CSeq', '1 OPTIONS');
  return new SipRequest('OPTIONS', 'sip:bob@ims.test', h);
}

function setup(resolve: () => Promise<{ protocol: 'udp' | 'tcp'; host: string; port: number }[]>) {
  const clock = new FakeClock();
  const transport = new SpyTransport();
  const core = new UserAgentCore({ transport, resolve, timers: clock, logger: silentLogger });
  const responses: SipResponse[] = [];
  return { clock, transport, core, responses, user: { onResponse: (r: SipResponse) => responses.push(r) } };
}

describe('OutgoingRequest (RFC 3261 §8.1, RFC 3263 §4.3)', () => {
  it('adds our Via with a new branch and rport, and sends to the resolved next hop', async () => {
    const t = setup(async () => [{ protocol: 'udp', host: '203.0.113.5', port: 5060 }]);
    t.core.sendRequest(options(), t.user);
    await flush();
    const [sent] = t.transport.sent;
    assert.equal(sent?.destination?.host, '203.0.113.5');
    const via = (sent!.message as SipRequest).topVia;
    assert.match(via.branch ?? '', /^z9hG4bK/);
    assert.equal(via.rport, null);
    assert.equal(via.sentBy, '192.0.2.1:5060');
    t.core.dispose();
  });

  it('§4.3: a transport failure moves on to the next target, in a new transaction', async () => {
    const t = setup(async () => [
      { protocol: 'tcp', host: '203.0.113.5', port: 5060 },
      { protocol: 'udp', host: '203.0.113.6', port: 5060 },
    ]);
    t.transport.failNext(new TransportError('CONNECT_FAILED', 'refused'));
    const outgoing = t.core.sendRequest(options(), t.user);
    await flush();
    await flush();
    assert.deepEqual(
      t.transport.sent.map((s) => s.destination?.host),
      ['203.0.113.5', '203.0.113.6'],
    );
    const [first, second] = t.transport.sent.map((s) => (s.message as SipRequest).topVia.branch);
    assert.notEqual(first, second);
    assert.equal(t.responses.length, 0);
    t.transport.inject(makeResponse(outgoing.request, 200), flowFrom('udp', '203.0.113.6'));
    assert.deepEqual(
      t.responses.map((r) => r.status),
      [200],
    );
    t.core.dispose();
  });

  it('§8.1.3.1: no usable target is a 503; a timeout a 408', async () => {
    const t = setup(async () => {
      throw new Error('NXDOMAIN');
    });
    t.core.sendRequest(options(), t.user);
    await flush();
    assert.deepEqual(
      t.responses.map((r) => r.status),
      [503],
    );
    const u = setup(async () => [{ protocol: 'udp', host: '203.0.113.5', port: 5060 }]);
    u.core.sendRequest(options(), u.user);
    await flush();
    u.clock.tick(32_000);
    assert.deepEqual(
      u.responses.map((r) => r.status),
      [408],
    );
    t.core.dispose();
    u.core.dispose();
  });
});
