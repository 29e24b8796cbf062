/**
 * RFC 4475 torture messages over the wire to a running StatefulProxy (UDP, and some over TCP):
 * the malformed requests are answered 400 (505 for another SIP version) naming the problem,
 * malformed and foreign responses are dropped, and the well-formed requests reach the policy.
 * The top Via's sent-by is rewritten to the test socket so that answers come back to it.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { SipUri } from '../../../src/sip/message/index.ts';
import { StatefulProxy } from '../../../src/sip/proxy/index.ts';
import { SipTransportLayer, type TransportStats } from '../../../src/sip/transport/index.ts';

const dir = new URL('../../fixtures/rfc4475/', import.meta.url);
const index: Record<string, { valid: boolean; section: string }> = JSON.parse(
  readFileSync(new URL('index.json', dir), 'utf8'),
);

/** The policy's own answer: the request got through the transport and the proxy's checks. */
const POLICY = 'Policy Reached';

type Expected = number | 'policy' | 'dropped';

/** What RFC 4475 says of each message, for a proxy. */
const EXPECTED: Record<string, Expected> = {
  // §3.1.1: valid messages; the two responses are not ours (RFC 3261 §18.1.2).
  'wsinv.dat': 'policy',
  'intmeth.dat': 'policy',
  'esc01.dat': 'policy',
  'escnull.dat': 'policy',
  'esc02.dat': 'policy',
  'lwsdisp.dat': 'policy',
  'longreq.dat': 'policy',
  'dblreq.dat': 'policy',
  'semiuri.dat': 'policy',
  'transports.dat': 'policy',
  'mpart01.dat': 'policy',
  'unreason.dat': 'dropped',
  'noreason.dat': 'dropped',
  // §3.1.2: invalid messages.
  'badinv01.dat': 400,
  'clerr.dat': 400,
  'ncl.dat': 400,
  'scalar02.dat': 400,
  'scalarlg.dat': 'dropped',
  'quotbal.dat': 400,
  'ltgtruri.dat': 400,
  'lwsruri.dat': 400,
  'lwsstart.dat': 400,
  'trws.dat': 400,
  'escruri.dat': 400,
  // §3.1.2.12: "an element shouldn't [reject it] unless the contents of the Date header field
  // were actually important to its processing": a proxy forwards it (RFC 3261 §16.3 step 1).
  'baddate.dat': 'policy',
  'regbadct.dat': 400,
  'badaspec.dat': 400,
  'baddn.dat': 400,
  'badvers.dat': 505,
  'mismatch01.dat': 400,
  // §3.1.2.18: 501 preferred, "a 400 Bad Request is also acceptable".
  'mismatch02.dat': 400,
  'bigcode.dat': 'dropped',
  // §3.2.1
  'badbranch.dat': 'policy',
  // §3.3: application layer, for a proxy.
  'insuf.dat': 400,
  'unkscm.dat': 416,
  'novelsc.dat': 416,
  'unksm2.dat': 'policy',
  'bext01.dat': 420,
  'invut.dat': 'policy',
  'regaut01.dat': 'policy',
  'multi01.dat': 400,
  'mcl01.dat': 400,
  'bcast.dat': 'dropped',
  // §3.3.11: Max-Forwards 0 on an OPTIONS: RFC 3261 §16.3 step 3 lets the proxy answer it.
  'zeromf.dat': 200,
  'cparam01.dat': 'policy',
  'cparam02.dat': 'policy',
  'regescrt.dat': 'policy',
  'sdp01.dat': 'policy',
  'inv2543.dat': 'policy',
};

/** The reason phrase of some 400s: it names the problem (RFC 3261 §21.4.1). */
const REASONS: Record<string, RegExp> = {
  'insuf.dat': /^Missing To, From, Call-ID headers$/,
  'multi01.dat': /^Multiple To headers$/,
  'badinv01.dat': /Via/,
  'scalar02.dat': /CSeq/,
  'quotbal.dat': /To/,
  'badaspec.dat': /To/,
  'baddn.dat': /From/,
  'regbadct.dat': /Contact/,
  'mismatch01.dat': /CSeq/,
  'ncl.dat': /Content-Length/,
  'clerr.dat': /Content-Length/,
};

