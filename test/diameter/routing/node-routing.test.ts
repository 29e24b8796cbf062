import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { AvpValues, DiameterMessage } from '../../../src/diameter/codec/message.ts';
import { decodeMessage } from '../../../src/diameter/codec/message-decoder.ts';
import { encodeMessage } from '../../../src/diameter/codec/message-encoder.ts';
import { CommandFlag } from '../../../src/diameter/codec/raw-avp.ts';
import {
  DiameterAnswerError,
  DiameterError,
  DiameterRoutingError,
  DiameterTimeoutError,
} from '../../../src/diameter/errors.ts';
import type { DiameterNode } from '../../../src/diameter/node.ts';
import { ResultCode } from '../../../src/diameter/result-code.ts';
import { forwardCopy } from '../../../src/diameter/routing/raw-message.ts';
import { CX, node, uarAvps, VSAI_CX } from '../helpers/nodes.ts';

const nodes: DiameterNode[] = [];
function track(n: DiameterNode): DiameterNode {
  nodes.push(n);
  return n;
}
after(async () => {
  await Promise.all(nodes.map((n) => n.close()));
});

const uaa = (name: string) => (): AvpValues => ({
  vendorSpecificApplicationId: VSAI_CX,
  authSessionState: 1,
  resultCode: 2001,
  serverName: `sip:${name}`,
});

/** A client and a server, connected, in realm ims.test. */
async function pair(serverOptions: Parameters<typeof node>[0], clientHost = `c${nodes.length}.ims.test`) {
  const server = track(
    node({ ...serverOptions, peers: [...(serverOptions.peers ?? []), { host: clientHost }] }),
  );
  await server.start();
  const client = track(
    node({
      originHost: clientHost,
      listen: undefined,
      peers: [{ host: serverOptions.originHost, address: '127.0.0.1', port: server.port }],
    }),
  );
  await client.start();
  await client.waitForPeer(serverOptions.originHost);
  return { server, client };
}

