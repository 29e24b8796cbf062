import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import {
  isRequest,
  PLACEHOLDER_VIA,
  RawUe,
  registerText,
  requestText,
  SDP,
  startBench,
  unique,
} from './harness.ts';

describe('P-CSCF originating and terminating requests (TS 24.229 §5.2.6, §5.2.7)', () => {
  let bench: Awaited<ReturnType<typeof startBench>>;
  let alice: RawUe;
  const aliceImpu = `sip:${unique('alice')}@ims.test`;
  const aliceTel = 'tel:+15551230001';

  before(async () => {
    bench = await startBench();
    alice = await RawUe.start('udp', bench.port);
    bench.core.associated.set(aliceImpu, [aliceImpu, aliceTel]);
    const ok = await alice.request(registerText(aliceImpu, `sip:alice@192.168.1.20:5060`));
    assert.equal(ok.status, 200);
    bench.core.answerOriginating = (r) => (r.method === 'MESSAGE' ? 200 : undefined);
  });
  after(async () => {
    await alice.close();
    await bench.close();
  });

  async function message(
    headers: string[],
    from = aliceImpu,
  ): Promise<{ response: SipResponse; atCore?: SipRequest }> {
    const callId = unique('msg');
    const response = await alice.request(
      requestText({
        method: 'MESSAGE',
        uri: 'sip:bob@ims.test',
        from,
        callId,
        headers,
        body: 'hi',
        contentType: 'text/plain',
      }),
    );
    const atCore = bench.core.requests.find((r) => r.callId === callId);
    return { response, ...(atCore ? { atCore } : {}) };
  }

  it('a spoofed P-Asserted-Identity is removed; the default identity is asserted', async () => {
    const { response, atCore } = await message([
      'P-Asserted-Identity: <sip:president@ims.test>',
      'P-Charging-Function-Addresses: ccf=evil.test',
    ]);
    assert.equal(response.status, 200);
    assert.deepEqual(atCore!.headers.values('P-Asserted-Identity'), [`<${aliceImpu}>`]);
    assert.equal(atCore!.headers.has('P-Charging-Function-Addresses'), false);
    assert.match(atCore!.headers.get('P-Charging-Vector') ?? '', /icid-value=.*orig-ioi=ims\.test/);
  });

  it('a P-Preferred-Identity in the registered set becomes the P-Asserted-Identity', async () => {
    const { atCore } = await message([`P-Preferred-Identity: <${aliceTel}>`]);
    assert.deepEqual(atCore!.headers.values('P-Asserted-Identity'), [`<${aliceTel}>`]);
    assert.equal(atCore!.headers.has('P-Preferred-Identity'), false);
  });

  it('a P-Preferred-Identity outside the set is replaced by the default identity (§5.2.6.3.1)', async () => {
    const { response, atCore } = await message(['P-Preferred-Identity: <sip:someone-else@ims.test>']);
    assert.equal(response.status, 200);
    assert.deepEqual(atCore!.headers.values('P-Asserted-Identity'), [`<${aliceImpu}>`]);
    assert.equal(atCore!.headers.has('P-Preferred-Identity'), false);
  });

  it('the Service-Route replaces the pre-loaded route set', async () => {
    const { atCore } = await message([
      `Route: <sip:127.0.0.1:${bench.port};lr>`,
      'Route: <sip:elsewhere.test;lr>',
    ]);
    assert.ok(atCore, 'the request went to the Service-Route, not to elsewhere.test');
    assert.equal(atCore.headers.has('Route'), false, 'the Service-Route entry (the core) was consumed');
    assert.equal(atCore.headers.get('Max-Forwards'), '69');
  });

  it('a terminating request reaches a UDP UE at its NAT-ed address, not its Contact', async () => {
    const callId = unique('term');
    const bob = await RawUe.start('udp', bench.port);
    after(() => bob.close());
    const invite = bench.core.send(
      (await import('../../../src/sip/message/index.ts')).parseMessage(
        Buffer.from(
          requestText({
            method: 'INVITE',
            uri: 'sip:alice@192.168.1.20:5060',
            from: 'sip:carol@ims.test',
            to: aliceImpu,
            callId,
            headers: [
              `Route: ${bench.core.bindings.get(`sip:${aliceImpu.slice(4)}`)!.path[0]}`,
              'Contact: <sip:carol@127.0.0.1>',
              'P-Charging-Vector: icid-value=abc;orig-ioi=ims.test',
              `P-Asserted-Identity: <sip:carol@ims.test>`,
            ],
            body: SDP,
          }).replace('Via: VIA', PLACEHOLDER_VIA),
        ),
      ) as SipRequest,
    );
    const atAlice = (await alice.inbox.next(isRequest('INVITE'))) as SipRequest;
    assert.equal(atAlice.callId, callId);
    assert.equal(atAlice.headers.has('P-Charging-Vector'), false, 'charging stays in the network');
    assert.equal(atAlice.headers.get('P-Asserted-Identity'), '<sip:carol@ims.test>');
    // The P-CSCF record-routes with Alice's flow token (UE-facing and core-facing URIs are the
    // same here: UDP on the port of the P-CSCF's own URI).
    const rr = atAlice.recordRoutes.map((r) => r.uriText);
    assert.equal(rr.length, 1);
    assert.match(rr[0]!, new RegExp(`^sip:[A-Za-z0-9_-]{20,}@127\\.0\\.0\\.1:${bench.port};lr$`));
    await alice.answer(atAlice, 486);
    const final = await invite;
    assert.equal(final.status, 486);
  });

  it('a terminating request reaches a TCP UE over its connection; CRLF keep-alives get a pong', async () => {
    const ue = await RawUe.start('tcp', bench.port);
    after(() => ue.close());
    const impu = `sip:${unique('tina')}@ims.test`;
    const ok = await ue.request(registerText(impu, 'sip:tina@10.1.1.1:5999;transport=tcp'));
    assert.equal(ok.status, 200);
    const reg = bench.pcscf.registeredUsers().find((r) => r.impu === impu)!;
    assert.equal(reg.flow.protocol, 'tcp');
    assert.ok(reg.flow.connectionId);
    const callId = unique('tcp');
    const pending = bench.core.messageTo(impu, callId, 'over tcp');
    const got = await ue.inbox.next(isRequest('MESSAGE'));
    const incoming = ue.incoming.find((i) => i.message === got)!;
    assert.equal(incoming.flow.protocol, 'tcp');
    // The very connection the UE opened (its only one).
    assert.equal(ue.transport.connections().length, 1);
    assert.equal(incoming.flow.connectionId, ue.transport.connections()[0]!.id);
    await ue.answer(got as SipRequest, 200);
    assert.equal((await pending).status, 200);

    // RFC 5626 §4.4.1: CRLFCRLF ping, CRLF pong, over a TCP connection to the P-CSCF.
    const socket = connect(bench.port, '127.0.0.1');
    after(() => socket.destroy());
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('\r\n\r\n');
    const pong = await new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    assert.equal(pong, '\r\n');
  });

  it('a request towards a closed TCP flow is answered 430 (Flow Failed)', async () => {
    const ue = await RawUe.start('tcp', bench.port);
    const impu = `sip:${unique('gone')}@ims.test`;
    await ue.request(registerText(impu, 'sip:gone@10.1.1.2:5999;transport=tcp'));
    await ue.close();
    const r = await bench.core.messageTo(impu, unique('gone'), 'x');
    // Whether the P-CSCF saw the close before (430 at once) or while sending (transport error).
    assert.equal(`${r.status} ${r.reason}`, '430 Flow Failed');
  });

  it('a UE request in a dialog must follow a route set through this P-CSCF to its S-CSCF (no relay past it)', async () => {
    // The Record-Route the P-CSCF put in one of alice's requests: what her dialog's route set starts with.
    const { atCore } = await message([]);
    const ours = atCore!.recordRoutes.map((r) => `<${r.uriText}>`).reverse();
    assert.ok(ours.length > 0);
    // Bob, whom a request relayed past the S-CSCF would reach.
    const bob = await RawUe.start('udp', bench.port);
    after(() => bob.close());
    const inDialog = (routes: string[]) =>
      alice.request(
        requestText({
          method: 'MESSAGE',
          uri: `sip:bob@127.0.0.1:${bob.port}`,
          from: aliceImpu,
          to: 'sip:bob@ims.test',
          toTag: 'made-up',
          headers: routes.map((r) => `Route: ${r}`),
          body: 'in a dialog?',
          contentType: 'text/plain',
        }),
      );
    const refused = '403 Not in a dialog through this P-CSCF';
    const answer = (r: SipResponse) => `${r.status} ${r.reason}`;
    // No Route: it would go straight to the Request-URI, past the S-CSCF.
    assert.equal(answer(await inDialog([])), refused);
    // Our Route values, then a host that is not the S-CSCF of her Service-Route.
    assert.equal(answer(await inDialog([...ours, '<sip:127.0.0.2:5099;lr>'])), refused);
    // A token that is not one of ours for her flow.
    assert.equal(
      answer(
        await inDialog([
          `<sip:AAAAAAAAAAAAAAAAAAAAAAAAAAAA@127.0.0.1:${bench.port};lr>`,
          bench.core.serviceRoute,
        ]),
      ),
      refused,
    );
    assert.deepEqual(bob.inbox.peek(isRequest('MESSAGE')), []);
    // The route set of a dialog: through us, then the S-CSCF (which relays it to bob).
    const followed = inDialog([...ours, `<sip:127.0.0.1:${bench.core.port};lr>`]);
    const atBob = (await bob.inbox.next(isRequest('MESSAGE'))) as SipRequest;
    assert.ok(atBob.vias.length >= 3, 'through the P-CSCF and the core');
    await bob.answer(atBob, 200);
    assert.equal((await followed).status, 200);
  });
});
