import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import type { SipTransportLayer } from '../../../src/sip/transport/index.ts';
import { eventually, Inbox, okFor, parse, portOf, Received, requestText, start } from './helpers.ts';

async function tcpClient(port: number): Promise<{ socket: Socket; received: Received }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  return { socket, received: new Received(socket) };
}

const hasResponses = (n: number) => (t: string) => (t.match(/SIP\/2\.0 \d{3} /g) ?? []).length >= n;

describe('TCP transport (RFC 3261 §18.3, RFC 5626 §4.4.1)', () => {
  let layer: SipTransportLayer;
  let inbox: Inbox;
  let port: number;
  const sockets: Socket[] = [];

  before(async () => {
    layer = await start({ listen: [{ protocol: 'tcp', host: '127.0.0.1', port: 0 }] });
    inbox = new Inbox(layer);
    port = portOf(layer, 'tcp');
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await layer.close();
  });

  it('§18.3: frames a message split across writes and several in one write', async () => {
    const c = await tcpClient(port);
    sockets.push(c.socket);
    const m1 = requestText({ via: 'SIP/2.0/TCP ue.ims.test;branch=z9hG4bKt1', body: 'one', callId: 'c1' });
    const m2 = requestText({ via: 'SIP/2.0/TCP ue.ims.test;branch=z9hG4bKt2', body: 'two', callId: 'c2' });
    const m3 = requestText({ via: 'SIP/2.0/TCP ue.ims.test;branch=z9hG4bKt3', callId: 'c3' });
    const wire = Buffer.from(m1);
    for (const piece of [wire.subarray(0, 10), wire.subarray(10, 100), wire.subarray(100)]) {
      c.socket.write(piece);
      await new Promise((r) => setImmediate(r));
    }
    c.socket.write(m2 + m3);
    const got = [await inbox.next(), await inbox.next(), await inbox.next()];
    assert.deepEqual(
      got.map((g) => (g.message as SipRequest).callId),
      ['c1', 'c2', 'c3'],
    );
    assert.equal(got[0]!.message.body.toString(), 'one');
    const flow = got[0]!.flow;
    assert.equal(flow.protocol, 'tcp');
    assert.ok(flow.connectionId);
    assert.ok(got.every((g) => g.flow.connectionId === flow.connectionId));
    assert.equal((got[0]!.message as SipRequest).topVia.received, '127.0.0.1');
    // §18.2.2: the responses go back over the same connection.
    for (const g of got) await layer.sendResponse(okFor(g.message as SipRequest), g.flow);
    const text = await c.received.until(hasResponses(3));
    assert.equal(text.match(/Call-ID: c\d/g)?.join(), 'Call-ID: c1,Call-ID: c2,Call-ID: c3');
    assert.equal(layer.connections().length, 1);
  });

  it('RFC 5626 §4.4.1: answers a CRLFCRLF ping with a CRLF pong', async () => {
    const c = await tcpClient(port);
    sockets.push(c.socket);
    c.socket.write('\r\n\r\n');
    assert.equal(await c.received.until((t) => t.length >= 2), '\r\n');
    assert.ok(layer.stats().keepAlives >= 1);
  });

  it('§18.3: answers 400 and closes the connection when the framing is lost (no Content-Length)', async () => {
    const c = await tcpClient(port);
    const closed = once(c.socket, 'close');
    c.socket.write('OPTIONS sip:bob@ims.test SIP/2.0\r\nVia: SIP/2.0/TCP x;branch=z9hG4bKf\r\n\r\n');
    await closed;
    assert.match(c.received.text, /^SIP\/2\.0 400 Missing Content-Length on a stream transport\r\n/);
    assert.match(c.received.text, /\r\nVia: SIP\/2\.0\/TCP x;branch=z9hG4bKf;received=127\.0\.0\.1\r\n/);
    await eventually(() => layer.stats().framingErrors >= 1);
  });

  it('a malformed but framed request gets 400 and the connection stays open', async () => {
    const c = await tcpClient(port);
    sockets.push(c.socket);
    const bad = requestText({ via: 'SIP/2.0/TCP ue.ims.test;branch=z9hG4bKb' }).replace(
      'CSeq: 1 OPTIONS',
      'CSeq: 1 INVITE',
    );
    c.socket.write(bad);
    const text = await c.received.until(hasResponses(1));
    const res = parse(text) as SipResponse;
    assert.equal(res.status, 400);
    assert.match(res.reason, /CSeq/);
    c.socket.write(requestText({ via: 'SIP/2.0/TCP ue.ims.test;branch=z9hG4bKc', callId: 'after-400' }));
    assert.equal(((await inbox.next()).message as SipRequest).callId, 'after-400');
  });

  it('enforces the maximum message size on a stream', async () => {
    const small = await start({
      listen: [{ protocol: 'tcp', host: '127.0.0.1', port: 0 }],
      limits: { maxMessageSize: 2048 },
    });
    try {
      const c = await tcpClient(portOf(small, 'tcp'));
      const closed = once(c.socket, 'close');
      c.socket.write(requestText({ via: 'SIP/2.0/TCP x;branch=z9hG4bKbig', body: 'x'.repeat(4000) }));
      await closed;
      // RFC 3261 §21.5.14: the headers were readable, so the request is told why first.
      const res = parse(c.received.text) as SipResponse;
      assert.equal(res.status, 513);
      assert.equal(res.reason, 'Message Too Large');
      assert.equal(res.callId, 'call-1@test');
      assert.ok(res.to.tag);
      assert.equal(small.stats().framingErrors, 1);
      // A response over the limit is not answered: the connection just closes.
      const r = await tcpClient(portOf(small, 'tcp'));
      const rClosed = once(r.socket, 'close');
      const big = okFor(parse(requestText({ via: 'SIP/2.0/TCP x;branch=z9hG4bKr' })) as SipRequest);
      big.body = Buffer.alloc(4000, 120);
      r.socket.write(big.toBuffer());
      await rClosed;
      assert.equal(r.received.text, '');
    } finally {
      await small.close();
    }
  });
});

