import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import type { AvpValues } from '../../../src/diameter/codec/message.ts';
import { decodeMessage } from '../../../src/diameter/codec/message-decoder.ts';
import { encodeMessage } from '../../../src/diameter/codec/message-encoder.ts';
import { MessageFramer } from '../../../src/diameter/codec/message-framer.ts';
import { CommandFlag } from '../../../src/diameter/codec/raw-avp.ts';
import { createStandardDictionary } from '../../../src/diameter/dictionary/standard.ts';
import { NoCommonApplicationError } from '../../../src/diameter/errors.ts';
import type { DiameterNode } from '../../../src/diameter/node.ts';
import { PeerState } from '../../../src/diameter/peer/peer-state.ts';
import { CX, node, SH, uarAvps, VSAI_CX, waitFor } from '../helpers/nodes.ts';
import { rawCer, rawClient } from '../helpers/raw-client.ts';

const open: DiameterNode[] = [];
function track<T extends DiameterNode>(n: T): T {
  open.push(n);
  return n;
}
after(async () => {
  await Promise.all(open.map((n) => n.close()));
});

/** A raw CER from `host` advertising `apps` (Cx-style vendor-specific); the CEA's Result-Code. */
async function rawCapabilities(port: number, host: string, apps: readonly number[]) {
  const dict = createStandardDictionary();
  const { socket, send, answer } = await rawClient(port);
  send(
    rawCer(dict, host, {
      productName: 'raw',
      vendorSpecificApplicationId: apps.map((id) => ({ vendorId: 10415, authApplicationId: id })),
      authApplicationId: undefined,
    }),
  );
  return { socket, resultCode: decodeMessage(await answer(), dict).avps.resultCode };
}

function uaaHandler(name: string, seen?: { flags: number }[]) {
  return (req: { header: { flags: number } }): AvpValues => {
    seen?.push({ flags: req.header.flags });
    return {
      vendorSpecificApplicationId: VSAI_CX,
      authSessionState: 1,
      resultCode: 2001,
      serverName: `sip:${name}`,
    };
  };
}

