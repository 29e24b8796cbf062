import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SipRequest } from '../../../src/sip/message/index.ts';
import { SipTransportLayer } from '../../../src/sip/transport/index.ts';
import { Inbox, parse, portOf, requestText, start } from './helpers.ts';

async function hasIpv6Loopback(): Promise<boolean> {
  const s = createSocket('udp6');
  try {
    s.bind(0, '::1');
    await once(s, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
}

describe('Transport layer lifecycle and options', () => {
  it('validates options: wildcard without advertise, TLS without certificate, bad protocol', async () => {
    await assert.rejects(
      SipTransportLayer.start({ listen: [{ protocol: 'udp', host: '0.0.0.0', port: 0 }] }),
      /advertise/,
    );
    await assert.rejects(
      SipTransportLayer.start({ listen: [{ protocol: 'tls', host: '127.0.0.1', port: 0 }] }),
      /tls/,
    );
    await assert.rejects(
      SipTransportLayer.start({ listen: [{ protocol: 'sctp' as 'udp', host: '127.0.0.1', port: 0 }] }),
      /protocol/,
    );
    await assert.rejects(SipTransportLayer.start({ listen: [] }), /at least one/);
  });

  it('fails to start on a port in use, releasing what it had bound', async () => {
    const a = await start({ listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }] });
    try {
      const port = portOf(a, 'udp');
      await assert.rejects(
        start({
          listen: [
            { protocol: 'tcp', host: '127.0.0.1', port: 0 },
            { protocol: 'udp', host: '127.0.0.1', port },
          ],
        }),
        { code: 'EADDRINUSE' },
      );
    } finally {
      await a.close();
    }
  });

  it('listens on several addresses per protocol, IPv4 and IPv6 (::1)', async (t) => {
    if (!(await hasIpv6Loopback())) {
      t.skip('no IPv6 loopback (::1) on this machine');
      return;
    }
    const layer = await start({
      listen: [
        { protocol: 'udp', host: '127.0.0.1', port: 0 },
        { protocol: 'udp', host: '::1', port: 0 },
        { protocol: 'tcp', host: '127.0.0.1', port: 0 },
        { protocol: 'tcp', host: '::1', port: 0 },
      ],
    });
    const inbox = new Inbox(layer);
    try {
      const listening = layer.listening();
      assert.equal(listening.length, 4);
      const v6udp = listening.find((l) => l.protocol === 'udp' && l.host === '::1')!;
      const v6tcp = listening.find((l) => l.protocol === 'tcp' && l.host === '::1')!;
      assert.deepEqual(layer.viaSentBy('udp', '::1'), { host: '::1', port: v6udp.port });
      assert.equal(layer.viaSentBy('udp', '127.0.0.1').host, '127.0.0.1');

      const client = createSocket('udp6');
      client.bind(0, '::1');
      await once(client, 'listening');
      client.send(
        requestText({ via: 'SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bK6;rport' }),
        v6udp.port,
        '::1',
      );
      const { message, flow } = await inbox.next();
      client.close();
      assert.equal(flow.local.host, '::1');
      assert.equal((message as SipRequest).topVia.received, '::1');
      assert.equal((message as SipRequest).topVia.rport, flow.remote.port);

      const s = connect(v6tcp.port, '::1');
      await once(s, 'connect');
      s.write(requestText({ via: 'SIP/2.0/TCP [::1]:5999;branch=z9hG4bK6t' }));
      const got = await inbox.next();
      s.destroy();
      assert.equal(got.flow.protocol, 'tcp');
      assert.equal(got.flow.remote.host, '::1');
      assert.equal((got.message as SipRequest).topVia.received, undefined, 'sent-by [::1] is the source');
    } finally {
      await layer.close();
    }
  });

  it('close() leaves no handle open: a process using every transport exits by itself', async () => {
    const script = fileURLToPath(new URL('./fixtures/open-and-close.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    clearTimeout(timer);
    assert.equal(signal, null, `the child had to be killed: handles left open (output: ${out})`);
    assert.equal(code, 0);
    assert.match(out, /closed/);
  });

  it('send after close is refused', async () => {
    const layer = await start({ listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }] });
    await layer.close();
    await layer.close(); // idempotent
    const req = parse(requestText({ via: 'SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKz' }));
    await assert.rejects(layer.send(req, { protocol: 'udp', host: '127.0.0.1', port: 9 }), {
      code: 'NO_TRANSPORT',
    });
  });
});
