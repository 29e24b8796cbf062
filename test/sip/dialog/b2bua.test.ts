import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../../src/log/logger.ts';
import { B2bua, type B2buaHooks } from '../../../src/sip/dialog/b2bua.ts';
import { B2buaCallState } from '../../../src/sip/dialog/b2bua-call.ts';
import type { InviteSessionDelegate } from '../../../src/sip/dialog/invite-session.ts';
import { SessionState } from '../../../src/sip/dialog/session-state.ts';
import { type UacInviteOptions, UacSession } from '../../../src/sip/dialog/uac-session.ts';
import { UasSession, type UasSessionOptions } from '../../../src/sip/dialog/uas-session.ts';
import { UserAgentCore } from '../../../src/sip/dialog/user-agent-core.ts';
import { parseUri, type SipUri, type Uri } from '../../../src/sip/message/index.ts';
import type { HostPort } from '../../../src/sip/transport/types.ts';
import { FakeClock } from '../transaction/fake-clock.ts';
import { advance, SDP_ANSWER, SDP_OFFER, settle, WireNetwork } from './wire.ts';

const ALICE: HostPort = { host: '192.0.2.1', port: 5060 };
const BOB: HostPort = { host: '192.0.2.2', port: 5062 };
const CAROL: HostPort = { host: '192.0.2.4', port: 5064 };
const B2B: HostPort = { host: '192.0.2.3', port: 5070 };

const NEW_OFFER = {
  contentType: 'application/sdp',
  body: Buffer.from(`${SDP_OFFER.body.toString()}a=sendonly\r\n`),
};
const NEW_ANSWER = {
  contentType: 'application/sdp',
  body: Buffer.from(`${SDP_ANSWER.body.toString()}a=recvonly\r\n`),
};

const resolve = async (uri: Uri) => {
  const u = uri as SipUri;
  return [{ protocol: 'udp' as const, host: u.host, port: u.port ?? 5060 }];
};

/** Alice, a B2BUA and Bob (and Carol) on one in-memory network and one fake clock. */
function topology(hooks: B2buaHooks = {}, bobOptions: UasSessionOptions = {}) {
  const clock = new FakeClock();
  const net = new WireNetwork();
  const wires = {
    alice: net.attach(ALICE),
    b2b: net.attach(B2B),
    bob: net.attach(BOB),
    carol: net.attach(CAROL),
  };
  const core = (name: keyof typeof wires) =>
    new UserAgentCore({ transport: wires[name], resolve, timers: clock, logger: silentLogger });
  const cores = { alice: core('alice'), b2b: core('b2b'), bob: core('bob'), carol: core('carol') };
  const b2bua = new B2bua({
    core: cores.b2b,
    hooks: {
      route: (_a, b) => {
        b.requestUri = parseUri('sip:bob@192.0.2.2:5062');
        return b;
      },
      ...hooks,
    },
  });
  cores.b2b.setRequestHandler(b2bua.handler());
  const callee: { bob?: UasSession; carol?: UasSession } = {};
  cores.bob.setRequestHandler((r, tx) => {
    callee.bob = UasSession.receive(cores.bob, r, tx, bobOptions);
  });
  cores.carol.setRequestHandler((r, tx) => {
    callee.carol = UasSession.receive(cores.carol, r, tx);
  });
  const call = (options: Partial<UacInviteOptions> = {}, delegate: InviteSessionDelegate = {}) =>
    UacSession.invite(cores.alice, {
      to: 'sip:bob@ims.test',
      from: '"Alice" <sip:alice@ims.test>',
      body: SDP_OFFER,
      destination: { protocol: 'udp', ...B2B },
      delegate,
      ...options,
    });
  const dispose = () => {
    for (const c of Object.values(cores)) c.dispose();
  };
  return { clock, wires, cores, b2bua, callee, call, dispose };
}

async function answered(t: ReturnType<typeof topology>) {
  const alice = t.call();
  await settle();
  const bob = t.callee.bob!;
  await bob.progress(180);
  await settle();
  const ack = bob.accept({ body: SDP_ANSWER });
  await settle(10);
  assert.ok(await ack, 'Bob got the ACK');
  assert.equal(alice.state, SessionState.Confirmed);
  assert.equal(bob.state, SessionState.Confirmed);
  return { alice, bob };
}