describe('peers over TCP on 127.0.0.1 (RFC 6733 §5)', () => {
  it('capabilities exchange: both sides open with the common application', async () => {
    const hss = track(
      node({ originHost: 'hss.ims.test', peers: [{ host: 'icscf.ims.test' }], applications: [CX, SH] }),
    );
    await hss.start();
    const icscf = track(
      node({
        originHost: 'icscf.ims.test',
        peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: hss.port }],
      }),
    );
    await icscf.start();
    const p = await icscf.waitForPeer('hss.ims.test');
    assert.equal(p.state, PeerState.IOpen);
    assert.deepEqual(p.applications, [CX.id]);
    assert.equal(p.realm, 'ims.test');
    await waitFor(() => hss.peer('icscf.ims.test')?.state === PeerState.ROpen);
    await icscf.close();
    await hss.close();
  });

  it('a CER from an unknown host gets 3010 and no connection; no common application gets 5010', async () => {
    const hss = track(node({ originHost: 'hss2.ims.test', peers: [{ host: 'known.ims.test' }] }));
    await hss.start();
    for (const [host, apps, expected] of [
      ['stranger.ims.test', [CX.id], 3010],
      ['known.ims.test', [16777236], 5010],
    ] as const) {
      const { socket, resultCode } = await rawCapabilities(hss.port, host, apps);
      assert.equal(resultCode, expected);
      await once(socket, 'close');
    }
    await hss.close();
  });

  it('acceptUnknownPeers: a host accepted from its CER is in the peer table only while connected', async () => {
    const hss = track(node({ originHost: 'hss3.ims.test', acceptUnknownPeers: true }));
    await hss.start();
    for (const [host, apps, expected] of [
      ['passing.ims.test', [CX.id], 2001],
      ['refused.ims.test', [16777236], 5010],
    ] as const) {
      const { socket, resultCode } = await rawCapabilities(hss.port, host, apps);
      assert.equal(resultCode, expected);
      if (expected === 2001) assert.equal(hss.peer(host)?.state, PeerState.ROpen);
      socket.destroy();
      await waitFor(() => hss.peer(host) === undefined, 8000, `${host} removed from the peer table`);
    }
    assert.deepEqual(hss.allPeers(), []);
    await hss.close();
  });

  it('no common application: the initiator gets 5010 and a NoCommonApplicationError, and stays closed', async () => {
    const sh = track(
      node({ originHost: 'sh-only.ims.test', applications: [SH], peers: [{ host: 'cx-only.ims.test' }] }),
    );
    await sh.start();
    const cx = track(
      node({
        originHost: 'cx-only.ims.test',
        listen: undefined,
        peers: [{ host: 'sh-only.ims.test', address: '127.0.0.1', port: sh.port }],
      }),
    );
    await cx.start();
    const p = cx.peer('sh-only.ims.test')!;
    await waitFor(() => p.lastError !== undefined);
    assert.ok(p.lastError instanceof NoCommonApplicationError);
    assert.equal(p.lastError.resultCode, 5010);
    assert.equal(p.usable, false);
    await cx.close();
    await sh.close();
  });

  it('watchdog: DWR/DWA flow on an idle connection and the peer stays OKAY', async () => {
    const a = track(node({ originHost: 'a.ims.test', peers: [{ host: 'b.ims.test' }], twInit: 100 }));
    await a.start();
    const b = track(
      node({
        originHost: 'b.ims.test',
        peers: [{ host: 'a.ims.test', address: '127.0.0.1', port: a.port }],
        twInit: 100,
      }),
    );
    await b.start();
    const pb = await b.waitForPeer('a.ims.test');
    await waitFor(() => pb.counters.dwaReceived >= 3, 8000, 'three DWAs');
    const pa = a.peer('b.ims.test')!;
    assert.ok(pa.counters.dwrReceived >= 3);
    assert.equal(pb.watchdogState, 'OKAY');
    assert.ok(pb.usable);
    await b.close();
    await a.close();
  });

  it('failover: requests pending on a killed peer go to the alternate with the T flag, later ones too', async () => {
    const seen2: { flags: number }[] = [];
    const s1 = track(node({ originHost: 's1.ims.test', peers: [{ host: 'c.ims.test' }] }));
    const s2 = track(node({ originHost: 's2.ims.test', peers: [{ host: 'c.ims.test' }] }));
    await Promise.all([s1.start(), s2.start()]);
    let hang = false;
    s1.handle(CX.id, 300, (req) => (hang ? new Promise(() => {}) : uaaHandler('s1.ims.test')(req)));
    s2.handle(CX.id, 300, uaaHandler('s2.ims.test', seen2));
    const c = track(
      node({
        originHost: 'c.ims.test',
        listen: undefined,
        peers: [
          { host: 's1.ims.test', address: '127.0.0.1', port: s1.port },
          { host: 's2.ims.test', address: '127.0.0.1', port: s2.port },
        ],
        routes: [{ realm: 'ims.test', action: 'relay', peers: ['s1.ims.test', 's2.ims.test'] }],
        requestTimeout: 20_000,
      }),
    );
    await c.start();
    await Promise.all([c.waitForPeer('s1.ims.test'), c.waitForPeer('s2.ims.test')]);
    const first = await c.request({ applicationId: CX.id, commandCode: 300, avps: uarAvps(c) });
    assert.equal(first.avps.serverName, 'sip:s1.ims.test');

    hang = true;
    const pending = c.request({ applicationId: CX.id, commandCode: 300, avps: uarAvps(c, 'bob') });
    await waitFor(() => c.pending.size === 1);
    // Kill s1: its sockets drop without DPR.
    for (const p of s1.allPeers()) p.dispose();
    const answer = await pending;
    assert.equal(answer.avps.serverName, 'sip:s2.ims.test');
    assert.ok((seen2[0]!.flags & CommandFlag.Retransmitted) !== 0, 'T flag set on the retransmission');

    const later = await c.request({ applicationId: CX.id, commandCode: 300, avps: uarAvps(c, 'carol') });
    assert.equal(later.avps.serverName, 'sip:s2.ims.test');
    await c.close();
    await Promise.all([s1.close(), s2.close()]);
  });

  it('failover by the watchdog: a silent peer becomes SUSPECT and its pending request moves on', async () => {
    const silent = await silentPeer('mute.ims.test');
    const s2 = track(node({ originHost: 'ok.ims.test', peers: [{ host: 'c2.ims.test' }] }));
    await s2.start();
    s2.handle(CX.id, 300, uaaHandler('ok.ims.test'));
    const c = track(
      node({
        originHost: 'c2.ims.test',
        listen: undefined,
        twInit: 150,
        requestTimeout: 20_000,
        peers: [
          { host: 'mute.ims.test', address: '127.0.0.1', port: silent.port },
          { host: 'ok.ims.test', address: '127.0.0.1', port: s2.port },
        ],
        routes: [{ realm: 'ims.test', action: 'relay', peers: ['mute.ims.test', 'ok.ims.test'] }],
      }),
    );
    await c.start();
    await Promise.all([c.waitForPeer('mute.ims.test'), c.waitForPeer('ok.ims.test')]);
    const answer = await c.request({ applicationId: CX.id, commandCode: 300, avps: uarAvps(c) });
    assert.equal(answer.avps.serverName, 'sip:ok.ims.test');
    assert.equal(c.peer('mute.ims.test')!.usable, false);
    await c.close();
    await s2.close();
    silent.close();
  });

  it('DPR on shutdown: the peer answers DPA and both sides close; the closing side does not reconnect', async () => {
    const hss = track(node({ originHost: 'hss3.ims.test', peers: [{ host: 'cl.ims.test' }] }));
    await hss.start();
    const cl = track(
      node({
        originHost: 'cl.ims.test',
        listen: undefined,
        peers: [{ host: 'hss3.ims.test', address: '127.0.0.1', port: hss.port }],
      }),
    );
    await cl.start();
    await cl.waitForPeer('hss3.ims.test');
    const serverSide = hss.peer('cl.ims.test')!;
    await waitFor(() => serverSide.state === PeerState.ROpen);
    const states: string[] = [];
    serverSide.on('state', (s) => states.push(s));
    await cl.close();
    await waitFor(() => serverSide.state === PeerState.Closed);
    assert.equal(serverSide.counters.dprReceived, 1);
    assert.deepEqual(states, [PeerState.Closing, PeerState.Closed]);
    assert.equal(cl.peer('hss3.ims.test')!.state, PeerState.Closed);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(cl.peer('hss3.ims.test')!.state, PeerState.Closed, 'no reconnection after close()');
    await hss.close();
  });

  it('election: simultaneous connections end with one, kept by the higher Origin-Host (§5.6.4)', async () => {
    const a = track(node({ originHost: 'aaa.ims.test' }));
    const z = track(node({ originHost: 'zzz.ims.test' }));
    await Promise.all([a.start(), z.start()]);
    const seen: Record<string, string[]> = { a: [], z: [] };
    // Both add the other in the same tick: each CER reaches a peer that is connecting itself.
    const pa = a.addPeer({ host: 'zzz.ims.test', address: '127.0.0.1', port: z.port });
    const pz = z.addPeer({ host: 'aaa.ims.test', address: '127.0.0.1', port: a.port });
    pa.on('state', (s) => seen.a!.push(s));
    pz.on('state', (s) => seen.z!.push(s));
    await Promise.all([a.waitForPeer('zzz.ims.test'), z.waitForPeer('aaa.ims.test')]);
    assert.ok(
      seen.a!.includes(PeerState.WaitReturns) && seen.z!.includes(PeerState.WaitReturns),
      JSON.stringify(seen),
    );
    // zzz wins: it keeps its responder connection (R-Open); aaa keeps its initiator (I-Open).
    assert.equal(pz.state, PeerState.ROpen);
    assert.equal(pa.state, PeerState.IOpen);
    z.handle(CX.id, 300, uaaHandler('zzz.ims.test'));
    const ans = await a.request({ applicationId: CX.id, commandCode: 300, avps: uarAvps(a) });
    assert.equal(ans.avps.serverName, 'sip:zzz.ims.test');
    await a.close();
    await z.close();
  });

  it('reconnects after the peer restarts (DPR REBOOTING): usable again at once, no REOPEN', async () => {
    let hss = track(node({ originHost: 'hss4.ims.test', peers: [{ host: 'rc.ims.test' }] }));
    await hss.start();
    const port = hss.port;
    const rc = track(
      node({
        originHost: 'rc.ims.test',
        listen: undefined,
        twInit: 100,
        peers: [{ host: 'hss4.ims.test', address: '127.0.0.1', port }],
      }),
    );
    await rc.start();
    const p = await rc.waitForPeer('hss4.ims.test');
    const availability: boolean[] = [];
    p.on('availability', (u) => availability.push(u));
    await hss.close();
    await waitFor(() => !p.usable);
    hss = track(
      node({
        originHost: 'hss4.ims.test',
        peers: [{ host: 'rc.ims.test' }],
        listen: { address: '127.0.0.1', port },
      }),
    );
    await hss.start();
    await waitFor(() => p.state === PeerState.IOpen, 8000, 'reconnection');
    // RFC 3539's REOPEN (three DWAs before failback) is for links that failed; a peer that left
    // with DPR came back on purpose (the unit tests of Watchdog cover REOPEN).
    assert.equal(p.watchdogState, 'OKAY');
    assert.equal(p.usable, true);
    assert.deepEqual(availability, [false, true]);
    await rc.close();
    await hss.close();
  });
});

/** A peer that completes the capabilities exchange and then never says a word. */
async function silentPeer(host: string): Promise<{ port: number; close: () => void }> {
  const dict = createStandardDictionary();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    const framer = new MessageFramer();
    let answered = false;
    socket.on('data', (d: Buffer) => {
      for (const m of framer.push(d)) {
        if (answered) continue;
        const cer = decodeMessage(m, dict);
        answered = true;
        socket.write(
          encodeMessage(
            {
              header: { ...cer.header, flags: 0 },
              avps: {
                resultCode: 2001,
                originHost: host,
                originRealm: 'ims.test',
                hostIpAddress: ['127.0.0.1'],
                vendorId: 0,
                productName: 'mute',
                vendorSpecificApplicationId: [VSAI_CX],
              },
            },
            dict,
          ),
        );
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
