// Bad messages over a real connection (RFC 6733 §7.1.3-7.1.5): a request with the E bit is answered
// 3008 and the connection stays; a message of another version is answered 5011 and the connection
// closes; header bits and AVP flags broken in base messages and application requests are answered
// with the §7.2 error answer; an Enumerated value outside the dictionary gets 5004.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CxApplication } from '../../../src/diameter/apps/cx.ts';
import { experimentalResult } from '../../../src/diameter/apps/result.ts';
import { decodeMessage } from '../../../src/diameter/codec/message-decoder.ts';
import { encodeMessage } from '../../../src/diameter/codec/message-encoder.ts';
import { CommandFlag } from '../../../src/diameter/codec/raw-avp.ts';
import type { DiameterNode } from '../../../src/diameter/node.ts';
import { ResultCode } from '../../../src/diameter/result-code.ts';
import { node, uarAvps } from '../helpers/nodes.ts';
import { type RawClient, rawCer, rawClient, rawPeer } from '../helpers/raw-client.ts';
import { rawMessage, str, u32 } from '../helpers/raw-message.ts';

const CX = 16777216;
let hss: DiameterNode;
let handled = 0;

before(async () => {
  hss = node({
    originHost: 'hss.ims.test',
    applications: [{ id: CX, vendorId: 10415, kind: 'auth' }],
    acceptUnknownPeers: true,
    twInit: 60_000, // the raw client does not answer DWRs
  });
  new CxApplication(hss).onUserAuthorization(() => {
    handled++;
    return { ...experimentalResult(2001), serverName: 'sip:scscf.ims.test' };
  });
  await hss.start();
});
after(() => hss.close());

let clients = 0;
function openPeer(): Promise<RawClient> {
  return rawPeer(hss.port, hss.dictionary, `raw${++clients}.ims.test`);
}

function uar(hopByHopId: number, flags = 0xc0, extra: Record<string, unknown> = {}): Buffer {
  return encodeMessage(
    {
      header: { flags, commandCode: 300, applicationId: CX, hopByHopId, endToEndId: hopByHopId },
      avps: {
        ...uarAvps(hss),
        sessionId: `raw;${hopByHopId}`,
        originHost: 'raw.ims.test',
        originRealm: 'ims.test',
        ...extra,
      },
    },
    hss.dictionary,
    { abnf: false },
  );
}

async function answer(c: RawClient) {
  const ev = await c.next();
  assert.ok(ev?.kind === 'message', `an answer, got ${ev?.kind ?? 'nothing'}`);
  return { bytes: ev.bytes, msg: decodeMessage(ev.bytes, hss.dictionary) };
}