describe('TCP connection management (RFC 3261 §18.1.1, RFC 5923)', () => {
  it('reuses a connection for later requests, and for requests back to an alias', async () => {
    const a = await start({ listen: [{ protocol: 'tcp', host: '127.0.0.1', port: 0 }] });
    const b = await start({
      listen: [{ protocol: 'tcp', host: '127.0.0.1', port: 0 }],
      acceptAlias: 'always',
    });
    try {
      const inA = new Inbox(a);
      const inB = new Inbox(b);
      const aVia = a.viaSentBy('tcp');
      const bPort = portOf(b, 'tcp');
      const req = (branch: string) =>
        parse(
          requestText({ via: `SIP/2.0/TCP 127.0.0.1:${aVia.port};branch=${branch};alias` }),
        ) as SipRequest;
      const f1 = await a.send(req('z9hG4bKr1'), { protocol: 'tcp', host: '127.0.0.1', port: bPort });
      const f2 = await a.send(req('z9hG4bKr2'), { protocol: 'tcp', host: '127.0.0.1', port: bPort });
      assert.equal(f1.connectionId, f2.connectionId, 'same connection');
      assert.equal(a.stats().connectionsOpened, 1);
      const r1 = await inB.next();
      await inB.next();
      // RFC 5923 §5: B sends its own request to A's listening address over that connection.
      const bRows = b.connections();
      assert.equal(bRows.length, 1);
      assert.deepEqual(bRows[0]!.aliases, [{ host: '127.0.0.1', port: aVia.port }]);
      const back = parse(
        requestText({ via: `SIP/2.0/TCP 127.0.0.1:${bPort};branch=z9hG4bKback` }),
      ) as SipRequest;
      const fb = await b.send(back, { protocol: 'tcp', host: '127.0.0.1', port: aVia.port });
      assert.equal(fb.connectionId, r1.flow.connectionId);
      const atA = await inA.next();
      assert.equal(atA.flow.connectionId, f1.connectionId);
      assert.equal(b.stats().connectionsOpened, 1);
      assert.equal(a.stats().connectionsOpened, 1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('does not honour alias over plain TCP by default (RFC 5923 §5 wants TLS)', async () => {
    const a = await start({ listen: [{ protocol: 'tcp', host: '127.0.0.1', port: 0 }] });
    const b = await start({ listen: [{ protocol: 'tcp', host: '127.0.0.1', port: 0 }] });
    try {
      const inB = new Inbox(b);
      const aVia = a.viaSentBy('tcp');
      const req = parse(requestText({ via: `SIP/2.0/TCP 127.0.0.1:${aVia.port};branch=z9hG4bKn;alias` }));
      await a.send(req, { protocol: 'tcp', host: '127.0.0.1', port: portOf(b, 'tcp') });
      await inB.next();
      assert.deepEqual(b.connections()[0]!.aliases, []);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('closes a connection after the idle timeout', async () => {
    const layer = await start({
      listen: [{ protocol: 'tcp', host: '127.0.0.1', port: 0 }],
      limits: { idleTimeoutMs: 200 },
    });
    try {
      const c = await tcpClient(portOf(layer, 'tcp'));
      const closed = once(c.socket, 'close');
      await eventually(() => layer.connections().length === 1);
      await closed;
      await eventually(() => layer.connections().length === 0);
      assert.equal(layer.stats().connectionsClosed, 1);
    } finally {
      await layer.close();
    }
  });

  it('fails with CONNECT_FAILED when nothing listens, and FLOW_GONE for a closed connection', async () => {
    const layer = await start({ listen: [{ protocol: 'tcp', host: '127.0.0.1', port: 0 }] });
    try {
      const req = parse(requestText({ via: 'SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKcf' }));
      // Port 1 on loopback: nothing listens there (connection refused).
      await assert.rejects(layer.send(req, { protocol: 'tcp', host: '127.0.0.1', port: 1 }), {
        code: 'CONNECT_FAILED',
      });
      await assert.rejects(
        layer.send(req, { protocol: 'tcp', host: '127.0.0.1', port: 1, connectionId: 'tcp-99' }),
        {
          code: 'FLOW_GONE',
        },
      );
      assert.equal(layer.stats().sendFailures, 2);
    } finally {
      await layer.close();
    }
  });
});
