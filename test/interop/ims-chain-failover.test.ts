/**
 * Issue #8 acceptance, I-CSCF failover (TS 24.229 §5.3.1.2, TS 29.228 §6.1.1): with two
 * S-CSCFs configured at the I-CSCF and one of them stopped, new registrations land on the
 * other; a user the HSS still has assigned to the stopped one (it registered there before)
 * re-registers on the other one too. The I-CSCF's scscfTimeoutMs is lowered to keep it fast.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChainUe } from './helpers/chain-ue.ts';
import { type ImsChain, startImsChain } from './helpers/ims-chain.ts';

const USERS = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'];

describe('IMS chain: I-CSCF failover between two S-CSCFs', () => {
  let chain: ImsChain;
  const ues: ChainUe[] = [];

  before(async () => {
    chain = await startImsChain({
      scscfCount: 2,
      subscribers: [
        { user: 'early', password: 'earlypw' },
        ...USERS.map((user) => ({ user, password: `${user}pw` })),
      ],
      // Long enough that a busy S-CSCF on a loaded CI machine is not taken for a dead one.
      icscf: { scscfTimeoutMs: 1500 },
    });
  });

  after(async () => {
    for (const ue of ues) await ue.close();
    await chain?.stop();
  });

  const ue = async (user: string) => {
    const u = await ChainUe.start(user, 'udp', chain.ports.pcscf);
    ues.push(u);
    return u;
  };
  const stopped = new Set<number>();
  /** Indexes of the running S-CSCFs that have `impu` registered. */
  const servedBy = async (impu: string) => {
    const at = [];
    for (const [i, s] of chain.scscfs.entries())
      if (!stopped.has(i) && (await s.registrations.get(impu))?.state === 'registered') at.push(i);
    return at;
  };

  it('both S-CSCFs serve while up; with the first stopped, every new registration lands on the second', async () => {
    // A user registered at the first S-CSCF while both are up (retried until selection picks it).
    let early: ChainUe | undefined;
    for (let i = 0; i < 20; i++) {
      early = await ue('early');
      assert.equal((await early.register({ password: 'earlypw' })).response.status, 200);
      if ((await servedBy('sip:early@ims.test')).includes(0)) break;
      // Registered at the second: de-register and try again with a fresh UE.
      assert.equal((await early.register({ password: 'earlypw', expires: 0 })).response.status, 200);
    }
    assert.deepEqual(await servedBy('sip:early@ims.test'), [0]);

    await chain.scscfs[0]!.stop();
    stopped.add(0);
    for (const user of USERS) {
      const r = await (await ue(user)).register({ password: `${user}pw` });
      assert.equal(r.response.status, 200, `${user}: ${r.response.status} ${r.response.reason}`);
      assert.deepEqual(await servedBy(`sip:${user}@ims.test`), [1], user);
      assert.match(
        r.response.headers.get('Service-Route') ?? '',
        new RegExp(`scscf2\\.ims\\.test:${chain.ports.scscfs[1]}`),
      );
    }
    // The HSS still names the stopped S-CSCF for `early`: its re-registration moves to the second.
    const again = await early!.register({ password: 'earlypw' });
    assert.equal(again.response.status, 200, `${again.response.status} ${again.response.reason}`);
    assert.equal((await chain.scscfs[1]!.registrations.get('sip:early@ims.test'))?.state, 'registered');

    // The P-CSCF follows the new Service-Route: early's call reaches u1 through the second S-CSCF.
    const invite = await early!.invite('u1');
    const incoming = await ues[ues.length - USERS.length]!.nextRequest('INVITE', invite.callId);
    assert.ok(
      incoming.headers
        .values('Record-Route')
        .some((r) => r.includes(`scscf2.ims.test:${chain.ports.scscfs[1]};lr;orig`)),
      incoming.headers.values('Record-Route').join('\n'),
    );
    await ues[ues.length - USERS.length]!.answer(incoming, 486, { toTag: 'busy' });
    const final = await early!.finalResponse(invite);
    assert.equal(final.status, 486);
    await early!.ackFailure(invite, final);
  });
});
