/**
 * Dialog procedures through the whole chain (P-CSCF → S-CSCF → I-CSCF → S-CSCF → P-CSCF):
 * CANCEL of a ringing call (487 to the INVITE), a re-INVITE inside the dialog along the
 * route set, a P-Asserted-Identity put into an in-dialog request by the UE removed, and a
 * de-registered UE: its requests refused by the P-CSCF, calls to it answered 480.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChainUe, SDP } from './helpers/chain-ue.ts';
import { type ImsChain, startImsChain } from './helpers/ims-chain.ts';

describe('IMS chain: CANCEL, re-INVITE, in-dialog identity, de-registration', () => {
  let chain: ImsChain;
  let alice: ChainUe;
  let bob: ChainUe;

  before(async () => {
    chain = await startImsChain({
      subscribers: [
        { user: 'alice', password: 'alicepw' },
        { user: 'bob', password: 'bobpw' },
      ],
    });
    alice = await ChainUe.start('alice', 'udp', chain.ports.pcscf);
    bob = await ChainUe.start('bob', 'tcp', chain.ports.pcscf);
    assert.equal((await alice.register({ password: 'alicepw' })).response.status, 200);
    assert.equal((await bob.register({ password: 'bobpw' })).response.status, 200);
  });

  after(async () => {
    await alice?.close();
    await bob?.close();
    await chain?.stop();
  });

  it('CANCEL of a ringing call: the callee gets the CANCEL, the caller 200 to it and 487', async () => {
    const invite = await alice.invite('bob');
    const incoming = await bob.nextRequest('INVITE', invite.callId);
    await bob.answer(incoming, 180, { toTag: 'ring1', contact: true });
    await alice.inbox.next(
      (m) => !m.isRequest && m.callId === invite.callId && (m as { status: number }).status === 180,
    );
    // RFC 3261 §9.1: the CANCEL has the INVITE's Request-URI, Call-ID, From, To, CSeq number and branch.
    const cancel = alice.build('CANCEL', invite.uri.toString(), {
      from: invite.from.uriText,
      fromTag: invite.from.tag!,
      to: invite.to.uriText,
      callId: invite.callId,
      cseq: invite.cseq.seq,
      branch: invite.vias[0]!.branch!,
      contact: false,
    });
    await alice.send(cancel);
    const cancelled = await bob.nextRequest('CANCEL', invite.callId);
    await bob.answer(cancelled, 200);
    await bob.answer(incoming, 487, { toTag: 'ring1' });
    const cancelOk = await alice.finalResponse(cancel);
    assert.equal(cancelOk.status, 200);
    const final = await alice.finalResponse(invite);
    assert.equal(final.status, 487);
    await alice.ackFailure(invite, final);
  });

  it('a re-INVITE and a BYE inside the dialog follow the route set; a UE-set P-Asserted-Identity is removed', async () => {
    const invite = await alice.invite('bob');
    const incoming = await bob.nextRequest('INVITE', invite.callId);
    await bob.answer(incoming, 200, { toTag: 'dlg1', contact: true, body: SDP });
    const ok = await alice.finalResponse(invite);
    const d = alice.uacDialog(invite, ok);
    await alice.send(alice.inDialog(d, 'ACK', { contact: false }));
    await bob.nextRequest('ACK', invite.callId);

    const reinvite = alice.inDialog(d, 'INVITE', {
      body: SDP,
      headers: ['P-Asserted-Identity: <sip:ceo@ims.test>'],
    });
    await alice.send(reinvite);
    const got = await bob.nextRequest('INVITE', invite.callId);
    assert.equal(got.cseq.seq, reinvite.cseq.seq);
    assert.ok(!got.headers.values('P-Asserted-Identity').some((v) => v.includes('ceo')));
    await bob.answer(got, 200, { contact: true, body: SDP });
    const reOk = await alice.finalResponse(reinvite);
    assert.equal(reOk.status, 200);
    await alice.send(alice.inDialog({ ...d, cseq: reinvite.cseq.seq }, 'ACK', { contact: false }));
    await bob.nextRequest('ACK', invite.callId);

    const calleeSide = bob.uasDialog(incoming, 'dlg1');
    const bye = bob.inDialog(calleeSide, 'BYE', { headers: ['P-Asserted-Identity: <sip:ceo@ims.test>'] });
    await bob.send(bye);
    const byeAtAlice = await alice.nextRequest('BYE', invite.callId);
    assert.ok(!byeAtAlice.headers.values('P-Asserted-Identity').some((v) => v.includes('ceo')));
    await alice.answer(byeAtAlice, 200);
    assert.equal((await bob.finalResponse(bye)).status, 200);
  });

  it('after de-registration the UE’s requests are refused (403) and calls to it get 480', async () => {
    const carolUe = await ChainUe.start('carol', 'udp', chain.ports.pcscf);
    try {
      await chain.provision({ user: 'carol', password: 'carolpw' });
      assert.equal((await carolUe.register({ password: 'carolpw' })).response.status, 200);
      const off = await carolUe.register({ password: 'carolpw', expires: 0 });
      assert.equal(off.response.status, 200);
      assert.notEqual((await chain.scscf.registrations.get('sip:carol@ims.test'))?.state, 'registered');
      assert.ok(!chain.pcscf.registeredUsers().some((u) => u.impu === 'sip:carol@ims.test'));

      const fromCarol = await carolUe.invite('bob');
      const refused = await carolUe.finalResponse(fromCarol);
      assert.equal(refused.status, 403);
      await carolUe.ackFailure(fromCarol, refused);

      const toCarol = await alice.invite('carol');
      const unavailable = await alice.finalResponse(toCarol);
      assert.equal(unavailable.status, 480);
      await alice.ackFailure(toCarol, unavailable);
    } finally {
      await carolUe.close();
    }
  });

  it('network-initiated de-registration at the S-CSCF reaches the P-CSCF over its reg-event subscription', async () => {
    const daveUe = await ChainUe.start('dave', 'udp', chain.ports.pcscf);
    try {
      await chain.provision({ user: 'dave', password: 'davepw' });
      assert.equal((await daveUe.register({ password: 'davepw' })).response.status, 200);
      const impu = 'sip:dave@ims.test';
      // TS 24.229 §5.2.3: the P-CSCF subscribed to dave's reg event at the S-CSCF.
      await until(
        async () => chain.scscf.notifier.subscriptionsOf(impu).length > 0,
        'reg-event subscription',
      );
      assert.equal(await chain.scscf.deregister(impu), true);
      // §5.2.3 / §5.4.1.5: the NOTIFY (contacts deactivated) ends the P-CSCF's state for dave.
      await until(
        async () => !chain.pcscf.registeredUsers().some((u) => u.impu === impu),
        'P-CSCF state dropped',
      );
      const invite = await daveUe.invite('bob');
      const refused = await daveUe.finalResponse(invite);
      assert.equal(refused.status, 403);
      await daveUe.ackFailure(invite, refused);
    } finally {
      await daveUe.close();
    }
  });
});

/** Polls `check` (every 20 ms, at most 3 s): for state that has no event to await. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