const TOP_VIA =
  /((?:^|\n)(?:via|v)[ \t]*:\s*SIP\s*\/\s*\d+\.\d+\s*\/\s*[A-Za-z]+\s+)(\[[^\]]*\]|[^\s;,:]+)(?:\s*:\s*\d+)?/i;

/** A message with its top Via's sent-by made 127.0.0.1:`port` (bytes kept as they are). */
function aimedAt(file: string, port: number): Buffer {
  const text = readFileSync(new URL(file, dir)).toString('latin1');
  if (/^SIP\//.test(text)) return Buffer.from(text, 'latin1');
  const out = text.replace(TOP_VIA, (_all, head: string) => `${head}127.0.0.1:${port}`);
  assert.notEqual(out, text, `${file}: top Via rewritten`);
  return Buffer.from(out, 'latin1');
}

/** Status code and reason of the first final response in the text, and the whole response. */
function finalOf(text: string): { status: number; reason: string; head: string } | undefined {
  for (const m of text.matchAll(/SIP\/2\.0 (\d{3}) ([^\r\n]*)\r\n([\s\S]*?)\r\n\r\n/g)) {
    if (Number(m[1]) >= 200) return { status: Number(m[1]), reason: m[2]!, head: m[3]! };
  }
  return undefined;
}

async function udpClient(): Promise<{ socket: UdpSocket; port: number; text: () => string }> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  let text = '';
  socket.on('message', (m) => {
    text += m.toString('latin1');
  });
  return { socket, port: socket.address().port, text: () => text };
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('RFC 4475 torture messages over the wire to a StatefulProxy', () => {
  let transport: SipTransportLayer;
  let proxy: StatefulProxy;
  let udpPort: number;
  let tcpPort: number;
  const reached: string[] = [];

  before(async () => {
    transport = await SipTransportLayer.start({
      listen: [
        { protocol: 'udp', host: '127.0.0.1', port: 0 },
        { protocol: 'tcp', host: '127.0.0.1', port: 0 },
      ],
    });
    udpPort = transport.listening().find((l) => l.protocol === 'udp')!.port;
    tcpPort = transport.listening().find((l) => l.protocol === 'tcp')!.port;
    proxy = new StatefulProxy({
      transport,
      policy: {
        route(ctx) {
          reached.push(ctx.request.callId);
          return { action: 'respond', status: 404, reason: POLICY };
        },
      },
      localAddresses: [{ host: '127.0.0.1', port: udpPort }],
      resolve: async (uri) => [{ protocol: 'udp', host: (uri as SipUri).host, port: 9 }],
      timerValues: { T1: 50 },
    });
  });
  after(async () => {
    proxy.dispose();
    await transport.close();
  });

  it('every message of index.json has an expectation', () => {
    assert.deepEqual(Object.keys(EXPECTED).sort(), Object.keys(index).sort());
  });

  describe('over UDP', () => {
    for (const [file, expected] of Object.entries(EXPECTED)) {
      it(`${file} (§${index[file]?.section}): ${expected === 'policy' ? 'handled' : expected}`, async () => {
        const ua = await udpClient();
        try {
          const before: TransportStats = transport.stats();
          ua.socket.send(aimedAt(file, ua.port), udpPort, '127.0.0.1');
          if (expected === 'dropped') {
            await until(
              () =>
                transport.stats().malformedResponses + transport.stats().misroutedDropped >
                before.malformedResponses + before.misroutedDropped,
              'the response to be dropped',
            );
            assert.equal(ua.text(), '', 'nothing answers a response');
            return;
          }
          await until(() => finalOf(ua.text()) !== undefined, `a final response to ${file}`);
          const final = finalOf(ua.text())!;
          const status = expected === 'policy' ? 404 : expected;
          assert.equal(final.status, status, `${file}: ${final.status} ${final.reason}`);
          if (expected === 'policy') assert.equal(final.reason, POLICY);
          const reason = REASONS[file];
          if (reason) assert.match(final.reason, reason);
        } finally {
          ua.socket.close();
        }
      });
    }
  });

  it('§8.2.6.2: the 400 copies the bad lines verbatim, with a To tag only where the To can take one', async () => {
    const answer = async (file: string) => {
      const ua = await udpClient();
      try {
        ua.socket.send(aimedAt(file, ua.port), udpPort, '127.0.0.1');
        await until(() => finalOf(ua.text()) !== undefined, file);
        return finalOf(ua.text())!.head;
      } finally {
        ua.socket.close();
      }
    };
    const badinv = await answer('badinv01.dat');
    assert.match(badinv, /^Via: SIP\/2\.0\/UDP 127\.0\.0\.1:\d+;;,;,,$/m);
    assert.match(badinv, /^To: sip:j\.user@example\.com;tag=\w+$/m);
    const scalar = await answer('scalar02.dat');
    assert.match(scalar, /^CSeq: 36893488147419103232 REGISTER$/m);
    const quotbal = await answer('quotbal.dat');
    // An unterminated quote would swallow the tag: the To goes back as it came.
    assert.match(quotbal, /^To: "Mr\. J\. User <sip:j\.user@example\.com>$/m);
    const baddn = await answer('baddn.dat');
    assert.match(baddn, /^From: Bell, Alexander <sip:a\.g\.bell@example\.com>;tag=43$/m);
    assert.match(baddn, /^To: Watson, Thomas <sip:t\.watson@example\.org>;tag=\w+$/m);
  });

  it('a request without Via is answered 400 to its source address and port', async () => {
    const ua = await udpClient();
    try {
      const text =
        'OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:bob@b>\r\n' +
        'Call-ID: novia-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n';
      ua.socket.send(Buffer.from(text), udpPort, '127.0.0.1');
      await until(() => finalOf(ua.text()) !== undefined, 'the 400');
      const final = finalOf(ua.text())!;
      assert.equal(final.status, 400);
      assert.equal(final.reason, 'Missing Via header');
      assert.match(final.head, /^Call-ID: novia-1$/m);
    } finally {
      ua.socket.close();
    }
  });

  describe('over TCP: answered over the connection', () => {
    /** A connection to the proxy and all it has received so far, as latin1 text. */
    const openTcp = async () => {
      const socket = connect(tcpPort, '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'connect');
      const received = { text: '' };
      socket.on('data', (d: Buffer) => {
        received.text += d.toString('latin1');
      });
      return { socket, received };
    };
    const overTcp = async (data: Buffer): Promise<string> => {
      const { socket, received } = await openTcp();
      socket.write(data);
      try {
        await until(() => finalOf(received.text) !== undefined, 'a final response over TCP');
        return received.text;
      } finally {
        socket.destroy();
      }
    };

    for (const [file, status] of [
      ['badinv01.dat', 400],
      ['quotbal.dat', 400],
      ['insuf.dat', 400],
      ['mismatch01.dat', 400],
      ['wsinv.dat', 404],
    ] as const) {
      it(`${file}: ${status}`, async () => {
        const text = await overTcp(aimedAt(file, 5060));
        assert.equal(finalOf(text)?.status, status);
      });
    }

    it('ncl.dat (§3.1.2.3): framing lost, 400 then the connection is closed', async () => {
      const { socket, received } = await openTcp();
      const closed = once(socket, 'close');
      socket.write(aimedAt('ncl.dat', 5060));
      await closed;
      assert.equal(finalOf(received.text)?.status, 400);
      assert.match(finalOf(received.text)!.reason, /Content-Length/);
    });
  });
});