describe('node: local processing and errors on the wire (RFC 6733 §6.1, §7)', () => {
  it('answers with Session-Id first, Origin-Host/Realm and the handler AVPs', async () => {
    const { server, client } = await pair({ originHost: 'h1.ims.test' });
    let seen: DiameterMessage | undefined;
    server.handle(CX.id, 300, (req) => {
      seen = req;
      return uaa('s')();
    });
    const avps = uarAvps(client);
    const ans = await client.request({ applicationId: CX.id, commandCode: 300, avps });
    assert.equal(ans.avps.sessionId, avps.sessionId);
    assert.equal(ans.avps.originHost, 'h1.ims.test');
    assert.equal(ans.header.hopByHopId !== 0, true);
    assert.equal(seen?.avps.originHost, client.originHost);
    assert.ok(seen!.header.flags & CommandFlag.Proxiable);
  });

  it('3001 for a command of a served application that has no handler', async () => {
    const { client } = await pair({ originHost: 'h2.ims.test' });
    await assert.rejects(
      client.request({
        applicationId: CX.id,
        commandCode: 302,
        avps: { ...uarAvps(client), userName: undefined },
      }),
      (e: unknown) =>
        e instanceof DiameterAnswerError && e.resultCode === ResultCode.DIAMETER_COMMAND_UNSUPPORTED,
    );
  });

  it('5005 with Failed-AVP when a required AVP is missing (sent raw, bypassing the encoder checks)', async () => {
    const { server, client } = await pair({ originHost: 'h3.ims.test' });
    server.handle(CX.id, 300, uaa('x'));
    const peer = client.peer('h3.ims.test')!;
    const { userName: _drop, ...avps } = uarAvps(client);
    const hopByHopId = client.ids.nextHopByHopId();
    const bytes = encodeMessage(
      {
        header: { flags: 0xc0, commandCode: 300, applicationId: CX.id, hopByHopId, endToEndId: 5 },
        avps: { ...avps, originHost: client.originHost, originRealm: 'ims.test' },
      },
      client.dictionary,
      { abnf: false },
    );
    const answer = new Promise<DiameterMessage>((resolve, reject) => {
      client.pending.add({
        hopByHopId,
        bytes,
        header: {
          version: 1,
          length: bytes.length,
          flags: 0xc0,
          commandCode: 300,
          applicationId: CX.id,
          hopByHopId,
          endToEndId: 5,
        },
        peer: peer.host,
        tried: new Set(),
        retransmissions: 0,
        timeoutMs: 3000,
        route: { applicationId: CX.id },
        onAnswer: (b) => resolve(decode(client, b)),
        onFailure: reject,
      });
    });
    peer.send(bytes);
    const ans = await answer;
    assert.equal(ans.avps.resultCode, ResultCode.DIAMETER_MISSING_AVP);
    assert.equal(ans.header.flags & CommandFlag.Error, 0, '5xxx answers do not set the E bit');
    const failed = ans.avps.failedAvp as { userName?: string[] };
    assert.deepEqual(failed.userName, ['']);
    assert.deepEqual(ans.avps.vendorSpecificApplicationId, VSAI_CX, 'application AVPs echoed');
  });

  it('a handler throwing DiameterError is answered with its Result-Code', async () => {
    const { server, client } = await pair({ originHost: 'h4.ims.test' });
    server.handle(CX.id, 300, () => {
      throw new DiameterError('busy', ResultCode.DIAMETER_TOO_BUSY);
    });
    await assert.rejects(
      client.request({ applicationId: CX.id, commandCode: 300, avps: uarAvps(client) }),
      (e: unknown) => e instanceof DiameterAnswerError && e.resultCode === ResultCode.DIAMETER_TOO_BUSY,
    );
  });

  it('a request nobody answers times out with DiameterTimeoutError', async () => {
    const { server, client } = await pair({ originHost: 'h5.ims.test' });
    server.handle(CX.id, 300, () => new Promise(() => {}));
    await assert.rejects(
      client.request({ applicationId: CX.id, commandCode: 300, avps: uarAvps(client) }, { timeout: 200 }),
      DiameterTimeoutError,
    );
  });

  it('no route: 3003 for an unknown realm', async () => {
    const { client } = await pair({ originHost: 'h6.ims.test' });
    await assert.rejects(
      client.request({
        applicationId: CX.id,
        commandCode: 300,
        avps: { ...uarAvps(client), destinationRealm: 'nowhere.test' },
      }),
      (e: unknown) =>
        e instanceof DiameterRoutingError && e.resultCode === ResultCode.DIAMETER_REALM_NOT_SERVED,
    );
  });

  it('duplicate detection: a retransmission (T flag) of an answered request gets the same answer, not a second run', async () => {
    const { server, client } = await pair({ originHost: 'h7.ims.test' });
    let runs = 0;
    server.handle(CX.id, 300, () => {
      runs++;
      return { ...uaa('dup')(), serverName: `sip:run${runs}` };
    });
    const first = await client.request({ applicationId: CX.id, commandCode: 300, avps: uarAvps(client) });
    // Replay the same request (same End-to-End id) with the T flag and a new hop-by-hop id.
    const replayHbh = client.ids.nextHopByHopId();
    const original = encodeMessage(
      {
        header: { ...first.header, flags: 0xc0 },
        avps: {
          ...uarAvps(client),
          sessionId: first.avps.sessionId,
          originHost: client.originHost,
          originRealm: 'ims.test',
        },
      },
      client.dictionary,
    );
    const replay = forwardCopy(original, { hopByHopId: replayHbh, retransmitted: true });
    const again = new Promise<DiameterMessage>((resolve, reject) =>
      client.pending.add({
        hopByHopId: replayHbh,
        bytes: replay,
        header: { ...first.header, hopByHopId: replayHbh },
        peer: 'h7.ims.test',
        tried: new Set(),
        retransmissions: 0,
        timeoutMs: 3000,
        route: { applicationId: CX.id },
        onAnswer: (b) => resolve(decode(client, b)),
        onFailure: reject,
      }),
    );
    client.peer('h7.ims.test')!.send(replay);
    const ans = await again;
    assert.equal(runs, 1);
    assert.equal(ans.avps.serverName, 'sip:run1');
    assert.equal(ans.header.hopByHopId, replayHbh);
  });
});

