import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RACK, readHeader } from '../../../src/sip/dialog/extension-headers.ts';
import { SessionState } from '../../../src/sip/dialog/session-state.ts';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import { advance, SDP_ANSWER, SDP_OFFER, settle, startCall, wiredPair } from './wire.ts';

const isPrack = (m: SipRequest | SipResponse) => 'method' in m && m.method === 'PRACK';
const branches = (requests: SipRequest[]) => new Set(requests.map((r) => r.topVia.branch)).size;

describe('PRACK (RFC 3262)', () => {
  describe('§3 UAS behavior', () => {
    it('sends the 1xx with Require: 100rel and RSeq; the PRACK gets 200 and resolves progress()', async () => {
      const pair = wiredPair();
      const { uac, uas } = await startCall(pair);
      const prack = uas.progress(180, { reliable: true });
      await settle();
      const [ringing] = pair.bobWire.responses(180);
      assert.equal(ringing?.headers.get('Require'), '100rel');
      const rseq = Number(ringing?.headers.get('RSeq'));
      assert.ok(rseq >= 1 && rseq < 2 ** 31);
      const received = await prack;
      assert.ok(received);
      // RFC 3262 §7.2: RAck = RSeq, the INVITE's CSeq number, INVITE.
      assert.deepEqual(readHeader(received, RACK), { rseq, cseq: uac.invite.cseq.seq, method: 'INVITE' });
      assert.equal(pair.bobWire.responses(200, 'PRACK').length, 1);
      assert.equal(uac.state, SessionState.Early);
      pair.alice.dispose();
      pair.bob.dispose();
    });

    it('retransmits the reliable 1xx at T1, 2*T1, 4*T1 ... until the PRACK; the UAC acknowledges it once', async () => {
      const pair = wiredPair();
      const { uas } = await startCall(pair);
      pair.aliceWire.drop = isPrack;
      void uas.progress(180, { reliable: true });
      await settle();
      const ringing = () => pair.bobWire.responses(180).length;
      assert.equal(ringing(), 1);
      await advance(pair.clock, 500);
      assert.equal(ringing(), 2);
      await advance(pair.clock, 1000);
      assert.equal(ringing(), 3);
      await advance(pair.clock, 2000);
      assert.equal(ringing(), 4);
      // §4: a retransmitted reliable 1xx is not acknowledged again: one PRACK transaction.
      assert.equal(branches(pair.aliceWire.requests('PRACK')), 1);
      pair.aliceWire.drop = () => false;
      await advance(pair.clock, 4000); // the PRACK's own retransmission (Timer E) now arrives
      const count = ringing();
      await advance(pair.clock, 16_000);
      assert.equal(ringing(), count, 'retransmissions stop with the PRACK');
      pair.alice.dispose();
      pair.bob.dispose();
    });

    it('sends a second reliable 1xx only after the first is acknowledged, with RSeq + 1', async () => {
      const pair = wiredPair();
      const { uas } = await startCall(pair);
      pair.aliceWire.drop = isPrack;
      const first = uas.progress(180, { reliable: true });
      const second = uas.progress(183, { reliable: true });
      await settle();
      assert.equal(pair.bobWire.responses(183).length, 0);
      pair.aliceWire.drop = () => false;
      await advance(pair.clock, 1000);
      assert.ok(await first);
      assert.ok(await second);
      const r180 = Number(pair.bobWire.responses(180)[0]?.headers.get('RSeq'));
      const r183 = Number(pair.bobWire.responses(183)[0]?.headers.get('RSeq'));
      assert.equal(r183, r180 + 1);
      const racks = pair.aliceWire.requests('PRACK').map((p) => readHeader(p, RACK)?.rseq);
      assert.deepEqual([...new Set(racks)], [r180, r183], 'PRACKs in RSeq order');
      pair.alice.dispose();
      pair.bob.dispose();
    });

    it('MUST answer a PRACK matching no unacknowledged reliable 1xx with 481', async () => {
      const pair = wiredPair();
      const { uac, uas } = await startCall(pair);
      await uas.progress(180, { reliable: true });
      await settle();
      const prack = uac.dialog!.createRequest('PRACK');
      prack.headers.append('RAck', `999 ${uac.invite.cseq.seq} INVITE`);
      pair.alice.sendRequest(prack, { onResponse() {} });
      await settle();
      assert.equal(pair.bobWire.responses(481, 'PRACK').length, 1);
      pair.alice.dispose();
      pair.bob.dispose();
    });

    it('SHOULD reject the INVITE with a 5xx after 64*T1 without PRACK', async () => {
      const pair = wiredPair();
      const { uac, uas } = await startCall(pair);
      pair.aliceWire.drop = isPrack;
      const prack = uas.progress(180, { reliable: true });
      await advance(pair.clock, 32_000);
      assert.equal(await prack, undefined);
      assert.equal(pair.bobWire.responses(500, 'INVITE').length, 1);
      assert.equal(uas.cause?.reason, 'rejected');
      await settle();
      assert.equal(uac.cause?.response?.status, 500);
      pair.alice.dispose();
      pair.bob.dispose();
    });

    it('waits with the 2xx until the reliable 1xx carrying a session description is acknowledged', async () => {
      const pair = wiredPair();
      const { uac, uas } = await startCall(pair);
      pair.aliceWire.drop = isPrack;
      void uas.progress(183, { reliable: true, body: SDP_ANSWER });
      const ack = uas.accept();
      await settle();
      assert.equal(pair.bobWire.responses(200, 'INVITE').length, 0);
      pair.aliceWire.drop = () => false;
      await advance(pair.clock, 1000);
      assert.equal(pair.bobWire.responses(200, 'INVITE').length, 1);
      assert.ok(await ack);
      assert.equal(uac.state, SessionState.Confirmed);
      assert.deepEqual(uac.remoteBody?.body, SDP_ANSWER.body, 'the answer came in the reliable 183');
      pair.alice.dispose();
      pair.bob.dispose();
    });
  });

  describe('§4, §5 UAC behavior', () => {
    it('answers an offer in a reliable 1xx in the PRACK (createAnswer)', async () => {
      const pair = wiredPair();
      const { uac, uas } = await startCall(
        pair,
        { body: undefined, delegate: { createAnswer: () => SDP_ANSWER } },
        {},
      );
      const prack = await uas.progress(183, { reliable: true, body: SDP_OFFER });
      assert.deepEqual(prack?.body, SDP_ANSWER.body);
      assert.equal(uas.offerAnswer.state, 'stable');
      assert.equal(uac.offerAnswer.state, 'stable');
      const ack = await uas.accept();
      assert.ok(ack);
      assert.equal(ack.body.length, 0, 'nothing left to answer in the ACK');
      await settle();
      assert.equal(uac.state, SessionState.Confirmed);
      pair.alice.dispose();
      pair.bob.dispose();
    });

    it('does not announce 100rel when told not to; the UAS then sends 1xx unreliably', async () => {
      const pair = wiredPair();
      const { uac, uas } = await startCall(pair, { reliableProvisional: 'none' });
      assert.equal(uac.invite.headers.get('Supported'), 'timer');
      assert.equal(await uas.progress(180, { reliable: true }), undefined);
      assert.equal(pair.bobWire.responses(180)[0]?.headers.get('RSeq'), undefined);
      pair.alice.dispose();
      pair.bob.dispose();
    });
  });
});
