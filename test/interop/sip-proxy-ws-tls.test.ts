/**
 * Issue #3 acceptance: a WebSocket client (RFC 7118, the `ws` package) and a TLS client
 * (node:tls, the self-signed certificate) each exchange a REGISTER/200 with a test UAS through
 * the proxy; the 200 comes back over the client's own connection (RFC 3261 §18.2.2).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { WebSocket } from 'ws';
import {
  createResponse,
  parseMessage,
  type SipRequest,
  type SipResponse,
} from '../../src/sip/message/index.ts';
import { ensureSelfSignedCertificate, SipTransportLayer } from '../../src/sip/transport/index.ts';
import { startTestProxy, type TestProxy } from './helpers/test-proxy.ts';

const CRLF = '\r\n';

function register(transport: 'WS' | 'TLS', proxyPort: number, branch: string): string {
  const host = transport === 'WS' ? 'df7jal23ls0d.invalid' : '127.0.0.1';
  return [
    `REGISTER sip:127.0.0.1:${proxyPort} SIP/2.0`,
    `Via: SIP/2.0/${transport} ${host}:5061;branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:alice@127.0.0.1>;tag=${branch.slice(-6)}`,
    'To: <sip:alice@127.0.0.1>',
    `Call-ID: ${branch}@test`,
    'CSeq: 1 REGISTER',
    `Contact: <sip:alice@${host};transport=${transport.toLowerCase()}>`,
    'Expires: 600',
    'Content-Length: 0',
    '',
    '',
  ].join(CRLF);
}

/** Reads one SIP message (headers and Content-Length body) from a stream of text chunks. */
function completeMessage(text: string): string | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const length = Number(/^content-length:\s*(\d+)/im.exec(text.slice(0, end))?.[1] ?? 0);
  return text.length >= end + 4 + length ? text.slice(0, end + 4 + length) : undefined;
}

describe('WebSocket and TLS clients through the proxy (RFC 7118, RFC 3261 §26.2)', () => {
  let dir: string;
  let cert: string;
  let uas: SipTransportLayer;
  let proxy: TestProxy;
  /** REGISTERs the test UAS received, with the Via stack the proxy built. */
  const received: SipRequest[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ims-ws-tls-'));
    const pems = await ensureSelfSignedCertificate(dir, ['localhost', '127.0.0.1']);
    cert = pems.cert;
    // The test UAS: answers every request with 200, statelessly (RFC 3261 §8.2.6).
    uas = await SipTransportLayer.start({ listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }] });
    uas.onMessage(({ message, flow }) => {
      if (!message.isRequest) return;
      const request = message as SipRequest;
      received.push(request);
      void uas.sendResponse(createResponse(request, 200, { headers: [['Expires', '600']] }), flow);
    });
    const uasPort = uas.listening()[0]!.port;
    proxy = await startTestProxy({
      targets: [`sip:127.0.0.1:${uasPort}`],
      protocols: ['udp', 'tcp', 'ws', 'tls'],
      tls: { cert: pems.cert, key: pems.key },
    });
  });

  after(async () => {
    await proxy?.close();
    await uas?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function portOf(protocol: 'ws' | 'tls'): number {
    return proxy.transport.listening().find((l) => l.protocol === protocol)!.port;
  }

  /** The request the UAS got: the proxy's UDP Via on top, the client's below with received. */
  function assertForwarded(branch: string, transport: string): void {
    const request = received.find((r) => r.callId === `${branch}@test`);
    assert.ok(request, 'the REGISTER reached the UAS');
    assert.equal(request.method, 'REGISTER');
    assert.equal(request.vias.length, 2);
    assert.equal(request.vias[0]!.transport, 'UDP');
    assert.equal(request.vias[0]!.port, proxy.port);
    assert.equal(request.vias[1]!.transport, transport);
    assert.equal(request.vias[1]!.branch, branch);
    assert.equal(request.maxForwards, 69);
    // RFC 3261 §16.6 step 4: a REGISTER is never record-routed.
    assert.equal(request.headers.has('Record-Route'), false);
  }

  it('WS: a REGISTER with subprotocol sip gets its 200 over the same WebSocket', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${portOf('ws')}/`, 'sip');
    try {
      await once(ws, 'open');
      assert.equal(ws.protocol, 'sip');
      const branch = 'z9hG4bKws-interop-1';
      const answer = once(ws, 'message');
      ws.send(register('WS', proxy.port, branch));
      const [data] = (await answer) as [Buffer];
      const response = parseMessage(Buffer.from(data)) as SipResponse;
      assert.equal(response.status, 200);
      assert.equal(response.cseq.method, 'REGISTER');
      // Only the client's Via is left, with the address the proxy saw (RFC 3581, RFC 7118 §5).
      assert.equal(response.vias.length, 1);
      assert.equal(response.topVia.branch, branch);
      assert.equal(response.topVia.received, '127.0.0.1');
      assertForwarded(branch, 'WS');
    } finally {
      ws.terminate();
    }
  });

  it('TLS: a REGISTER gets its 200 over the same TLS connection (self-signed certificate)', async () => {
    const socket = tlsConnect({ host: '127.0.0.1', port: portOf('tls'), ca: cert, servername: 'localhost' });
    try {
      await once(socket, 'secureConnect');
      assert.equal(socket.authorized, true);
      socket.setEncoding('utf8');
      const branch = 'z9hG4bKtls-interop-1';
      const answer = new Promise<string>((resolve, reject) => {
        let text = '';
        socket.on('data', (chunk: string) => {
          text += chunk;
          const message = completeMessage(text);
          if (message) resolve(message);
        });
        socket.once('error', reject);
      });
      socket.write(register('TLS', proxy.port, branch));
      const response = parseMessage(Buffer.from(await answer)) as SipResponse;
      assert.equal(response.status, 200);
      assert.equal(response.vias.length, 1);
      assert.equal(response.topVia.branch, branch);
      assertForwarded(branch, 'TLS');
    } finally {
      socket.destroy();
    }
  });
});
