import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DialogError } from '../../../src/sip/dialog/errors.ts';
import { SessionState } from '../../../src/sip/dialog/session-state.ts';
import { advance, SDP_ANSWER, SDP_OFFER, settle, startCall, wiredPair } from './wire.ts';

const NEW_OFFER = {
  contentType: 'application/sdp',
  body: Buffer.from(`${SDP_OFFER.body.toString()}a=sendonly\r\n`),
};
const NEW_ANSWER = {
  contentType: 'application/sdp',
  body: Buffer.from(`${SDP_ANSWER.body.toString()}a=recvonly\r\n`),
};

async function confirmedCall() {
  const pair = wiredPair();
  const { uac, uas } = await startCall(pair);
  await uas.accept({ body: SDP_ANSWER });
  await settle();
  assert.equal(uac.state, SessionState.Confirmed);
  assert.equal(uas.state, SessionState.Confirmed);
  return { ...pair, uac, uas };
}

describe('Glare (RFC 3261 §14, RFC 3311 §5.2)', () => {
  it('§14.2: crossing re-INVITEs both get 491; each side retries after its random interval and both succeed', async () => {
    const { clock, alice, bob, aliceWire, bobWire, uac, uas } = await confirmedCall();
    uas.delegate = { createAnswer: () => NEW_ANSWER };
    uac.delegate = { createAnswer: () => NEW_ANSWER };
    const fromAlice = uac.reinvite({ body: NEW_OFFER });
    const fromBob = uas.reinvite({ body: NEW_OFFER });
    await settle();
    assert.equal(aliceWire.responses(491, 'INVITE').length, 1);
    assert.equal(bobWire.responses(491, 'INVITE').length, 1);
    // §14.1: the Call-ID owner (Alice) waits 2.1-4 s, the other (Bob) 0-2 s: Bob goes first.
    await advance(clock, 2_050, 10);
    assert.equal((await fromBob).status, 200);
    assert.equal(aliceWire.requests('INVITE').length, 2, 'Alice has not retried yet');
    await advance(clock, 2_000, 10);
    assert.equal((await fromAlice).status, 200);
    assert.equal(aliceWire.requests('INVITE').length, 3);
    assert.equal(uac.state, SessionState.Confirmed);
    assert.equal(uas.state, SessionState.Confirmed);
    assert.equal(uac.offerAnswer.state, 'stable');
    assert.equal(uas.offerAnswer.state, 'stable');
    alice.dispose();
    bob.dispose();
  });

  it('RFC 3311 §5.2: an UPDATE with an offer while ours is unanswered gets 491; retried, it succeeds', async () => {
    const { clock, alice, bob, aliceWire, bobWire, uac, uas } = await confirmedCall();
    const fromAlice = uac.update({ body: NEW_OFFER });
    const fromBob = uas.update({ body: NEW_OFFER });
    await settle();
    assert.equal(aliceWire.responses(491, 'UPDATE').length, 1);
    assert.equal(bobWire.responses(491, 'UPDATE').length, 1);
    await advance(clock, 4_100, 10);
    assert.equal((await fromAlice).status, 200);
    assert.equal((await fromBob).status, 200);
    alice.dispose();
    bob.dispose();
  });

  it('RFC 3311 §5.2: an offer while we owe an answer gets 500 with Retry-After', async () => {
    const { alice, bob, bobWire, uac, uas } = await confirmedCall();
    let release: () => void = () => {};
    uas.delegate = {
      onModify: () => new Promise((resolve) => (release = () => resolve({ status: 200, body: NEW_ANSWER }))),
    };
    const reinvite = uac.reinvite({ body: NEW_OFFER });
    await settle();
    // Bob owes the answer to the re-INVITE's offer; Alice's UPDATE offers again (sent raw:
    // the session itself refuses to offer twice).
    const update = uac.dialog!.createRequest('UPDATE', {
      contact: alice.contact(),
      body: NEW_OFFER.body,
      contentType: NEW_OFFER.contentType,
    });
    alice.sendRequest(update, { onResponse() {} });
    await settle();
    const [refused] = bobWire.responses(500, 'UPDATE');
    assert.ok(refused);
    assert.match(refused.headers.get('Retry-After') ?? '', /^([0-9]|10)$/);
    release();
    assert.equal((await reinvite).status, 200);
    alice.dispose();
    bob.dispose();
  });

  it('§14.1: a second re-INVITE while one is in progress is refused locally', async () => {
    const { alice, bob, uac } = await confirmedCall();
    const first = uac.reinvite({ body: NEW_OFFER });
    assert.throws(
      () => uac.reinvite(),
      (e: unknown) => e instanceof DialogError && e.code === 'ERR_SIP_REQUEST_PENDING',
    );
    assert.equal((await first).status, 200);
    alice.dispose();
    bob.dispose();
  });

  it('§14.2: a re-INVITE without an offer gets one in the 2xx, answered in the ACK', async () => {
    const { alice, bob, aliceWire, uac, uas } = await confirmedCall();
    uac.delegate = { createAnswer: () => NEW_ANSWER };
    const response = await uac.reinvite();
    await settle();
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, SDP_ANSWER.body, 'Bob offers his current description');
    const ack = aliceWire.requests('ACK').at(-1);
    assert.deepEqual(ack?.body, NEW_ANSWER.body);
    assert.deepEqual(uas.remoteBody?.body, NEW_ANSWER.body);
    alice.dispose();
    bob.dispose();
  });
});
