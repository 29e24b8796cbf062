/**
 * Bad requests against a real HSS (RFC 6733 §7.1.3-7.1.5): an Enumerated value outside the
 * dictionary gets 5004 with Failed-AVP, a request with the E bit gets 3008 on a connection that
 * stays open, a message of another version gets 5011 before the connection closes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerResult } from '../../../src/diameter/apps/result.ts';
import { decodeMessage } from '../../../src/diameter/codec/message-decoder.ts';
import { encodeMessage } from '../../../src/diameter/codec/message-encoder.ts';
import { CommandFlag } from '../../../src/diameter/codec/raw-avp.ts';
import { ExperimentalResultCode as E, ResultCode } from '../../../src/diameter/result-code.ts';
import { type RawClient, rawPeer } from '../../diameter/helpers/raw-client.ts';
import { backends, HSS_HOST, useEnv } from './helpers/hss-env.ts';
import { impi, impu, subscriber, uar as uarOf } from './helpers/hss-subscribers.ts';

const CX = 16777216;

for (const backend of backends().slice(0, 1)) {
  describe(`HSS: malformed Cx requests (${backend.name})`, () => {
    const env = useEnv(backend);
    const uar = (name: string, extra: Record<string, unknown> = {}) => uarOf(env.cx, name, extra);

    it('UAR with User-Authorization-Type 77: 5004 DIAMETER_INVALID_AVP_VALUE, Failed-AVP naming the AVP', async () => {
      await env.store.createSubscription(subscriber('bad-uat'));
      const uaa = await uar('bad-uat', { userAuthorizationType: 77 });
      assert.deepEqual(answerResult(uaa), { code: ResultCode.DIAMETER_INVALID_AVP_VALUE, success: false });
      assert.deepEqual(uaa.failedAvp, { userAuthorizationType: [77] });
      // The values TS 29.229 §6.3.24 lists are served.
      const ok = await uar('bad-uat', { userAuthorizationType: 2 });
      assert.equal(answerResult(ok).code, E.DIAMETER_FIRST_REGISTRATION);
    });

    const peer = (host: string): Promise<RawClient> => rawPeer(env.hss.port, env.client.dictionary, host);
    const rawUar = (flags: number, hopByHopId: number) =>
      encodeMessage(
        {
          header: { flags, commandCode: 300, applicationId: CX, hopByHopId, endToEndId: hopByHopId },
          avps: {
            sessionId: `raw;${hopByHopId}`,
            vendorSpecificApplicationId: { vendorId: 10415, authApplicationId: CX },
            authSessionState: 1,
            originHost: 'icscf-raw.ims.test',
            originRealm: 'ims.test',
            destinationRealm: 'ims.test',
            userName: impi('bad-uat'),
            publicIdentity: impu('bad-uat'),
            visitedNetworkIdentifier: Buffer.from('ims.test'),
          },
        },
        env.client.dictionary,
        { abnf: false }, // the E bit would select the §7.2 answer rules
      );

    it('a UAR with the E bit: 3008 with the E bit, Session-Id echoed; the connection stays open', async () => {
      const c = await peer('icscf-raw.ims.test');
      c.send(rawUar(0xe0, 0x11));
      const ev = await c.next();
      assert.ok(ev?.kind === 'message', 'an answer');
      const ans = decodeMessage(ev.bytes, env.client.dictionary);
      assert.ok(ans.header.flags & CommandFlag.Error);
      assert.equal(ans.header.hopByHopId, 0x11);
      assert.equal(ans.avps.resultCode, ResultCode.DIAMETER_INVALID_HDR_BITS);
      assert.equal(ans.avps.sessionId, 'raw;17');
      assert.equal(ans.avps.originHost, HSS_HOST);
      c.send(rawUar(0xc0, 0x12));
      const next = await c.next();
      assert.ok(next?.kind === 'message', 'the same connection answers the next UAR');
      assert.equal(next.bytes.readUInt32BE(12), 0x12);
      c.socket.destroy();
    });

    it('a UAR of version 2: 5011, then the HSS closes the connection', async () => {
      const c = await peer('icscf-raw2.ims.test');
      const v2 = rawUar(0xc0, 0x21);
      v2[0] = 2;
      c.send(v2);
      const ev = await c.next();
      assert.ok(ev?.kind === 'message', 'an answer');
      assert.equal(
        decodeMessage(ev.bytes, env.client.dictionary).avps.resultCode,
        ResultCode.DIAMETER_UNSUPPORTED_VERSION,
      );
      assert.deepEqual(await c.next(), { kind: 'close' });
    });
  });
}
