import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { QosSessionEvent } from '../../../src/functions/pcscf/index.ts';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import { isRequest, RawUe, registerText, requestText, SDP, startBench, unique, WsUe } from './harness.ts';

describe('P-CSCF security agreement (RFC 3329) and WebSocket UEs (RFC 7118)', () => {
  let bench: Awaited<ReturnType<typeof startBench>>;

  const qosEvents: QosSessionEvent[] = [];
  before(async () => {
    bench = await startBench({}, { qosHook: { onSessionEvent: (e) => void qosEvents.push(e) } });
  });
  after(() => bench.close());

  const SEC_AGREE = ['Require: sec-agree', 'Proxy-Require: sec-agree'];

  it('sec-agree over UDP gets 494 with Security-Server: tls; then TLS with Security-Verify registers', async () => {
    const udp = await RawUe.start('udp', bench.port);
    after(() => udp.close());
    const impu = `sip:${unique('sec')}@ims.test`;
    const first = await udp.request(
      registerText(impu, 'sip:sec@10.2.2.2', { headers: [...SEC_AGREE, 'Security-Client: tls'] }),
    );
    assert.equal(first.status, 494);
    assert.deepEqual(first.headers.values('Security-Server'), ['tls;q=0.1']);

    const tls = await RawUe.start('tls', bench.portOf('tls'), bench.pems);
    after(() => tls.close());
    const ok = await tls.request(
      registerText(impu, 'sip:sec@10.2.2.2;transport=tls', {
        headers: [...SEC_AGREE, 'Security-Client: tls', 'Security-Verify: tls;q=0.1'],
      }),
    );
    assert.equal(ok.status, 200);
    const atCore = bench.core.requests.filter((r) => r.method === 'REGISTER' && r.to.uriText === impu);
    assert.equal(atCore.length, 1, 'the 494 stayed at the P-CSCF');
    for (const h of ['Security-Client', 'Security-Verify', 'Require', 'Proxy-Require'])
      assert.equal(atCore[0]!.headers.has(h), false, `${h} removed`);
    assert.equal(bench.pcscf.registeredUsers().find((r) => r.impu === impu)?.flow.protocol, 'tls');
  });

  it('a Security-Verify not matching our Security-Server is refused', async () => {
    const tls = await RawUe.start('tls', bench.portOf('tls'), bench.pems);
    after(() => tls.close());
    const r = await tls.request(
      registerText(`sip:${unique('v')}@ims.test`, 'sip:v@10.2.2.3;transport=tls', {
        headers: [...SEC_AGREE, 'Security-Client: tls', 'Security-Verify: tls;q=0.5'],
      }),
    );
    assert.equal(r.status, 494);
    assert.match(r.reason, /Security-Verify/);
  });

  it('ipsec-3gpp alone is declined with a clear reason', async () => {
    const udp = await RawUe.start('udp', bench.port);
    after(() => udp.close());
    const r = await udp.request(
      registerText(`sip:${unique('ipsec')}@ims.test`, 'sip:ipsec@10.2.2.4', {
        headers: [
          ...SEC_AGREE,
          'Security-Client: ipsec-3gpp;alg=hmac-sha-1-96;spi-c=1111;spi-s=2222;port-c=5062;port-s=5064',
        ],
      }),
    );
    assert.equal(r.status, 494);
    assert.equal(r.reason, 'ipsec-3gpp not supported; use tls');
    assert.deepEqual(r.headers.values('Security-Server'), ['tls;q=0.1']);
  });

  it('a WebSocket UE registers and calls a UDP UE through the P-CSCF and the core, then the call ends', async () => {
    const ws = await WsUe.connect(bench.portOf('ws'));
    after(() => ws.close());
    const bob = await RawUe.start('udp', bench.port);
    after(() => bob.close());
    const wsImpu = `sip:${unique('web')}@ims.test`;
    const bobImpu = `sip:${unique('bob')}@ims.test`;
    const wsContact = `sip:web@${ws.host};transport=ws`;
    assert.equal((await ws.request(registerText(wsImpu, wsContact))).status, 200);
    assert.equal((await bob.request(registerText(bobImpu, `sip:bob@127.0.0.1:${bob.port}`))).status, 200);
    assert.equal(bench.pcscf.registeredUsers().find((r) => r.impu === wsImpu)?.flow.protocol, 'ws');

    const callId = unique('wscall');
    const invite = ws.send(
      requestText({
        method: 'INVITE',
        uri: bobImpu,
        from: wsImpu,
        callId,
        headers: [`Contact: <${wsContact}>`],
        body: SDP,
      }),
    );
    const atBob = (await bob.inbox.next(isRequest('INVITE'))) as SipRequest;
    assert.equal(atBob.callId, callId);
    assert.deepEqual(atBob.headers.values('P-Asserted-Identity'), [`<${wsImpu}>`]);
    assert.equal(atBob.headers.has('P-Charging-Vector'), false);
    const bobTag = 'bobtag1';
    await bob.answer(atBob, 200, [['Contact', `<sip:bob@127.0.0.1:${bob.port}>`]], bobTag);
    const ok = (await ws.inbox.next(
      (m) => !m.isRequest && m.callId === callId && (m as SipResponse).status === 200,
    )) as SipResponse;
    // The P-CSCF's UE-facing Record-Route names its WebSocket listener.
    const routeSet = ok.recordRoutes.map((r) => r.toString()).reverse();
    assert.match(routeSet[0]!, /transport=ws/);

    // ACK (RFC 3261 §13.2.2.4) along the route set: forwarded statelessly to Bob's flow.
    ws.send(
      [
        `ACK sip:bob@127.0.0.1:${bob.port} SIP/2.0`,
        'Via: VIA',
        'Max-Forwards: 70',
        ...routeSet.map((r) => `Route: ${r}`),
        invite.headers.get('From') && `From: ${invite.headers.get('From')}`,
        `To: ${ok.headers.get('To')}`,
        `Call-ID: ${callId}`,
        'CSeq: 1 ACK',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    const ack = (await bob.inbox.next(isRequest('ACK'))) as SipRequest;
    assert.equal(ack.callId, callId);

    // BYE from Bob along his route set (the Record-Route in order) reaches the WebSocket UE.
    const bye = bob.send(
      [
        `BYE ${wsContact} SIP/2.0`,
        'Via: VIA',
        'Max-Forwards: 70',
        ...atBob.recordRoutes.map((r) => `Route: ${r.toString()}`),
        `From: ${atBob.headers.get('To')};tag=${bobTag}`,
        `To: ${atBob.headers.get('From')}`,
        `Call-ID: ${callId}`,
        'CSeq: 1 BYE',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await bye;
    const byeAtWs = (await ws.inbox.next(isRequest('BYE'))) as SipRequest;
    ws.reply(byeAtWs, 200);
    const byeOk = await bob.inbox.next((m) => !m.isRequest && m.callId === callId && m.cseq.method === 'BYE');
    assert.equal((byeOk as SipResponse).status, 200);
    // The Rx seam saw the offer on both legs and the BYE.
    const mine = qosEvents.filter((e) => e.callId === callId).map((e) => `${e.type}/${e.direction}`);
    assert.ok(mine.includes('offer/originating'), mine.join());
    assert.ok(mine.includes('offer/terminating'), mine.join());
    assert.ok(
      mine.includes('terminated/terminating') || mine.includes('terminated/originating'),
      mine.join(),
    );
  });
});
