import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { B2bua } from '../../../src/sip/dialog/b2bua.ts';
import { SessionState } from '../../../src/sip/dialog/session-state.ts';
import { UacSession } from '../../../src/sip/dialog/uac-session.ts';
import { UasSession } from '../../../src/sip/dialog/uas-session.ts';
import { parseUri } from '../../../src/sip/message/index.ts';
import { eventually, startUa } from './sockets.ts';
import { SDP_ANSWER, SDP_OFFER } from './wire.ts';

const NEW_OFFER = {
  contentType: 'application/sdp',
  body: Buffer.from(`${SDP_OFFER.body.toString()}a=sendonly\r\n`),
};
const NEW_ANSWER = {
  contentType: 'application/sdp',
  body: Buffer.from(`${SDP_ANSWER.body.toString()}a=recvonly\r\n`),
};

type Ua = Awaited<ReturnType<typeof startUa>>;
const open: Ua[] = [];
after(async () => {
  await Promise.all(open.map((ua) => ua.close()));
});

async function ua(protocol: 'udp' | 'tcp' = 'udp'): Promise<Ua> {
  const u = await startUa(protocol);
  open.push(u);
  return u;
}

/** A callee answering every INVITE: 180, then 200 with SDP_ANSWER. */
function answering(callee: Ua): { sessions: UasSession[] } {
  const sessions: UasSession[] = [];
  callee.core.setRequestHandler((request, transaction) => {
    const s = UasSession.receive(callee.core, request, transaction, {
      delegate: { createAnswer: () => NEW_ANSWER },
    });
    sessions.push(s);
    void s.progress(180).then(() => s.accept({ body: SDP_ANSWER }));
  });
  return { sessions };
}

describe('INVITE sessions over real sockets (127.0.0.1)', () => {
  for (const protocol of ['udp', 'tcp'] as const) {
    it(`${protocol}: Alice calls Bob; re-INVITE; BYE from Bob`, async () => {
      const alice = await ua(protocol);
      const bob = await ua(protocol);
      const { sessions } = answering(bob);
      const call = UacSession.invite(alice.core, {
        to: bob.uri('bob'),
        from: 'sip:alice@ims.test',
        body: SDP_OFFER,
      });
      await eventually(() => call.state === SessionState.Confirmed, 'Alice confirmed');
      const callee = sessions[0]!;
      await eventually(() => callee.state === SessionState.Confirmed, 'Bob confirmed');
      assert.deepEqual(call.remoteBody?.body, SDP_ANSWER.body);
      const reinvite = await call.reinvite({ body: NEW_OFFER });
      assert.equal(reinvite.status, 200);
      assert.deepEqual(reinvite.body, NEW_ANSWER.body);
      callee.bye();
      await eventually(() => call.cause?.reason === 'remote-bye', 'BYE at Alice');
      await eventually(() => alice.core.stats().dialogs + bob.core.stats().dialogs === 0, 'dialogs gone');
    });
  }
});

describe('B2BUA over real sockets (127.0.0.1)', () => {
  async function topology() {
    const alice = await ua();
    const b2b = await ua();
    const bob = await ua();
    const b2bua = new B2bua({
      core: b2b.core,
      hooks: {
        route: (_a, b) => {
          b.requestUri = parseUri(bob.uri('bob'));
          return b;
        },
      },
    });
    b2b.core.setRequestHandler(b2bua.handler());
    const callee = answering(bob);
    const call = () =>
      UacSession.invite(alice.core, {
        to: 'sip:bob@ims.test',
        from: 'sip:alice@ims.test',
        requestUri: b2b.uri('bob'),
        body: SDP_OFFER,
      });
    return { alice, b2b, bob, b2bua, callee, call };
  }

  it('A calls B through the B2BUA; BYE from A', async () => {
    const t = await topology();
    const call = t.call();
    await eventually(() => call.state === SessionState.Confirmed, 'Alice confirmed');
    const bob = t.callee.sessions[0]!;
    await eventually(() => bob.state === SessionState.Confirmed, 'Bob confirmed');
    assert.notEqual(bob.callId, call.callId);
    assert.deepEqual(call.remoteBody?.body, SDP_ANSWER.body);
    call.bye();
    await eventually(() => bob.cause?.reason === 'remote-bye', 'BYE at Bob');
    await eventually(() => t.b2bua.calls.size === 0, 'call gone');
  });

  it('A calls B through the B2BUA; re-INVITE from A; BYE from B', async () => {
    const t = await topology();
    const call = t.call();
    await eventually(() => call.state === SessionState.Confirmed, 'Alice confirmed');
    const bob = t.callee.sessions[0]!;
    await eventually(() => bob.state === SessionState.Confirmed, 'Bob confirmed');
    const reinvite = await call.reinvite({ body: NEW_OFFER });
    assert.equal(reinvite.status, 200);
    assert.deepEqual(reinvite.body, NEW_ANSWER.body);
    await eventually(() => bob.remoteBody?.body.equals(NEW_OFFER.body) === true, 'new offer at Bob');
    bob.bye();
    await eventually(() => call.cause?.reason === 'remote-bye', 'BYE at Alice');
    await eventually(() => t.b2bua.calls.size === 0, 'call gone');
  });

  it('A cancels the call through the B2BUA', async () => {
    const t = await topology();
    t.bob.core.setRequestHandler((request, transaction) => {
      const s = UasSession.receive(t.bob.core, request, transaction);
      t.callee.sessions.push(s);
      void s.progress(180);
    });
    const call = t.call();
    await eventually(() => call.state === SessionState.Early, 'ringing at Alice');
    call.cancel();
    await eventually(() => call.cause?.reason === 'cancelled', 'Alice cancelled');
    const bob = t.callee.sessions[0]!;
    await eventually(() => bob.cause?.reason === 'cancelled', 'Bob cancelled');
    assert.equal(call.cause?.response?.status, 487);
    await eventually(() => t.b2bua.calls.size === 0, 'call gone');
  });
});
