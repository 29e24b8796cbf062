/**
 * Issue #8 acceptance, identities through the whole chain (TS 24.229 §5.2.6.3.1):
 * a P-Asserted-Identity a UE puts in is removed and replaced by the asserted one; a request
 * from a source that is not a registered UE is refused; a P-Preferred-Identity inside the
 * registered set is asserted, one outside it is replaced by the default public user identity
 * (or, with the operator policy `unknownPreferredIdentity: reject`, refused with 403).
 * What counts is what the callee UE receives.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChainUe, SDP } from './helpers/chain-ue.ts';
import { type ImsChain, startImsChain } from './helpers/ims-chain.ts';

const SUBSCRIBERS = [
  { user: 'alice', password: 'alicepw', tel: '+15550100' },
  { user: 'bob', password: 'bobpw' },
];

/** alice's INVITE to bob with extra headers: what bob receives, and the call torn down again. */
async function inviteAsSeenByBob(alice: ChainUe, bob: ChainUe, headers: string[]) {
  const invite = await alice.invite('bob', { headers });
  const incoming = await bob.nextRequest('INVITE', invite.callId);
  await bob.answer(incoming, 486, { toTag: 'busy' });
  const final = await alice.finalResponse(invite);
  assert.equal(final.status, 486);
  await alice.ackFailure(invite, final);
  return incoming;
}

describe('IMS chain: identity assertion at the P-CSCF (default policy)', () => {
  let chain: ImsChain;
  let alice: ChainUe;
  let bob: ChainUe;

  before(async () => {
    chain = await startImsChain({ subscribers: SUBSCRIBERS });
    alice = await ChainUe.start('alice', 'udp', chain.ports.pcscf);
    bob = await ChainUe.start('bob', 'udp', chain.ports.pcscf);
    assert.equal((await alice.register({ password: 'alicepw' })).response.status, 200);
    assert.equal((await bob.register({ password: 'bobpw' })).response.status, 200);
  });

  after(async () => {
    await alice?.close();
    await bob?.close();
    await chain?.stop();
  });

  it('a spoofed P-Asserted-Identity from the UE is removed; the callee sees the registered one', async () => {
    const incoming = await inviteAsSeenByBob(alice, bob, [
      'P-Asserted-Identity: <sip:ceo@ims.test>',
      'P-Asserted-Identity: <tel:+15559999>',
    ]);
    const asserted = incoming.headers.values('P-Asserted-Identity');
    assert.ok(!asserted.some((v) => /ceo|15559999/.test(v)), asserted.join(', '));
    assert.equal(asserted[0], '<sip:alice@ims.test>');
  });

  it('a P-Preferred-Identity in the registered set (alice’s tel URI) is asserted', async () => {
    const incoming = await inviteAsSeenByBob(alice, bob, ['P-Preferred-Identity: <tel:+15550100>']);
    const asserted = incoming.headers.values('P-Asserted-Identity');
    assert.equal(asserted[0], '<tel:+15550100>', asserted.join(', '));
    assert.equal(incoming.headers.get('P-Preferred-Identity'), undefined);
  });

  it('a P-Preferred-Identity outside the registered set is replaced by the default identity', async () => {
    const incoming = await inviteAsSeenByBob(alice, bob, ['P-Preferred-Identity: <sip:bob@ims.test>']);
    const asserted = incoming.headers.values('P-Asserted-Identity');
    assert.equal(asserted[0], '<sip:alice@ims.test>', asserted.join(', '));
    assert.ok(!asserted.some((v) => v.includes('bob')));
    assert.equal(incoming.headers.get('P-Preferred-Identity'), undefined);
  });

  it('a request from a source that is not a registered UE is refused (403), nothing reaches bob', async () => {
    const intruder = await ChainUe.start('alice', 'udp', chain.ports.pcscf);
    try {
      const invite = intruder.build('INVITE', 'sip:bob@ims.test', {
        body: SDP,
        headers: ['P-Asserted-Identity: <sip:alice@ims.test>'],
      });
      const response = await intruder.request(invite);
      assert.equal(response.status, 403);
      await intruder.ackFailure(invite, response);
      // A pre-loaded Route to the S-CSCF's originating URI changes nothing.
      const routed = intruder.build('MESSAGE', 'sip:bob@ims.test', {
        headers: [`Route: <sip:orig@scscf.ims.test:${chain.ports.scscfs[0]};lr>`],
        body: 'hi',
        contentType: 'text/plain',
      });
      assert.equal((await intruder.request(routed)).status, 403);
      assert.deepEqual(
        bob.inbox.peek((m) => m.isRequest && (m.callId === invite.callId || m.callId === routed.callId)),
        [],
      );
    } finally {
      await intruder.close();
    }
  });
});

describe('IMS chain: unknownPreferredIdentity: reject', () => {
  let chain: ImsChain;
  let alice: ChainUe;

  before(async () => {
    chain = await startImsChain({ subscribers: SUBSCRIBERS, pcscf: { unknownPreferredIdentity: 'reject' } });
    alice = await ChainUe.start('alice', 'tcp', chain.ports.pcscf);
    assert.equal((await alice.register({ password: 'alicepw' })).response.status, 200);
  });

  after(async () => {
    await alice?.close();
    await chain?.stop();
  });

  it('a P-Preferred-Identity outside the registered set gets 403', async () => {
    const invite = await alice.invite('bob', { headers: ['P-Preferred-Identity: <sip:bob@ims.test>'] });
    const response = await alice.finalResponse(invite);
    assert.equal(response.status, 403);
    assert.match(response.reason, /P-Preferred-Identity/);
    await alice.ackFailure(invite, response);
  });
});