describe('node: agents (RFC 6733 §2.8, §6.1.7-6.1.9)', () => {
  it('a relay forwards to another realm, adds Route-Record and returns the answer', async () => {
    const home = track(
      node({ originHost: 'hss.home.test', originRealm: 'home.test', peers: [{ host: 'dra.ims.test' }] }),
    );
    await home.start();
    let routeRecord: unknown;
    home.handle(CX.id, 300, (req) => {
      routeRecord = req.avps.routeRecord;
      return uaa('home')();
    });
    const dra = track(
      node({
        originHost: 'dra.ims.test',
        relay: true,
        applications: [],
        peers: [{ host: 'hss.home.test', address: '127.0.0.1', port: home.port }, { host: 'icscf.ims.test' }],
        routes: [{ realm: 'home.test', action: 'relay', peers: ['hss.home.test'] }],
      }),
    );
    await dra.start();
    const icscf = track(
      node({
        originHost: 'icscf.ims.test',
        listen: undefined,
        peers: [{ host: 'dra.ims.test', address: '127.0.0.1', port: dra.port }],
        routes: [{ realm: '*', action: 'relay', peers: ['dra.ims.test'] }],
      }),
    );
    await icscf.start();
    await Promise.all([icscf.waitForPeer('dra.ims.test'), dra.waitForPeer('hss.home.test')]);
    const ans = await icscf.request({
      applicationId: CX.id,
      commandCode: 300,
      avps: { ...uarAvps(icscf), destinationRealm: 'home.test' },
    });
    assert.equal(ans.avps.serverName, 'sip:home');
    assert.equal(ans.avps.originHost, 'hss.home.test');
    assert.deepEqual(routeRecord, ['icscf.ims.test']);
  });

  it('loop detection: a request whose Route-Record holds our identity gets 3005', async () => {
    const { client } = await pair({ originHost: 'h8.ims.test' });
    await assert.rejects(
      client.request({
        applicationId: CX.id,
        commandCode: 300,
        avps: { ...uarAvps(client), routeRecord: ['h8.ims.test'] },
      }),
      (e: unknown) => e instanceof DiameterAnswerError && e.resultCode === ResultCode.DIAMETER_LOOP_DETECTED,
    );
  });

  it('SLF as redirect agent: 3006 with Redirect-Host, the client follows it to the HSS', async () => {
    const hss = track(node({ originHost: 'hss-b.ims.test', peers: [{ host: 'icscf2.ims.test' }] }));
    await hss.start();
    hss.handle(CX.id, 300, uaa('from-hss-b'));
    const slf = track(node({ originHost: 'slf.ims.test', peers: [{ host: 'icscf2.ims.test' }] }));
    await slf.start();
    const seenBySlf: string[] = [];
    slf.redirect(CX.id, (req) => {
      seenBySlf.push(req.avps.publicIdentity as string);
      return { hosts: ['aaa://hss-b.ims.test:3868;transport=tcp'], usage: 5 };
    });
    const icscf = track(
      node({
        originHost: 'icscf2.ims.test',
        listen: undefined,
        peers: [
          { host: 'slf.ims.test', address: '127.0.0.1', port: slf.port },
          { host: 'hss-b.ims.test', address: '127.0.0.1', port: hss.port },
        ],
        routes: [{ realm: 'ims.test', applicationId: CX.id, action: 'relay', peers: ['slf.ims.test'] }],
      }),
    );
    await icscf.start();
    await Promise.all([icscf.waitForPeer('slf.ims.test'), icscf.waitForPeer('hss-b.ims.test')]);
    const ans = await icscf.request({ applicationId: CX.id, commandCode: 300, avps: uarAvps(icscf, 'bob') });
    assert.equal(ans.avps.serverName, 'sip:from-hss-b');
    assert.deepEqual(seenBySlf, ['sip:bob@ims.test']);
  });
});

function decode(n: DiameterNode, bytes: Buffer): DiameterMessage {
  return decodeMessage(bytes, n.dictionary);
}
