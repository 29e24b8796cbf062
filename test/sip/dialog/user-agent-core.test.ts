import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionState } from '../../../src/sip/dialog/session-state.ts';
import { UacSession } from '../../../src/sip/dialog/uac-session.ts';
import { UasSession } from '../../../src/sip/dialog/uas-session.ts';
import { parseMessage, type SipRequest } from '../../../src/sip/message/index.ts';
import { advance, SDP_ANSWER, SDP_OFFER, settle, wiredPair } from './wire.ts';

const isAck = (m: { toBuffer(): Buffer }) => 'method' in m && (m as SipRequest).method === 'ACK';

/** Alice calls Bob; Bob's handler makes a UasSession and keeps it. */
async function call(options: { ring?: boolean } = {}) {
  const pair = wiredPair();
  const box: { uas?: UasSession } = {};
  pair.bob.setRequestHandler((request, transaction) => {
    box.uas = UasSession.receive(pair.bob, request, transaction);
  });
  const uac = UacSession.invite(pair.alice, {
    to: 'sip:bob@ims.test',
    from: 'sip:alice@ims.test',
    body: SDP_OFFER,
  });
  await settle();
  assert.ok(box.uas, 'the INVITE reached Bob');
  if (options.ring) {
    await box.uas.progress(180);
    await settle();
  }
  return { ...pair, uac, uas: box.uas };
}

function request(lines: string[]): SipRequest {
  return parseMessage(Buffer.from(`${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`)) as SipRequest;
}

