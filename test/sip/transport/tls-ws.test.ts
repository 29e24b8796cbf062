import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as netConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { WebSocket } from 'ws';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import { ensureSelfSignedCertificate, type SipTransportLayer } from '../../../src/sip/transport/index.ts';
import {
  Inbox,
  okFor,
  parse,
  portOf,
  Received,
  removeCertificate,
  requestText,
  start,
  testCertificate,
} from './helpers.ts';

const REGISTER = (transport: string, branch: string) =>
  requestText({
    method: 'REGISTER',
    via: `SIP/2.0/${transport} df7jal23ls0d.invalid;branch=${branch};rport`,
  });

describe('TLS and WebSocket transports (RFC 3261 §26.2, RFC 7118)', () => {
  let layer: SipTransportLayer;
  let inbox: Inbox;
  let cert: string;

  before(async () => {
    const { pems } = await testCertificate();
    cert = pems.cert;
    layer = await start({
      listen: [
        { protocol: 'tls', host: '127.0.0.1', port: 0 },
        { protocol: 'ws', host: '127.0.0.1', port: 0 },
        { protocol: 'wss', host: '127.0.0.1', port: 0 },
      ],
      // Paths work as well as PEM text.
      tls: { cert: pems.certPath, key: pems.keyPath, ca: pems.cert },
    });
    inbox = new Inbox(layer);
  });
  after(async () => {
    await layer.close();
    await removeCertificate();
  });

  it('ensureSelfSignedCertificate keeps an existing certificate', async () => {
    const { pems, dir } = await testCertificate();
    const again = await ensureSelfSignedCertificate(dir, ['other.test']);
    assert.equal(again.cert, pems.cert);
    assert.equal(again.key, pems.key);
  });

  it('TLS: a client trusting the certificate sends REGISTER and gets the response', async () => {
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: portOf(layer, 'tls'),
      ca: cert,
      servername: 'localhost',
    });
    await once(socket, 'secureConnect');
    const received = new Received(socket);
    try {
      socket.write(REGISTER('TLS', 'z9hG4bKtls1'));
      const { message, flow } = await inbox.next();
      assert.equal(flow.protocol, 'tls');
      assert.equal((message as SipRequest).topVia.received, '127.0.0.1');
      await layer.sendResponse(okFor(message as SipRequest), flow);
      const res = parse(await received.until((t) => t.includes('\r\n\r\n'))) as SipResponse;
      assert.equal(res.status, 200);
    } finally {
      socket.destroy();
    }
  });

  it('TLS between two layers, the certificate checked against the SIP domain (RFC 5922)', async () => {
    const { pems } = await testCertificate();
    const client = await start({
      listen: [{ protocol: 'tls', host: '127.0.0.1', port: 0 }],
      tls: { cert: pems.cert, key: pems.key, ca: pems.cert },
    });
    try {
      const port = portOf(layer, 'tls');
      const sentBy = client.viaSentBy('tls');
      const req = parse(requestText({ via: `SIP/2.0/TLS 127.0.0.1:${sentBy.port};branch=z9hG4bKtls2` }));
      const flow = await client.send(req, {
        protocol: 'tls',
        host: '127.0.0.1',
        port,
        serverName: 'sip.ims.test',
      });
      assert.equal(flow.protocol, 'tls');
      assert.equal((await inbox.next()).flow.protocol, 'tls');
      // A name the certificate does not carry is refused.
      const req2 = parse(requestText({ via: `SIP/2.0/TLS 127.0.0.1:${sentBy.port};branch=z9hG4bKtls3` }));
      const other = await start({
        listen: [{ protocol: 'tls', host: '127.0.0.1', port: 0 }],
        tls: { cert: pems.cert, key: pems.key, ca: pems.cert },
      });
      try {
        await assert.rejects(
          other.send(req2, { protocol: 'tls', host: '127.0.0.1', port, serverName: 'evil.test' }),
          { code: 'CONNECT_FAILED' },
        );
      } finally {
        await other.close();
      }
    } finally {
      await client.close();
    }
  });

  for (const protocol of ['ws', 'wss'] as const) {
    it(`${protocol.toUpperCase()}: REGISTER with subprotocol sip, response on the same socket`, async () => {
      const url = `${protocol}://127.0.0.1:${portOf(layer, protocol)}/`;
      const ws = new WebSocket(url, 'sip', { ca: cert });
      await once(ws, 'open');
      assert.equal(ws.protocol, 'sip');
      const received = new Received(ws, 'message');
      try {
        ws.send(REGISTER(protocol.toUpperCase(), `z9hG4bK${protocol}1`));
        const { message, flow } = await inbox.next();
        assert.equal(flow.protocol, protocol);
        const req = message as SipRequest;
        assert.equal(req.method, 'REGISTER');
        assert.equal(req.topVia.received, '127.0.0.1');
        await layer.sendResponse(okFor(req), flow);
        const res = parse(await received.until((t) => t.length > 0)) as SipResponse;
        assert.equal(res.status, 200);
        // Binary frames carry SIP as well (RFC 7118 §5.1).
        ws.send(Buffer.from(REGISTER(protocol.toUpperCase(), `z9hG4bK${protocol}2`)), { binary: true });
        assert.equal(((await inbox.next()).message as SipRequest).method, 'REGISTER');
      } finally {
        ws.terminate();
      }
    });
  }

  it('TLS: a connection that does not finish its handshake in connectTimeoutMs is closed', async () => {
    const { pems } = await testCertificate();
    const slow = await start({
      listen: [{ protocol: 'tls', host: '127.0.0.1', port: 0 }],
      tls: { cert: pems.cert, key: pems.key },
      limits: { connectTimeoutMs: 300 },
    });
    try {
      // Nothing sent, and half a ClientHello.
      for (const bytes of [Buffer.alloc(0), Buffer.from('160301020001', 'hex')]) {
        const socket = netConnect(portOf(slow, 'tls'), '127.0.0.1');
        await once(socket, 'connect');
        socket.on('error', () => undefined);
        if (bytes.length > 0) socket.write(bytes);
        const t0 = Date.now();
        await once(socket, 'close');
        assert.ok(Date.now() - t0 < 3000, `closed after ${Date.now() - t0} ms`);
      }
    } finally {
      await slow.close();
    }
  });

  it('WS: a handshake without the sip subprotocol is refused (RFC 7118 §4)', async () => {
    for (const protocols of [['xmpp'], []]) {
      const ws = new WebSocket(`ws://127.0.0.1:${portOf(layer, 'ws')}/`, protocols);
      const [err] = (await once(ws, 'error')) as [Error];
      assert.match(err.message, /400/);
    }
  });

  it('WS between two layers: a request over an outbound WebSocket connection', async () => {
    const client = await start({ listen: [{ protocol: 'ws', host: '127.0.0.1', port: 0 }] });
    try {
      const req = parse(requestText({ via: 'SIP/2.0/WS 127.0.0.1;branch=z9hG4bKwsout' }));
      const flow = await client.send(req, { protocol: 'ws', host: '127.0.0.1', port: portOf(layer, 'ws') });
      assert.ok(flow.connectionId?.startsWith('ws-'));
      const got = await inbox.next();
      assert.equal(got.flow.protocol, 'ws');
      // The response comes back on the same WebSocket connection.
      const back = new Inbox(client);
      const res = okFor(got.message as SipRequest);
      res.headers.set('Via', `SIP/2.0/WS 127.0.0.1:${client.viaSentBy('ws').port};branch=z9hG4bKwsout`);
      await layer.sendResponse(res, got.flow);
      assert.equal(((await back.next()).message as SipResponse).status, 200);
    } finally {
      await client.close();
    }
  });
});
