/**
 * Issue #8 acceptance, WebSocket UE (RFC 7118) through the whole chain: a UE on a SIP
 * WebSocket (the `ws` package, subprotocol `sip`) registers at the P-CSCF's ws listener,
 * answering the 401 with our client digest code, then calls a UDP UE and is called by it;
 * BYE from either side, each crossing P-CSCF → S-CSCF → I-CSCF → S-CSCF → P-CSCF.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChainUe, type DialogState, SDP } from './helpers/chain-ue.ts';
import { type ImsChain, startImsChain } from './helpers/ims-chain.ts';

describe('IMS chain: a WebSocket UE registers and calls a UDP UE', () => {
  let chain: ImsChain;
  let web: ChainUe;
  let phone: ChainUe;

  before(async () => {
    chain = await startImsChain({
      pcscfWs: true,
      subscribers: [
        { user: 'webuser', password: 'webpw' },
        { user: 'phone', password: 'phonepw' },
      ],
    });
    web = await ChainUe.connectWs('webuser', chain.ports.pcscfWs!);
    phone = await ChainUe.start('phone', 'udp', chain.ports.pcscf);
  });

  after(async () => {
    await web?.close();
    await phone?.close();
    await chain?.stop();
  });

  it('registers over WebSocket with SIP Digest through the chain', async () => {
    const { response, challenge } = await web.register({ password: 'webpw' });
    assert.equal(response.status, 200, `${response.status} ${response.reason}`);
    assert.equal(challenge?.algorithm, 'MD5');
    assert.match(response.headers.get('Service-Route') ?? '', /orig@scscf\.ims\.test/);
    const record = await chain.scscf.registrations.get('sip:webuser@ims.test');
    assert.equal(record?.state, 'registered');
    assert.match(record!.bindings[0]!.contact, /transport=ws/);
    assert.equal((await phone.register({ password: 'phonepw' })).response.status, 200);
  });

  /** caller → callee through the chain; both dialogs once the ACK arrived. */
  async function establish(caller: ChainUe, callee: ChainUe) {
    const invite = await caller.invite(callee.user);
    const incoming = await callee.nextRequest('INVITE', invite.callId);
    await callee.answer(incoming, 180, { toTag: 'cal1', contact: true });
    await callee.answer(incoming, 200, { toTag: 'cal1', contact: true, body: SDP });
    const ok = await caller.finalResponse(invite);
    assert.equal(ok.status, 200);
    const callerSide: DialogState = caller.uacDialog(invite, ok);
    await caller.send(caller.inDialog(callerSide, 'ACK', { contact: false }));
    await callee.nextRequest('ACK', invite.callId);
    return { incoming, callerSide, calleeSide: callee.uasDialog(incoming, 'cal1') };
  }

  async function hangUp(from: ChainUe, d: DialogState, to: ChainUe) {
    const bye = from.inDialog(d, 'BYE');
    await from.send(bye);
    await to.answer(await to.nextRequest('BYE', bye.callId), 200);
    assert.equal((await from.finalResponse(bye)).status, 200);
  }

  it('the WebSocket UE calls the UDP UE; the WebSocket UE hangs up', async () => {
    const { incoming, callerSide } = await establish(web, phone);
    assert.equal(incoming.headers.get('P-Asserted-Identity'), '<sip:webuser@ims.test>');
    // The ws-facing Record-Route of the P-CSCF names the ws transport (RFC 7118 §5.4).
    assert.ok(incoming.headers.values('Record-Route').some((r) => /transport=ws/.test(r)));
    await hangUp(web, callerSide, phone);
  });

  it('the UDP UE calls the WebSocket UE over its WebSocket; the WebSocket UE hangs up', async () => {
    const { incoming, calleeSide } = await establish(phone, web);
    assert.equal(incoming.headers.get('P-Asserted-Identity'), '<sip:phone@ims.test>');
    await hangUp(web, calleeSide, phone);
  });
});
