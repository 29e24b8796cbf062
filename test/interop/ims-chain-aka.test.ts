/**
 * IMS AKA through the whole chain with our own client (a Usim from src/aka and the client
 * code of src/sip/auth), where SIPp cannot go: the P-CSCF removes ck and ik from the challenge
 * (TS 24.229 §5.2.2.1); a re-registration gets a fresh vector; a USIM ahead of the HSS
 * re-synchronises with AUTS (TS 33.203 §6.1.2) across P-CSCF and I-CSCF; a wrong RES is
 * refused; the AKA-registered UE then calls.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Usim } from '../../src/aka/usim.ts';
import { challengeFromParams } from '../../src/sip/auth/index.ts';
import { WWW_AUTHENTICATE } from '../../src/sip/message/index.ts';
import { ChainUe, SDP } from './helpers/chain-ue.ts';
import { type ImsChain, startImsChain } from './helpers/ims-chain.ts';

const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';
const OP = 'cdc202d5123e20f62b6d676ac72cb318';
const usim = (ahead = 0) =>
  new Usim({
    k: Buffer.from(K, 'hex'),
    opc: Buffer.from(OPC, 'hex'),
    ...(ahead > 0 ? { state: { seqMs: new Array<number>(32).fill(ahead) } } : {}),
  });

describe('IMS chain: IMS AKA with our client', () => {
  let chain: ImsChain;
  const ues: ChainUe[] = [];

  before(async () => {
    chain = await startImsChain({
      subscribers: [
        { user: 'aka1', k: K, op: OP },
        { user: 'aka2', k: K, op: OP },
        { user: 'aka3', k: K, op: OP },
        { user: 'digest', password: 'digestpw' },
      ],
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

  it('AKA registration: ck and ik removed by the P-CSCF, a fresh vector on re-registration', async () => {
    const sim = usim();
    const u = await ue('aka1');
    const first = await u.register({ usim: sim, impiFirst: true });
    assert.equal(first.response.status, 200, first.response.reason);
    assert.equal(first.challenge?.algorithm, 'AKAv1-MD5');
    const www = first.unauthorized[0]!.headers.get('WWW-Authenticate')!;
    assert.doesNotMatch(www, /\b(ck|ik)\s*=/i, www);
    const again = await u.register({ usim: sim, impiFirst: true });
    assert.equal(again.response.status, 200, again.response.reason);
    assert.notEqual(again.challenge?.nonce, first.challenge?.nonce);
    assert.equal((await chain.scscf.registrations.get('sip:aka1@ims.test'))?.state, 'registered');
  });

  it('a USIM ahead of the HSS re-synchronises (auts) through P-CSCF and I-CSCF', async () => {
    const u = await ue('aka2');
    const r = await u.register({ usim: usim(1000), impiFirst: true, rounds: 2 });
    assert.equal(r.response.status, 200, r.response.reason);
    assert.equal(r.challenges.length, 2, 'challenge, resync, challenge');
    assert.ok(r.sent[0]!.auts !== undefined, 'the first answer carried auts');
    assert.equal(r.sent[1]!.auts, undefined);
  });

  it('a wrong RES is refused; nothing is registered', async () => {
    const u = await ue('aka3');
    const first = await u.register({ usim: usim(), impiFirst: true, rounds: 0 });
    assert.equal(first.response.status, 401);
    const { nonce } = challengeFromParams(first.response.first(WWW_AUTHENTICATE)!);
    const bogus = u.build('REGISTER', 'sip:ims.test', {
      from: u.impu,
      to: u.impu,
      headers: [
        'Expires: 600',
        `Authorization: Digest username="${u.impi}", realm="ims.test", uri="sip:ims.test", algorithm=AKAv1-MD5, ` +
          `nonce="${nonce}", response="00000000000000000000000000000000"`,
      ],
    });
    const refused = await u.request(bogus);
    // TS 24.229 §5.4.1.2.3: a wrong response to an AKA challenge is not a registration.
    assert.ok(refused.status === 403 || refused.status === 401, `${refused.status} ${refused.reason}`);
    assert.notEqual((await chain.scscf.registrations.get('sip:aka3@ims.test'))?.state, 'registered');
    assert.ok(!chain.pcscf.registeredUsers().some((r) => r.impu === 'sip:aka3@ims.test'));
  });

  it('the AKA-registered UE calls a digest-registered UE', async () => {
    const caller = ues[0]!;
    const callee = await ue('digest');
    assert.equal((await callee.register({ password: 'digestpw' })).response.status, 200);
    const invite = await caller.invite('digest');
    const incoming = await callee.nextRequest('INVITE', invite.callId);
    assert.equal(incoming.headers.get('P-Asserted-Identity'), '<sip:aka1@ims.test>');
    await callee.answer(incoming, 200, { toTag: 'd1', contact: true, body: SDP });
    const ok = await caller.finalResponse(invite);
    const d = caller.uacDialog(invite, ok);
    await caller.send(caller.inDialog(d, 'ACK', { contact: false }));
    await callee.nextRequest('ACK', invite.callId);
    const bye = caller.inDialog(d, 'BYE');
    await caller.send(bye);
    await callee.answer(await callee.nextRequest('BYE', invite.callId), 200);
    assert.equal((await caller.finalResponse(bye)).status, 200);
  });
});
