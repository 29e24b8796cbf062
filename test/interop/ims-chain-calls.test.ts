/**
 * Issue #7 and #8 through the whole chain with our own UEs (raw SIP over UDP and TCP):
 * two registered UEs call each other (INVITE/180/200/ACK/BYE) over
 * P-CSCF → S-CSCF → I-CSCF → S-CSCF → P-CSCF, each CSCF that stays on the path record-routing;
 * the callee sees the asserted identity of the caller, the P-Called-Party-ID and no charging
 * vector (removed towards the UE); BYE from either side; a call to a provisioned user who is
 * not registered gets 480, to an unknown user 404.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChainUe, SDP } from './helpers/chain-ue.ts';
import { type ImsChain, startImsChain } from './helpers/ims-chain.ts';

describe('IMS chain: calls between registered UEs (P → S → I → S → P)', () => {
  let chain: ImsChain;
  let alice: ChainUe;
  let bob: ChainUe;

  before(async () => {
    chain = await startImsChain({
      subscribers: [
        { user: 'alice', password: 'alicepw' },
        { user: 'bob', password: 'bobpw' },
        { user: 'carol', password: 'carolpw' },
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

  /** alice calls bob; both sides' dialogs once the ACK reached bob. */
  async function establish() {
    const invite = await alice.invite('bob');
    const incoming = await bob.nextRequest('INVITE', invite.callId);
    const toTag = 'bobtag';
    await bob.answer(incoming, 180, { toTag, contact: true });
    const ringing = await alice.inbox.next(
      (m) => !m.isRequest && m.callId === invite.callId && (m as { status: number }).status === 180,
    );
    assert.ok(ringing);
    await bob.answer(incoming, 200, { toTag, contact: true, body: SDP });
    const ok = await alice.finalResponse(invite);
    assert.equal(ok.status, 200);
    const callerSide = alice.uacDialog(invite, ok);
    await alice.send(alice.inDialog(callerSide, 'ACK', { contact: false }));
    await bob.nextRequest('ACK', invite.callId);
    return { invite, incoming, ok, callerSide, calleeSide: bob.uasDialog(incoming, toTag) };
  }

  it('INVITE/180/200/ACK/BYE (caller hangs up), Record-Route from each CSCF on the path', async () => {
    const { incoming, ok, callerSide } = await establish();
    const rr = incoming.headers.values('Record-Route');
    const p = chain.ports.pcscf;
    const s = chain.ports.scscfs[0]!;
    // RFC 5658 double Record-Route by the P-CSCFs (a UE-facing and a core-facing entry, each
    // with the flow token), the S-CSCF once per session case: P(term) S(term) S(orig) P(orig).
    const hosts = rr.map((r) => /@?([\w.]+:\d+)[;>]/.exec(r)?.[1]);
    assert.deepEqual(
      hosts,
      [
        `127.0.0.1:${p}`,
        `pcscf.ims.test:${p}`,
        `scscf.ims.test:${s}`,
        `scscf.ims.test:${s}`,
        `pcscf.ims.test:${p}`,
        `127.0.0.1:${p}`,
      ],
      rr.join('\n'),
    );
    assert.match(rr[2]!, /;term/);
    assert.match(rr[3]!, /;orig/);
    // The caller sees the same route set as the callee (RFC 3261 §12.1.2).
    assert.deepEqual(ok.headers.values('Record-Route'), rr);
    // TS 24.229 §5.2.7 / §5.4.3.3: what bob is told about the call.
    assert.equal(incoming.headers.get('P-Asserted-Identity'), '<sip:alice@ims.test>');
    assert.match(incoming.headers.get('P-Called-Party-ID') ?? '', /sip:bob@ims\.test/);
    assert.equal(incoming.headers.get('P-Charging-Vector'), undefined);
    assert.equal(incoming.uri.toString().includes(`127.0.0.1:${bob.port}`), true, incoming.uri.toString());

    const bye = alice.inDialog(callerSide, 'BYE');
    await alice.send(bye);
    const got = await bob.nextRequest('BYE', bye.callId);
    await bob.answer(got, 200);
    assert.equal((await alice.finalResponse(bye)).status, 200);
  });

  it('the callee hangs up: BYE from bob reaches alice over the same route', async () => {
    const { calleeSide } = await establish();
    const bye = bob.inDialog(calleeSide, 'BYE');
    await bob.send(bye);
    const got = await alice.nextRequest('BYE', bye.callId);
    assert.equal(got.uri.toString().includes(`127.0.0.1:${alice.port}`), true, got.uri.toString());
    await alice.answer(got, 200);
    assert.equal((await bob.finalResponse(bye)).status, 200);
  });

  it('bob calls alice back (the other direction, TCP caller to UDP callee)', async () => {
    const invite = await bob.invite('alice');
    const incoming = await alice.nextRequest('INVITE', invite.callId);
    assert.equal(incoming.headers.get('P-Asserted-Identity'), '<sip:bob@ims.test>');
    await alice.answer(incoming, 200, { toTag: 'at1', contact: true, body: SDP });
    const ok = await bob.finalResponse(invite);
    assert.equal(ok.status, 200);
    const d = bob.uacDialog(invite, ok);
    await bob.send(bob.inDialog(d, 'ACK', { contact: false }));
    await alice.nextRequest('ACK', invite.callId);
    const bye = bob.inDialog(d, 'BYE');
    await bob.send(bye);
    await alice.answer(await alice.nextRequest('BYE', bye.callId), 200);
    assert.equal((await bob.finalResponse(bye)).status, 200);
  });

  it('a call to a provisioned user who is not registered gets 480; to an unknown user 404', async () => {
    const toCarol = await alice.invite('carol');
    const r480 = await alice.finalResponse(toCarol);
    assert.equal(r480.status, 480);
    await alice.ackFailure(toCarol, r480);
    const toNobody = await alice.invite('nobody');
    const r404 = await alice.finalResponse(toNobody);
    assert.equal(r404.status, 404);
    await alice.ackFailure(toNobody, r404);
  });
});
