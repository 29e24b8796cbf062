import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../src/log/logger.ts';
import { SessionState } from '../../../src/sip/dialog/session-state.ts';
import { UacSession } from '../../../src/sip/dialog/uac-session.ts';
import { UserAgentCore } from '../../../src/sip/dialog/user-agent-core.ts';
import { createResponse, type SipRequest, type SipResponse } from '../../../src/sip/message/index.ts';
import { FakeClock } from '../transaction/fake-clock.ts';
import { ALICE, advance, SDP_ANSWER, SDP_OFFER, settle, WireTransport } from './wire.ts';

/** Alice alone; the test plays a forking proxy by injecting responses to her INVITE. */
async function caller() {
  const clock = new FakeClock();
  const wire = new WireTransport(ALICE);
  const core = new UserAgentCore({
    transport: wire,
    resolve: async () => [{ protocol: 'udp', host: '192.0.2.9', port: 5060 }],
    timers: clock,
    logger: silentLogger,
  });
  const progress: SipResponse[] = [];
  const session = UacSession.invite(core, {
    to: 'sip:bob@ims.test',
    from: 'sip:alice@ims.test',
    body: SDP_OFFER,
    delegate: { onProgress: (_s, r) => progress.push(r) },
  });
  await settle();
  const invite = wire.requests('INVITE')[0]!;
  const answer = (status: number, tag: string, body?: typeof SDP_ANSWER) =>
    wire.inject(
      createResponse(invite, status, {
        toTag: tag,
        headers: [['Contact', `<sip:bob@192.0.2.${tag === 'x1' ? 5 : 6}:5060>`]],
        body: body?.body,
        contentType: body?.contentType,
      }),
      { host: '192.0.2.9', port: 5060 },
    );
  return { clock, wire, core, session, invite, answer, progress };
}

describe('Forking (RFC 3261 §12.1.2, §13.2.2.4)', () => {
  it('makes one early dialog per To tag of the provisional responses', async () => {
    const { core, session, answer, progress } = await caller();
    answer(180, 'x1');
    answer(183, 'x2', SDP_ANSWER);
    await settle();
    assert.equal(session.state, SessionState.Early);
    assert.equal(core.stats().dialogs, 2);
    assert.deepEqual(
      progress.map((r) => [r.status, r.to.tag]),
      [
        [180, 'x1'],
        [183, 'x2'],
      ],
    );
    core.dispose();
  });

  it('confirms the dialog of the first 2xx, ends the other early dialogs, ACKs and BYEs a later 2xx', async () => {
    const { clock, core, wire, session, answer } = await caller();
    answer(180, 'x1');
    answer(180, 'x2');
    answer(200, 'x2', SDP_ANSWER);
    await settle();
    assert.equal(session.state, SessionState.Confirmed);
    assert.equal(session.dialog?.id.remoteTag, 'x2');
    assert.equal(core.stats().dialogs, 1);
    const [ack] = wire.requests('ACK');
    assert.equal(ack?.uriText, 'sip:bob@192.0.2.6:5060', 'the ACK goes to the 2xx Contact');
    // §13.2.2.4: another fork's 2xx is ACKed, then its dialog ended with BYE.
    answer(200, 'x1', SDP_ANSWER);
    await settle();
    const acks = wire.requests('ACK');
    assert.equal(acks.length, 2);
    assert.equal(acks[1]!.to.tag, 'x1');
    const [bye] = wire.requests('BYE');
    assert.equal(bye?.to.tag, 'x1');
    assert.equal(bye?.uriText, 'sip:bob@192.0.2.5:5060');
    assert.equal(session.state, SessionState.Confirmed, 'the session stays on the first dialog');
    // A retransmission of the 2xx gets its ACK again, and nothing else.
    answer(200, 'x2', SDP_ANSWER);
    await settle();
    assert.equal(wire.requests('ACK').length, 3);
    assert.equal(wire.requests('ACK')[2]!.to.tag, 'x2');
    await advance(clock, 40_000, 1000);
    core.dispose();
  });

  it('§9.1: a 2xx crossing our CANCEL is ACKed and the call ended with BYE', async () => {
    const { core, wire, session, answer } = await caller();
    answer(180, 'x1');
    await settle();
    session.cancel();
    await settle();
    assert.equal(wire.requests('CANCEL').length, 1);
    answer(200, 'x1', SDP_ANSWER);
    await settle();
    assert.equal(wire.requests('ACK').length, 1);
    assert.equal(wire.requests('BYE').length, 1);
    assert.equal(session.state, SessionState.Terminated);
    core.dispose();
  });

  it('carries a request in the early dialog to its remote target', async () => {
    const { core, wire, session, answer } = await caller();
    answer(180, 'x1');
    await settle();
    void session.request('INFO', {
      body: { contentType: 'application/dtmf-relay', body: Buffer.from('Signal=1\r\n') },
    });
    await settle();
    const [info] = wire.requests('INFO') as SipRequest[];
    assert.equal(info?.uriText, 'sip:bob@192.0.2.5:5060');
    assert.equal(info?.to.tag, 'x1');
    core.dispose();
  });
});