describe('UserAgentCore (RFC 3261 §8, §12-§15)', () => {
  describe('§13.3.1.4 the UAS core retransmits its 2xx to INVITE', () => {
    it('MUST retransmit the 2xx at T1, doubling up to T2, until the ACK; the UAC re-sends its ACK each time', async () => {
      const { clock, aliceWire, bobWire, alice, bob, uac, uas } = await call();
      aliceWire.drop = isAck;
      void uas.accept({ body: SDP_ANSWER });
      await settle();
      const oks = () => bobWire.responses(200, 'INVITE').length;
      assert.equal(oks(), 1);
      await advance(clock, 500);
      assert.equal(oks(), 2);
      await advance(clock, 1000);
      assert.equal(oks(), 3);
      await advance(clock, 2000);
      assert.equal(oks(), 4);
      await advance(clock, 4000);
      assert.equal(oks(), 5);
      await advance(clock, 4000);
      assert.equal(oks(), 6, 'the interval stays at T2');
      // §13.2.2.4: the UAC answered each 2xx with the same ACK.
      const acks = aliceWire.requests('ACK');
      assert.equal(acks.length, 6);
      assert.ok(acks.every((a) => a.topVia.branch === acks[0]!.topVia.branch));
      assert.equal(uac.state, SessionState.Confirmed);
      assert.equal(uas.state, SessionState.Accepted);
      aliceWire.drop = () => false;
      await advance(clock, 4000);
      assert.equal(uas.state, SessionState.Confirmed);
      const final = oks();
      await advance(clock, 30_000);
      assert.equal(oks(), final, 'retransmissions cease with the ACK');
      assert.equal(bob.stats().pending2xx, 0);
      alice.dispose();
      bob.dispose();
    });

    it('SHOULD end the session with BYE when no ACK came in 64*T1', async () => {
      const { clock, aliceWire, bobWire, alice, bob, uac, uas } = await call();
      aliceWire.drop = isAck;
      const ack = uas.accept({ body: SDP_ANSWER });
      await advance(clock, 32_000);
      assert.equal(await ack, undefined);
      assert.equal(uas.state, SessionState.Terminated);
      assert.equal(uas.cause?.reason, 'no-ack');
      assert.equal(bobWire.requests('BYE').length, 1);
      await settle();
      assert.equal(uac.cause?.reason, 'remote-bye');
      await advance(clock, 40_000);
      assert.equal(bob.stats().dialogs, 0);
      assert.equal(alice.stats().dialogs, 0);
      alice.dispose();
      bob.dispose();
    });
    it('stops retransmitting the 2xx when the dialog ends before the ACK', async () => {
      const { clock, aliceWire, bobWire, alice, bob, uac, uas } = await call();
      aliceWire.drop = isAck;
      void uas.accept({ body: SDP_ANSWER });
      await advance(clock, 600);
      uac.bye();
      await settle();
      assert.equal(uas.cause?.reason, 'remote-bye');
      const count = bobWire.responses(200, 'INVITE').length;
      await advance(clock, 10_000);
      assert.equal(bobWire.responses(200, 'INVITE').length, count);
      assert.equal(bob.stats().pending2xx, 0);
      alice.dispose();
      bob.dispose();
    });
  });

  describe('§12.2.2 requests inside a dialog', () => {
    it('answers a request with a To tag matching no dialog with 481', async () => {
      const { bobWire, alice, bob } = wiredPair();
      bobWire.inject(
        request([
          'BYE sip:bob@192.0.2.2:5062 SIP/2.0',
          'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnodialog',
          'Max-Forwards: 70',
          'From: <sip:alice@ims.test>;tag=a1',
          'To: <sip:bob@ims.test>;tag=nope',
          'Call-ID: unknown-call',
          'CSeq: 2 BYE',
        ]),
      );
      await settle();
      assert.deepEqual(bobWire.summary, ['481']);
      alice.dispose();
      bob.dispose();
    });

    it('BYE from the caller ends both sides', async () => {
      const { clock, alice, bob, aliceWire, bobWire, uac, uas } = await call({ ring: true });
      const ack = uas.accept({ body: SDP_ANSWER });
      await settle();
      assert.ok(await ack);
      uac.bye();
      await settle();
      assert.equal(uac.cause?.reason, 'local-bye');
      assert.equal(uas.cause?.reason, 'remote-bye');
      assert.equal(bobWire.responses(200, 'BYE').length, 1);
      assert.deepEqual(aliceWire.summary, ['INVITE', 'ACK', 'BYE']);
      await advance(clock, 40_000);
      assert.deepEqual(alice.stats(), {
        dialogs: 0,
        pending2xx: 0,
        acks: 0,
        clientTransactions: 0,
        serverTransactions: 0,
      });
      assert.deepEqual(bob.stats(), {
        dialogs: 0,
        pending2xx: 0,
        acks: 0,
        clientTransactions: 0,
        serverTransactions: 0,
      });
    });
  });

  describe('§9 CANCEL', () => {
    it('§9.2 answers the CANCEL with 200 and the INVITE with 487; both sessions end cancelled', async () => {
      const { clock, alice, bob, bobWire, uac, uas } = await call({ ring: true });
      uac.cancel();
      await settle();
      assert.equal(bobWire.responses(200, 'CANCEL').length, 1);
      const terminated = bobWire.responses(487, 'INVITE');
      assert.equal(terminated.length, 1);
      assert.equal(terminated[0]!.to.tag, uas.localTag, 'the 487 keeps the tag of the early dialog');
      assert.equal(uas.cause?.reason, 'cancelled');
      assert.equal(uac.cause?.reason, 'cancelled');
      await advance(clock, 40_000);
      assert.equal(alice.stats().dialogs + bob.stats().dialogs, 0);
      alice.dispose();
      bob.dispose();
    });

    it('§9.1 the CANCEL waits for a provisional response', async () => {
      const { clock, alice, bob, aliceWire, uac } = await call();
      uac.cancel();
      await settle();
      assert.equal(aliceWire.requests('CANCEL').length, 0);
      await advance(clock, 300); // the server transaction's 100 (Trying) after 200 ms
      assert.equal(aliceWire.requests('CANCEL').length, 1);
      await settle();
      assert.equal(uac.cause?.reason, 'cancelled');
      alice.dispose();
      bob.dispose();
    });

    it('§9.2 answers a CANCEL matching no transaction with 481', async () => {
      const { bobWire, alice, bob } = wiredPair();
      bobWire.inject(
        request([
          'CANCEL sip:bob@ims.test SIP/2.0',
          'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnotthere',
          'Max-Forwards: 70',
          'From: <sip:alice@ims.test>;tag=a1',
          'To: <sip:bob@ims.test>',
          'Call-ID: c-1',
          'CSeq: 1 CANCEL',
        ]),
      );
      await settle();
      assert.deepEqual(bobWire.summary, ['481']);
      alice.dispose();
      bob.dispose();
    });
  });

  describe('§8.2.2 request checks', () => {
    const invite = (branch: string, extra: string[] = []) =>
      request([
        'INVITE sip:bob@ims.test SIP/2.0',
        `Via: SIP/2.0/UDP 192.0.2.1:5060;branch=${branch}`,
        'Max-Forwards: 70',
        'From: <sip:alice@ims.test>;tag=a1',
        'To: <sip:bob@ims.test>',
        'Call-ID: merged-1',
        'CSeq: 1 INVITE',
        'Contact: <sip:alice@192.0.2.1>',
        ...extra,
      ]);

    it('§8.2.2.2 answers a merged request (same From tag, Call-ID, CSeq, other branch) with 482', async () => {
      const { bobWire, alice, bob } = wiredPair();
      const seen: SipRequest[] = [];
      bob.setRequestHandler((r) => seen.push(r));
      bobWire.inject(invite('z9hG4bKfork1'));
      bobWire.inject(invite('z9hG4bKfork2'));
      await settle();
      assert.equal(seen.length, 1);
      assert.deepEqual(bobWire.summary, ['482']);
      alice.dispose();
      bob.dispose();
    });

    it('§8.2.2.3 answers an unknown option tag in Require with 420 and Unsupported', async () => {
      const { bobWire, alice, bob } = wiredPair();
      bobWire.inject(invite('z9hG4bKreq', ['Require: 100rel, foo']));
      await settle();
      const [response] = bobWire.responses(420);
      assert.equal(response?.headers.get('Unsupported'), 'foo');
      alice.dispose();
      bob.dispose();
    });
  });
});
