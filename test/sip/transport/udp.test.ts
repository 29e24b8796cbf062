import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import type { SipTransportLayer } from '../../../src/sip/transport/index.ts';
import { eventually, Inbox, okFor, parse, portOf, requestText, start } from './helpers.ts';

async function udpClient(): Promise<{ socket: Socket; port: number; next(): Promise<string> }> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const queue: string[] = [];
  socket.on('message', (m) => queue.push(m.toString('latin1')));
  return {
    socket,
    port: socket.address().port,
    async next() {
      await eventually(() => queue.length > 0, 5000, 'a datagram');
      return queue.shift()!;
    },
  };
}

describe('UDP transport (RFC 3261 §18, RFC 3581)', () => {
  let layer: SipTransportLayer;
  let inbox: Inbox;
  let port: number;
  let client: Awaited<ReturnType<typeof udpClient>>;
  const send = (text: string) => client.socket.send(Buffer.from(text, 'latin1'), port, '127.0.0.1');

  before(async () => {
    layer = await start({ listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }] });
    inbox = new Inbox(layer);
    port = portOf(layer, 'udp');
    client = await udpClient();
  });
  after(async () => {
    client.socket.close();
    await layer.close();
  });

  it('§18.2.1 + RFC 3581 §4: adds received and fills rport, and the response goes to them', async () => {
    // sent-by names a host the request did not come from, and asks for rport.
    send(requestText({ via: 'SIP/2.0/UDP ue.ims.test:5099;branch=z9hG4bKu1;rport' }));
    const { message, flow } = await inbox.next();
    const req = message as SipRequest;
    assert.equal(flow.protocol, 'udp');
    assert.deepEqual(flow.remote, { host: '127.0.0.1', port: client.port });
    assert.equal(req.topVia.received, '127.0.0.1');
    assert.equal(req.topVia.rport, client.port);
    assert.match(
      req.toString(),
      new RegExp(
        `Via: SIP/2\\.0/UDP ue\\.ims\\.test:5099;branch=z9hG4bKu1;rport=${client.port};received=127\\.0\\.0\\.1`,
      ),
    );
    // Not 5099: received + rport win (RFC 3581 §4), so the answer reaches the client's port.
    await layer.sendResponse(okFor(req), flow);
    const res = parse(await client.next()) as SipResponse;
    assert.equal(res.status, 200);
    assert.equal(res.topVia.rport, client.port);
  });

  it('§18.2.1: no received when sent-by is the source address, none added without rport', async () => {
    send(requestText({ via: `SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKu2` }));
    const req = (await inbox.next()).message as SipRequest;
    assert.equal(req.topVia.received, undefined);
    assert.equal(req.topVia.rport, undefined);
  });

  it('§18.2.2: without rport the response goes to received at the sent-by port', async () => {
    send(requestText({ via: `SIP/2.0/UDP localhost:${client.port};branch=z9hG4bKu3` }));
    const { message, flow } = await inbox.next();
    assert.equal((message as SipRequest).topVia.received, '127.0.0.1');
    await layer.sendResponse(okFor(message as SipRequest), flow);
    assert.equal((parse(await client.next()) as SipResponse).status, 200);
  });

  it('§21.4.1: a malformed request gets a stateless 400 naming the problem, with a To tag', async () => {
    const bad = requestText({ via: 'SIP/2.0/UDP ue.ims.test;branch=z9hG4bKu4;rport' }).replace(
      'Max-Forwards: 70',
      'Max-Forwards: seventy',
    );
    const before = layer.stats();
    send(bad);
    const res = parse(await client.next()) as SipResponse;
    assert.equal(res.status, 400);
    assert.match(res.reason, /Max-Forwards/);
    assert.ok(res.to.tag, 'To tag added');
    assert.equal(res.callId, 'call-1@test');
    assert.equal(res.topVia.received, '127.0.0.1');
    assert.equal(res.topVia.rport, client.port);
    await eventually(() => layer.stats().badRequestsAnswered === before.badRequestsAnswered + 1);
    assert.equal(layer.stats().malformedRequests, before.malformedRequests + 1);
    assert.equal(inbox.messages.length, 0, 'not delivered');
  });

  it('§21.5.6: a request of another SIP version gets 505', async () => {
    send(
      requestText({ via: 'SIP/2.0/UDP ue.ims.test;branch=z9hG4bKu5;rport' }).replace(
        'SIP/2.0\r\n',
        'SIP/3.0\r\n',
      ),
    );
    const res = parse(await client.next()) as SipResponse;
    assert.equal(res.status, 505);
  });

  it('a malformed request with neither Via nor Call-ID is dropped and counted', async () => {
    const before = layer.stats();
    send('GARBAGE\r\n\r\n');
    send('INVITE sip:x SIP/2.0\r\nFrom: <sip:a@b>\r\n\r\n');
    await eventually(() => layer.stats().malformedRequests === before.malformedRequests + 2);
    assert.equal(layer.stats().badRequestsAnswered, before.badRequestsAnswered);
  });

  it('§8.2.6.2: an unreadable Via is copied as is, the 400 goes to the source address and port', async () => {
    send('INVITE sip:x SIP/2.0\r\nVia: nonsense\r\nCall-ID: nv-1\r\n\r\n');
    const text = await client.next();
    assert.match(text, /^SIP\/2\.0 400 Missing To, From, CSeq headers\r\n/);
    assert.match(text, /\r\nVia: nonsense\r\n/);
    assert.match(text, /\r\nCall-ID: nv-1\r\n/);
  });

  it('§18.1.2: malformed responses and responses with a foreign Via are dropped', async () => {
    const before = layer.stats();
    send('SIP/2.0 2000 OK\r\nVia: SIP/2.0/UDP 127.0.0.1\r\n\r\n');
    const foreign = `SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bKx\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
    send(foreign);
    const ours = foreign.replace('10.9.9.9:5060', `127.0.0.1:${port}`);
    send(ours);
    const got = await inbox.next();
    assert.equal((got.message as SipResponse).status, 200);
    const s = layer.stats();
    assert.equal(s.malformedResponses, before.malformedResponses + 1);
    assert.equal(s.misroutedDropped, before.misroutedDropped + 1);
  });

  it('§21.5.14: a datagram over the size limit gets 513 if it is a request whose headers parse', async () => {
    const small = await start({
      listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }],
      limits: { maxMessageSize: 1024 },
    });
    try {
      const smallInbox = new Inbox(small);
      const to = portOf(small, 'udp');
      const big = requestText({
        via: `SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKbig`,
        body: 'x'.repeat(2000),
      });
      client.socket.send(Buffer.from(big), to, '127.0.0.1');
      const res = parse(await client.next()) as SipResponse;
      assert.equal(res.status, 513);
      assert.equal(res.reason, 'Message Too Large');
      assert.equal(res.topVia.branch, 'z9hG4bKbig');
      assert.ok(res.to.tag);
      // A response over the limit is dropped, unanswered.
      const response = okFor(
        parse(requestText({ via: `SIP/2.0/UDP 127.0.0.1:${to};branch=z9hG4bKr` })) as SipRequest,
      );
      response.body = Buffer.alloc(2000, 120);
      client.socket.send(response.toBuffer(), to, '127.0.0.1');
      await eventually(() => small.stats().oversizedDropped === 2);
      assert.equal(small.stats().badRequestsAnswered, 1);
      assert.equal(smallInbox.messages.length, 0);
    } finally {
      await small.close();
    }
  });

  it('§21.5.14: a header section over limits.maxHeaderSize gets 513, a large body does not', async () => {
    const small = await start({
      listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }],
      limits: { maxHeaderSize: 2048 },
    });
    try {
      const smallInbox = new Inbox(small);
      const to = portOf(small, 'udp');
      const long = requestText({ via: `SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKlong` }).replace(
        'Max-Forwards: 70',
        `Max-Forwards: 70\r\nSubject: ${'a'.repeat(3000)}`,
      );
      client.socket.send(Buffer.from(long), to, '127.0.0.1');
      const res = parse(await client.next()) as SipResponse;
      assert.equal(res.status, 513);
      assert.equal(res.reason, 'Message Too Large: header section over 2048 bytes');
      assert.equal(res.topVia.branch, 'z9hG4bKlong');
      const bigBody = requestText({
        via: `SIP/2.0/UDP 127.0.0.1:${client.port};branch=z9hG4bKbody`,
        body: 'x'.repeat(6000),
      });
      client.socket.send(Buffer.from(bigBody), to, '127.0.0.1');
      await eventually(() => smallInbox.messages.length === 1);
    } finally {
      await small.close();
    }
  });

  it('RFC 5626 §4.4: CRLF keep-alive datagrams are ignored', async () => {
    const before = layer.stats().keepAlives;
    send('\r\n\r\n');
    await eventually(() => layer.stats().keepAlives === before + 1);
  });

  it('sends requests to a destination and reports the flow', async () => {
    const via = layer.viaSentBy('udp');
    assert.deepEqual(via, { host: '127.0.0.1', port });
    const req = parse(requestText({ via: `SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKo1` })) as SipRequest;
    const flow = await layer.send(req, { protocol: 'udp', host: '127.0.0.1', port: client.port });
    assert.deepEqual(flow.remote, { host: '127.0.0.1', port: client.port });
    assert.match(await client.next(), /^OPTIONS sip:bob@ims\.test/);
  });

  it('refuses protocols it has no listener for', async () => {
    const req = parse(requestText({ via: 'SIP/2.0/TLS x;branch=z9hG4bKo2' })) as SipRequest;
    await assert.rejects(layer.send(req, { protocol: 'tls', host: '127.0.0.1', port: 5061 }), {
      name: 'TransportError',
      code: 'NO_TRANSPORT',
    });
    assert.throws(() => layer.viaSentBy('tcp'), { code: 'NO_TRANSPORT' });
  });
});
