import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionState } from '../../../src/sip/dialog/session-state.ts';
import { UasSession } from '../../../src/sip/dialog/uas-session.ts';
import { parseMessage, type SipRequest, type SipResponse } from '../../../src/sip/message/index.ts';
import { advance, SDP_ANSWER, settle, startCall, wiredPair } from './wire.ts';

const method = (name: string) => (m: SipRequest | SipResponse) => 'method' in m && m.method === name;

describe('Session timers (RFC 4028)', () => {
  it('§7.1, §9: the UAC asks for an interval; the UAS picks the refresher (uac) and answers with Require: timer', async () => {
    const pair = wiredPair();
    const { uac, uas } = await startCall(pair, { sessionTimer: { interval: 120 } });
    assert.equal(uac.invite.headers.get('Session-Expires'), '120');
    assert.match(uac.invite.headers.get('Supported') ?? '', /timer/);
    void uas.accept({ body: SDP_ANSWER });
    await settle();
    const [ok] = pair.bobWire.responses(200, 'INVITE');
    assert.equal(ok?.headers.get('Session-Expires'), '120;refresher=uac');
    assert.equal(ok?.headers.get('Require'), 'timer');
    assert.equal(uac.sessionTimer.interval, 120);
    assert.equal(uac.sessionTimer.localRefresher, true);
    assert.equal(uas.sessionTimer.localRefresher, false);
    pair.alice.dispose();
    pair.bob.dispose();
  });

  it('§10: the refresher refreshes at half the interval (UPDATE when allowed); the session lives on', async () => {
    const pair = wiredPair();
    const { uac, uas } = await startCall(pair, { sessionTimer: { interval: 120 } });
    void uas.accept({ body: SDP_ANSWER });
    await settle();
    await advance(pair.clock, 59_000, 1000);
    assert.equal(pair.aliceWire.requests('UPDATE').length, 0);
    await advance(pair.clock, 2_000, 1000);
    const [update] = pair.aliceWire.requests('UPDATE');
    // §7.4: the refresher names itself "uac": it is the UAC of the refresh transaction.
    assert.equal(update?.headers.get('Session-Expires'), '120;refresher=uac');
    assert.equal(update?.body.length, 0);
    await advance(pair.clock, 300_000, 1000);
    assert.ok(pair.aliceWire.requests('UPDATE').length >= 5);
    assert.equal(uac.state, SessionState.Confirmed);
    assert.equal(uas.state, SessionState.Confirmed);
    assert.equal(pair.bobWire.requests('BYE').length, 0);
    uac.bye();
    await settle();
    pair.alice.dispose();
    pair.bob.dispose();
  });

  it('§7.4: refreshes by re-INVITE with the current offer when so configured', async () => {
    const pair = wiredPair();
    const { uac, uas } = await startCall(pair, { sessionTimer: { interval: 90, method: 'INVITE' } });
    void uas.accept({ body: SDP_ANSWER });
    await settle();
    await advance(pair.clock, 46_000, 1000);
    const reinvites = pair.aliceWire.requests('INVITE');
    assert.equal(reinvites.length, 2);
    assert.deepEqual(reinvites[1]!.body, uac.localBody?.body);
    assert.equal(reinvites[1]!.headers.get('Session-Expires'), '90;refresher=uac');
    assert.equal(uas.state, SessionState.Confirmed);
    uac.bye();
    await settle();
    pair.alice.dispose();
    pair.bob.dispose();
  });

  it('§10: the UAS refreshes when it is the refresher', async () => {
    const pair = wiredPair();
    const { uac, uas } = await startCall(pair, {}, { sessionTimer: { interval: 100, refresher: 'uas' } });
    assert.equal(uac.invite.headers.get('Session-Expires'), undefined);
    void uas.accept({ body: SDP_ANSWER });
    await settle();
    assert.equal(
      pair.bobWire.responses(200, 'INVITE')[0]?.headers.get('Session-Expires'),
      '100;refresher=uas',
    );
    assert.equal(uac.sessionTimer.localRefresher, false);
    await advance(pair.clock, 51_000, 1000);
    const [update] = pair.bobWire.requests('UPDATE');
    assert.equal(update?.headers.get('Session-Expires'), '100;refresher=uac');
    assert.equal(uac.state, SessionState.Confirmed);
    uas.bye();
    await settle();
    pair.alice.dispose();
    pair.bob.dispose();
  });

  it('§10: without a refresh, the other side sends BYE before the session expires', async () => {
    const pair = wiredPair();
    const { uac, uas } = await startCall(pair, { sessionTimer: { interval: 120 } });
    void uas.accept({ body: SDP_ANSWER });
    await settle();
    pair.aliceWire.drop = method('UPDATE');
    // §10: BYE at the interval less min(32 s, interval/3): 88 s.
    await advance(pair.clock, 87_000, 1000);
    assert.equal(pair.bobWire.requests('BYE').length, 0);
    await advance(pair.clock, 2_000, 1000);
    assert.equal(pair.bobWire.requests('BYE').length, 1);
    assert.equal(uas.cause?.reason, 'session-expired');
    assert.equal(uac.cause?.reason, 'remote-bye');
    pair.alice.dispose();
    pair.bob.dispose();
  });

  it('§7.3, §9: an interval below the UAS minimum gets 422 with Min-SE; the UAC retries with it', async () => {
    const pair = wiredPair();
    const { uac } = await startCall(
      pair,
      { sessionTimer: { interval: 120 } },
      { sessionTimer: { minSE: 300 } },
    );
    await settle();
    const [tooSmall] = pair.bobWire.responses(422, 'INVITE');
    assert.equal(tooSmall?.headers.get('Min-SE'), '300');
    const invites = pair.aliceWire.requests('INVITE');
    assert.equal(invites.length, 2);
    assert.equal(invites[1]!.headers.get('Session-Expires'), '300');
    assert.equal(invites[1]!.headers.get('Min-SE'), '300');
    assert.equal(invites[1]!.cseq.seq, invites[0]!.cseq.seq + 1);
    assert.equal(invites[1]!.from.tag, invites[0]!.from.tag);
    assert.equal(invites[1]!.callId, invites[0]!.callId);
    assert.equal(uac.state, SessionState.Calling);
    pair.alice.dispose();
    pair.bob.dispose();
  });

  it('§9: without Supported: timer, a small interval is raised instead of refused; the UAS refreshes', async () => {
    const pair = wiredPair();
    const box: { uas?: UasSession } = {};
    pair.bob.setRequestHandler((request, transaction) => {
      box.uas = UasSession.receive(pair.bob, request, transaction, { sessionTimer: { minSE: 120 } });
    });
    pair.bobWire.inject(
      parseMessage(
        Buffer.from(
          [
            'INVITE sip:bob@ims.test SIP/2.0',
            'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnotimer',
            'Max-Forwards: 70',
            'From: <sip:alice@ims.test>;tag=a1',
            'To: <sip:bob@ims.test>',
            'Call-ID: no-timer-1',
            'CSeq: 1 INVITE',
            'Contact: <sip:alice@192.0.2.1>',
            'Session-Expires: 60',
            'Allow: INVITE, ACK, BYE, UPDATE',
            'Content-Length: 0',
            '',
            '',
          ].join('\r\n'),
        ),
      ),
    );
    await settle();
    void box.uas!.accept({ body: SDP_ANSWER });
    await settle();
    const [ok] = pair.bobWire.responses(200, 'INVITE');
    assert.equal(ok?.headers.get('Session-Expires'), '120;refresher=uas');
    assert.equal(ok?.headers.get('Require'), undefined, 'no Require: timer to a UAC without it');
    assert.equal(box.uas!.sessionTimer.localRefresher, true);
    pair.alice.dispose();
    pair.bob.dispose();
  });
});