describe('protocol errors on a live connection', () => {
  it('a request with the E bit gets 3008 with the E bit (§7.2) and the connection stays open', async () => {
    const c = await openPeer();
    const before = handled;
    c.send(uar(0x301, 0xe0));
    const { bytes, msg } = await answer(c);
    assert.equal(bytes.readUInt32BE(12), 0x301, 'same hop-by-hop id');
    assert.equal(bytes.readUInt32BE(16), 0x301, 'same end-to-end id');
    assert.equal(msg.header.commandCode, 300);
    assert.equal(msg.header.applicationId, CX);
    assert.equal(msg.header.flags & CommandFlag.Request, 0);
    assert.ok(msg.header.flags & CommandFlag.Error, 'E bit on the answer');
    assert.ok(msg.header.flags & CommandFlag.Proxiable, 'P bit kept');
    assert.equal(msg.avps.resultCode, ResultCode.DIAMETER_INVALID_HDR_BITS);
    assert.equal(msg.avps.sessionId, 'raw;769');
    assert.equal(msg.avps.originHost, 'hss.ims.test');
    assert.equal(msg.avps.originRealm, 'ims.test');
    assert.equal(handled, before, 'the handler never saw it');
    // Same connection: a valid UAR is served.
    c.send(uar(0x302));
    const ok = await answer(c);
    assert.equal(ok.bytes.readUInt32BE(12), 0x302);
    assert.deepEqual(ok.msg.avps.experimentalResult, { vendorId: 10415, experimentalResultCode: 2001 });
    c.socket.destroy();
  });

  it('a DWR with the E bit gets a 3008 DWA; the connection stays open', async () => {
    const c = await openPeer();
    const dwr = (flags: number, hopByHopId: number) =>
      rawMessage({ flags, commandCode: 280, applicationId: 0, hopByHopId }, [
        str(264, 'raw.ims.test'),
        str(296, 'ims.test'),
      ]);
    c.send(dwr(0xa0, 0x401));
    const bad = await answer(c);
    assert.equal(bad.bytes.readUInt32BE(12), 0x401);
    assert.ok(bad.msg.header.flags & CommandFlag.Error);
    assert.equal(bad.msg.avps.resultCode, ResultCode.DIAMETER_INVALID_HDR_BITS);
    c.send(dwr(0x80, 0x402));
    const good = await answer(c);
    assert.equal(good.msg.avps.resultCode, ResultCode.DIAMETER_SUCCESS);
    c.socket.destroy();
  });

  it('3009 with Failed-AVP for the M bit on an AVP that must not have it (Session-Priority)', async () => {
    const c = await openPeer();
    const msgBytes = rawMessage({ flags: 0xc0, commandCode: 300, applicationId: CX, hopByHopId: 0x501 }, [
      str(263, 'raw;bits'),
      str(264, 'raw.ims.test'),
      str(296, 'ims.test'),
      str(283, 'ims.test'),
      u32(277, 1),
      str(1, 'alice@ims.test'),
      str(601, 'sip:alice@ims.test', 0x40, 10415),
      str(600, 'ims.test', 0x40, 10415),
      u32(650, 1, 0x40, 10415), // Session-Priority: M bit MUST NOT be set (TS 29.229 §6.3)
    ]);
    c.send(msgBytes);
    const { msg } = await answer(c);
    assert.ok(msg.header.flags & CommandFlag.Error);
    assert.equal(msg.avps.resultCode, ResultCode.DIAMETER_INVALID_AVP_BITS);
    assert.equal(msg.avps.sessionId, 'raw;bits');
    const failed = msg.avps.failedAvp as { rawAvps?: { code: number; vendorId: number }[] };
    assert.ok(failed, 'Failed-AVP');
    c.socket.destroy();
  });

  it('an Enumerated value outside the dictionary: 5004 with Failed-AVP naming the AVP', async () => {
    const c = await openPeer();
    c.send(uar(0x601, 0xc0, { userAuthorizationType: 77 }));
    const { msg } = await answer(c);
    assert.equal(msg.header.flags & CommandFlag.Error, 0, '5xxx: no E bit');
    assert.equal(msg.avps.resultCode, ResultCode.DIAMETER_INVALID_AVP_VALUE);
    assert.deepEqual(msg.avps.failedAvp, { userAuthorizationType: [77] });
    c.socket.destroy();
  });

  it('a request of version 2 after the CER: 5011, then the connection closes', async () => {
    const c = await openPeer();
    const v2 = uar(0x701);
    v2[0] = 2;
    c.send(v2);
    const { bytes, msg } = await answer(c);
    assert.equal(bytes[0], 1, 'the answer is version 1');
    assert.equal(bytes.readUInt32BE(12), 0x701);
    assert.equal(msg.avps.resultCode, ResultCode.DIAMETER_UNSUPPORTED_VERSION);
    assert.equal(msg.header.flags & CommandFlag.Error, 0);
    assert.equal(msg.avps.originHost, 'hss.ims.test');
    assert.equal(msg.avps.sessionId, 'raw;1793', 'Session-Id echoed (best effort)');
    assert.deepEqual(await c.next(), { kind: 'close' });
    // The node is fine: a new connection works.
    const d = await openPeer();
    d.send(uar(0x702));
    assert.equal((await answer(d)).bytes.readUInt32BE(12), 0x702);
    d.socket.destroy();
  });

  it('a version 2 message as the first message: 5011, then close; a broken stream just closes', async () => {
    const c = await rawClient(hss.port);
    const v2 = rawCer(hss.dictionary, 'v2.ims.test');
    v2[0] = 2;
    c.send(v2);
    const { msg } = await answer(c);
    assert.equal(msg.header.commandCode, 257);
    assert.equal(msg.avps.resultCode, ResultCode.DIAMETER_UNSUPPORTED_VERSION);
    assert.deepEqual(await c.next(), { kind: 'close' });

    const d = await openPeer();
    d.send(Buffer.from([1, 0, 0, 22, 0x80, 0, 1, 44])); // length not a multiple of 4: 5015, close
    assert.deepEqual(await d.next(), { kind: 'close' });
  });
});
