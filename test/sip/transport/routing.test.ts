import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import { eventually, Inbox, okFor, parse, portOf, Received, requestText, start } from './helpers.ts';

describe('Where requests and responses go (RFC 3261 §18.1.1, §18.2.2)', () => {
  it('§18.1.1: a 2000-byte request for UDP goes over TCP, its Via rewritten', async () => {
    const layer = await start({
      listen: [
        { protocol: 'udp', host: '127.0.0.1', port: 0 },
        { protocol: 'tcp', host: '127.0.0.1', port: 0, advertise: { host: 'pcscf.ims.test', port: 5070 } },
      ],
    });
    // The peer listens on TCP at the port the request was meant for over UDP.
    const peers: Socket[] = [];
    const server = createServer((s) => peers.push(s));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    try {
      const [[conn]] = (await Promise.all([
        once(server, 'connection'),
        layer.send(
          parse(
            requestText({
              method: 'MESSAGE',
              via: `SIP/2.0/UDP 127.0.0.1:${portOf(layer, 'udp')};branch=z9hG4bKbig;rport`,
              body: 'x'.repeat(2000),
            }),
          ),
          { protocol: 'udp', host: '127.0.0.1', port },
        ),
      ])) as [[Socket], unknown];
      const text = await new Received(conn).until((t) => t.length >= 2000);
      assert.match(text, /^Via: SIP\/2\.0\/TCP pcscf\.ims\.test:5070;branch=z9hG4bKbig;rport\r$/m);
      assert.equal(layer.stats().udpToTcpSwitches, 1);
    } finally {
      for (const s of peers) s.destroy();
      server.close();
      await layer.close();
    }
  });

  it('RFC 5626 §5.3: a large request to a UDP flow goes over that flow, from its local end, not over TCP', async () => {
    const layer = await start({
      listen: [
        { protocol: 'udp', host: '127.0.0.1', port: 0 },
        { protocol: 'udp', host: '127.0.0.1', port: 0 },
        { protocol: 'tcp', host: '127.0.0.1', port: 0 },
      ],
    });
    const peer = createSocket('udp4');
    peer.bind(0, '127.0.0.1');
    await once(peer, 'listening');
    // A TCP listener on the same port that would take the connection (a NAT would not).
    const tcpSeen: Socket[] = [];
    const server = createServer((s) => tcpSeen.push(s));
    server.listen(peer.address().port, '127.0.0.1');
    await once(server, 'listening');
    try {
      const second = layer.listening().filter((l) => l.protocol === 'udp')[1]!;
      const req = parse(
        requestText({
          method: 'INVITE',
          via: `SIP/2.0/UDP 127.0.0.1:${second.port};branch=z9hG4bKflow`,
          body: 'v'.repeat(2000),
        }),
      );
      const got = once(peer, 'message');
      const flow = await layer.send(req, {
        protocol: 'udp',
        host: '127.0.0.1',
        port: peer.address().port,
        local: { host: '127.0.0.1', port: second.port },
      });
      const [data, from] = (await got) as [Buffer, { port: number }];
      assert.equal(flow.protocol, 'udp');
      assert.equal(from.port, second.port, "sent from the flow's local end");
      assert.ok(data.length > 2000);
      assert.equal(tcpSeen.length, 0);
      assert.equal(layer.stats().udpToTcpSwitches, 0);
    } finally {
      for (const s of tcpSeen) s.destroy();
      server.close();
      peer.close();
      await layer.close();
    }
  });

  it('§18.1.1: when the TCP connection is refused, the request goes over UDP after all', async () => {
    const layer = await start({
      listen: [
        { protocol: 'udp', host: '127.0.0.1', port: 0 },
        { protocol: 'tcp', host: '127.0.0.1', port: 0 },
      ],
    });
    const peer = createSocket('udp4');
    peer.bind(0, '127.0.0.1');
    await once(peer, 'listening');
    try {
      const udpPort = portOf(layer, 'udp');
      const req = parse(
        requestText({
          method: 'MESSAGE',
          via: `SIP/2.0/UDP 127.0.0.1:${udpPort};branch=z9hG4bKfb`,
          body: 'y'.repeat(2000),
        }),
      );
      const got = once(peer, 'message');
      const flow = await layer.send(req, { protocol: 'udp', host: '127.0.0.1', port: peer.address().port });
      assert.equal(flow.protocol, 'udp');
      const [data] = (await got) as [Buffer];
      assert.match(
        data.toString(),
        new RegExp(`Via: SIP/2\\.0/UDP 127\\.0\\.0\\.1:${udpPort};branch=z9hG4bKfb`),
      );
      // Without a TCP listener and above the size limit, UDP refuses.
      const huge = parse(
        requestText({ method: 'MESSAGE', via: 'SIP/2.0/UDP h;branch=z9hG4bKh', body: 'z'.repeat(70000) }),
      );
      await assert.rejects(
        layer.send(huge, { protocol: 'udp', host: '127.0.0.1', port: peer.address().port }),
        {
          code: 'TOO_LARGE',
        },
      );
    } finally {
      peer.close();
      await layer.close();
    }
  });

  it('§18.2.2: over TCP, a response whose connection closed opens one to received:sent-by port', async () => {
    const layer = await start({ listen: [{ protocol: 'tcp', host: '127.0.0.1', port: 0 }] });
    const inbox = new Inbox(layer);
    // The UA listens for connections on its own port and sends from another connection.
    const accepted: Socket[] = [];
    const uaServer = createServer((s) => accepted.push(s));
    uaServer.listen(0, '127.0.0.1');
    await once(uaServer, 'listening');
    const uaPort = (uaServer.address() as { port: number }).port;
    const { connect } = await import('node:net');
    const out = connect(portOf(layer, 'tcp'), '127.0.0.1');
    await once(out, 'connect');
    try {
      out.write(requestText({ via: `SIP/2.0/TCP ua.ims.test:${uaPort};branch=z9hG4bKgone` }));
      const { message, flow } = await inbox.next();
      out.destroy();
      await eventually(() => layer.connections().length === 0, 5000, 'connection removed');
      const sent = await layer.sendResponse(okFor(message as SipRequest), flow);
      assert.notEqual(sent.connectionId, flow.connectionId);
      assert.equal(sent.remote.port, uaPort);
      await eventually(() => accepted.length === 1, 5000, 'connection to the UA');
      const res = parse(await new Received(accepted[0]!).until((t) => t.includes('\r\n\r\n'))) as SipResponse;
      assert.equal(res.status, 200);
    } finally {
      for (const s of accepted) s.destroy();
      uaServer.close();
      await layer.close();
    }
  });

  it('§18.2.2: over WebSocket, a response whose connection closed fails with FLOW_GONE', async () => {
    const layer = await start({ listen: [{ protocol: 'ws', host: '127.0.0.1', port: 0 }] });
    try {
      const res = okFor(parse(requestText({ via: 'SIP/2.0/WS a.invalid;branch=z9hG4bKw' })) as SipRequest);
      const flow = {
        protocol: 'ws' as const,
        local: { host: '127.0.0.1', port: 1 },
        remote: { host: '127.0.0.1', port: 2 },
        connectionId: 'ws-42',
      };
      await assert.rejects(layer.sendResponse(res, flow), { code: 'FLOW_GONE' });
    } finally {
      await layer.close();
    }
  });

  it('§18.2.2: maddr takes precedence for UDP responses', async () => {
    const layer = await start({ listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }] });
    const peer = createSocket('udp4');
    peer.bind(0, '127.0.0.1');
    await once(peer, 'listening');
    try {
      const p = peer.address().port;
      const req = parse(requestText({ via: `SIP/2.0/UDP 10.1.1.1:${p};maddr=127.0.0.1;branch=z9hG4bKm` }));
      const flow = {
        protocol: 'udp' as const,
        local: { host: '127.0.0.1', port: portOf(layer, 'udp') },
        remote: { host: '10.1.1.1', port: 9 },
      };
      const got = once(peer, 'message');
      const sent = await layer.sendResponse(okFor(req as SipRequest), flow);
      assert.deepEqual(sent.remote, { host: '127.0.0.1', port: p });
      await got;
    } finally {
      peer.close();
      await layer.close();
    }
  });
});