describe('B2BUA', () => {
  it('relays 180 and 200 with new Call-ID and tags on B, and the ACK end to end', async () => {
    const t = topology();
    const { alice, bob } = await answered(t);
    const [aInvite] = t.wires.alice.requests('INVITE');
    const [bInvite] = t.wires.b2b.requests('INVITE');
    assert.ok(aInvite && bInvite);
    assert.notEqual(bInvite.callId, aInvite.callId);
    assert.notEqual(bInvite.from.tag, aInvite.from.tag);
    assert.equal(bInvite.uriText, 'sip:bob@192.0.2.2:5062');
    assert.equal(bInvite.from.displayName, 'Alice');
    assert.deepEqual(bInvite.body, SDP_OFFER.body);
    const relayed180 = t.wires.b2b.responses(180, 'INVITE');
    assert.equal(relayed180.length, 1);
    assert.equal(relayed180[0]!.callId, aInvite.callId);
    assert.deepEqual(alice.remoteBody?.body, SDP_ANSWER.body);
    // The ACK to Bob left only after Alice's ACK reached the B2BUA.
    const order = t.wires.b2b.summary;
    assert.ok(order.lastIndexOf('ACK') > order.lastIndexOf('200'));
    const [call] = t.b2bua.calls;
    assert.equal(call?.state, B2buaCallState.Answered);
    bob.bye();
    await settle(10);
    assert.equal(alice.cause?.reason, 'remote-bye');
    assert.equal(t.b2bua.calls.size, 0);
    await advance(t.clock, 40_000, 1000);
    for (const c of Object.values(t.cores)) assert.equal(c.stats().dialogs, 0);
    t.dispose();
  });

  it('relays a BYE from the caller', async () => {
    const t = topology();
    const { alice, bob } = await answered(t);
    alice.bye();
    await settle(10);
    assert.equal(bob.cause?.reason, 'remote-bye');
    assert.equal(t.b2bua.calls.size, 0);
    t.dispose();
  });

  it('relays a re-INVITE with an offer, its answer and its ACK', async () => {
    const t = topology({}, { delegate: { createAnswer: () => NEW_ANSWER } });
    const { alice, bob } = await answered(t);
    const response = await alice.reinvite({ body: NEW_OFFER });
    await settle(10);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, NEW_ANSWER.body);
    assert.deepEqual(bob.remoteBody?.body, NEW_OFFER.body);
    assert.equal(t.wires.b2b.requests('ACK').length, 2, 'the B leg ACKed both 2xx');
    alice.bye();
    await settle(10);
    t.dispose();
  });

  it('relays a re-INVITE without an offer: the offer comes back in the 2xx, the answer in the ACK', async () => {
    const t = topology();
    const { alice, bob } = await answered(t);
    bob.delegate = { createAnswer: () => NEW_ANSWER };
    const response = await bob.reinvite();
    await settle(10);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, SDP_OFFER.body, "Alice's current description, relayed");
    // Bob's ACK answered; the B2BUA's ACK to Alice carries that answer.
    const toAlice = t.wires.b2b.requests('ACK').filter((a) => a.callId === alice.callId);
    assert.deepEqual(toAlice.at(-1)?.body, NEW_ANSWER.body);
    assert.deepEqual(alice.remoteBody?.body, NEW_ANSWER.body);
    alice.bye();
    await settle(10);
    t.dispose();
  });

  it('relays UPDATE', async () => {
    const t = topology({}, { delegate: { createAnswer: () => NEW_ANSWER } });
    const { alice, bob } = await answered(t);
    const response = await alice.update({ body: NEW_OFFER });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, NEW_ANSWER.body);
    assert.deepEqual(bob.remoteBody?.body, NEW_OFFER.body);
    alice.bye();
    await settle(10);
    t.dispose();
  });

  it('relays a CANCEL from A to B; A gets 487', async () => {
    const t = topology();
    const alice = t.call();
    await settle();
    const bob = t.callee.bob!;
    await bob.progress(180);
    await settle();
    alice.cancel();
    await settle(10);
    assert.equal(alice.cause?.reason, 'cancelled');
    assert.equal(bob.cause?.reason, 'cancelled');
    assert.equal(t.wires.b2b.requests('CANCEL').length, 1);
    assert.equal(t.b2bua.calls.size, 0);
    t.dispose();
  });

  it('relays PRACK end to end when both support it', async () => {
    const t = topology();
    const alice = t.call({}, {});
    await settle();
    const bob = t.callee.bob!;
    const prack = bob.progress(183, { reliable: true, body: SDP_ANSWER });
    await settle(10);
    const relayed = t.wires.b2b.responses(183, 'INVITE')[0];
    assert.equal(relayed?.headers.get('Require'), '100rel');
    assert.ok(await prack);
    assert.equal(t.wires.alice.requests('PRACK').length, 1);
    assert.equal(t.wires.b2b.requests('PRACK').length, 1);
    assert.deepEqual(alice.remoteBody?.body, SDP_ANSWER.body);
    const ack = bob.accept();
    await settle(10);
    assert.ok(await ack);
    assert.equal(alice.state, SessionState.Confirmed);
    alice.bye();
    await settle(10);
    t.dispose();
  });

  it('lets the route hook bar a call', async () => {
    const t = topology({ route: () => ({ reject: 403, reason: 'Barred' }) });
    const alice = t.call();
    await settle(10);
    assert.equal(alice.cause?.response?.status, 403);
    assert.equal(alice.cause?.response?.reason, 'Barred');
    assert.equal(t.wires.b2b.requests('INVITE').length, 0);
    assert.equal(t.b2bua.calls.size, 0);
    t.dispose();
  });

  it('lets the failure hook forward on busy', async () => {
    const t = topology({
      failure: (response, call) => {
        if (response.status !== 486) return undefined;
        return {
          requestUri: parseUri('sip:carol@192.0.2.4:5064'),
          from: call.request.from,
          to: call.request.to,
          headers: [['History-Info', '<sip:bob@ims.test>;index=1']],
          body: SDP_OFFER,
          routes: [],
        };
      },
    });
    const alice = t.call();
    await settle();
    t.callee.bob!.reject(486);
    await settle(10);
    const carol = t.callee.carol!;
    assert.ok(carol, 'the call went on to Carol');
    assert.equal(carol.invite.headers.get('History-Info'), '<sip:bob@ims.test>;index=1');
    assert.equal(alice.state, SessionState.Calling);
    await carol.accept({ body: SDP_ANSWER });
    await settle(10);
    assert.equal(alice.state, SessionState.Confirmed);
    assert.equal(t.wires.b2b.responses(486).length, 0, 'the busy never reached Alice');
    alice.bye();
    await settle(10);
    assert.equal(carol.cause?.reason, 'remote-bye');
    t.dispose();
  });

  it('relays a final failure from B to A', async () => {
    const t = topology();
    const alice = t.call();
    await settle();
    t.callee.bob!.reject(486);
    await settle(10);
    assert.equal(alice.cause?.response?.status, 486);
    assert.equal(t.b2bua.calls.size, 0);
    t.dispose();
  });
});
