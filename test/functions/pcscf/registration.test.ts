import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FlowTokenCodec } from '../../../src/functions/pcscf/index.ts';
import { type SipRequest, SipUri } from '../../../src/sip/message/index.ts';
import { isRequest, RawUe, registerText, requestText, startBench, unique } from './harness.ts';

describe('P-CSCF registration (TS 24.229 §5.2.2, RFC 3327, RFC 5626)', () => {
  let bench: Awaited<ReturnType<typeof startBench>>;
  let ue: RawUe;

  before(async () => {
    bench = await startBench();
    ue = await RawUe.start('udp', bench.port);
  });
  after(async () => {
    await ue.close();
    await bench.close();
  });

  it('REGISTER gets a Path with a flow token, Supported: path and a charging vector; untrusted headers go', async () => {
    const impu = `sip:${unique('alice')}@ims.test`;
    const ok = await ue.request(
      registerText(impu, `sip:alice@10.0.0.7:5060`, {
        headers: ['P-Asserted-Identity: <sip:boss@ims.test>', 'P-Charging-Vector: icid-value=forged'],
      }),
    );
    assert.equal(ok.status, 200);
    const register = bench.core.requests.find((r) => r.method === 'REGISTER' && r.to.uriText === impu)!;
    const path = register.headers.values('Path');
    assert.equal(path.length, 1);
    const pathUri = SipUri.parse(path[0]!.slice(1, -1));
    assert.equal(pathUri.host, '127.0.0.1');
    assert.equal(pathUri.port, bench.port);
    assert.ok(pathUri.hasParam('lr'));
    assert.ok(pathUri.user && pathUri.user.length > 20, 'a flow token in the user part');
    assert.match(register.headers.get('Supported') ?? '', /\bpath\b/);
    assert.equal(register.headers.has('P-Asserted-Identity'), false);
    const pcv = register.headers.get('P-Charging-Vector') ?? '';
    assert.match(pcv, /icid-value=[0-9a-f]{32}/);
    assert.match(pcv, /orig-ioi=ims\.test/);
    assert.doesNotMatch(pcv, /forged/);
    // A token minted with another key names nothing: the P-CSCF's are HMAC-signed.
    assert.equal(new FlowTokenCodec().decode(pathUri.user), undefined);
  });

  it('the same contact registered from a new port is served over the new flow only (RFC 3261 §10.3)', async () => {
    const impu = `sip:${unique('dave')}@ims.test`;
    const moved = await RawUe.start('udp', bench.port);
    try {
      assert.equal((await ue.request(registerText(impu, 'sip:dave@10.0.0.9:5072'))).status, 200);
      assert.equal((await moved.request(registerText(impu, 'sip:dave@10.0.0.9:5072'))).status, 200);
      const regs = bench.pcscf.registeredUsers().filter((r) => r.impu === impu);
      assert.deepEqual(
        regs.map((r) => r.flow.remote.port),
        [moved.port],
      );
    } finally {
      await moved.close();
    }
  });

  it('an AKA challenge reaches the UE without the ck and ik parameters (TS 24.229 §5.2.2.1)', async () => {
    bench.core.challenge =
      'Digest realm="ims.test", nonce="bm9uY2U=", algorithm=AKAv1-MD5, qop="auth", ' +
      'ik="f3f851d44ed34b3adfdfd84cd47f74bf", ck="477073482a6f50a4826578ffb83726e9"';
    try {
      const impu = `sip:${unique('aka')}@ims.test`;
      const challenged = await ue.request(registerText(impu, 'sip:aka@10.0.0.7:5060'));
      assert.equal(challenged.status, 401);
      const value = challenged.headers.get('WWW-Authenticate') ?? '';
      assert.match(value, /nonce="bm9uY2U="/);
      assert.match(value, /algorithm=AKAv1-MD5/);
      assert.doesNotMatch(value, /\b(ck|ik)=/);
    } finally {
      bench.core.challenge = undefined;
    }
  });

  it('keeps the registration from the 200 OK: P-Associated-URI, Service-Route, contact, flow', async () => {
    const impu = `sip:${unique('bob')}@ims.test`;
    const tel = 'tel:+15550001';
    bench.core.associated.set(impu, [impu, tel]);
    const ok = await ue.request(registerText(impu, 'sip:bob@10.0.0.8:5060', { expires: 300 }));
    assert.equal(ok.status, 200);
    // The 200 reaches the UE with what the registrar said (no charging headers).
    assert.equal(ok.headers.values('P-Associated-URI').length, 2);
    assert.equal(ok.headers.has('P-Charging-Vector'), false);
    const reg = bench.pcscf.registeredUsers().find((r) => r.impu === impu)!;
    assert.ok(reg);
    assert.deepEqual(reg.associatedUris, [impu, tel]);
    assert.deepEqual(reg.serviceRoute, [bench.core.serviceRoute]);
    assert.equal(reg.contacts[0]!.uri, 'sip:bob@10.0.0.8:5060');
    assert.ok(reg.expiresAt > Date.now() + 290_000 && reg.expiresAt <= Date.now() + 300_000);
    assert.equal(reg.flow.protocol, 'udp');
    assert.equal(reg.flow.remote.port, ue.port);
  });

  it('subscribes to the reg event of the default identity through the Service-Route (§5.2.3)', async () => {
    const impu = `sip:${unique('carol')}@ims.test`;
    await ue.request(registerText(impu, 'sip:carol@10.0.0.9:5060', { expires: 600 }));
    const sub = (await bench.core.received.next(
      (r) => r.method === 'SUBSCRIBE' && r.uri.toString() === impu,
    )) as SipRequest;
    assert.equal(sub.headers.get('Event'), 'reg');
    assert.equal(sub.to.uriText, impu);
    assert.equal(sub.from.uriText, `sip:127.0.0.1:${bench.port}`);
    assert.equal(sub.headers.get('P-Asserted-Identity'), `<sip:127.0.0.1:${bench.port}>`);
    assert.ok(Number(sub.headers.get('Expires')) > 600);
    assert.equal(sub.headers.get('Accept'), 'application/reginfo+xml');
  });

  it('a terminated registration in a reg-event NOTIFY drops the state: the next request gets 403', async () => {
    const impu = `sip:${unique('dave')}@ims.test`;
    // A UE of its own: the state is per flow, and other users are registered over `ue`'s.
    const ue = await RawUe.start('udp', bench.port);
    after(() => ue.close());
    await ue.request(registerText(impu, 'sip:dave@10.0.0.10:5060'));
    await bench.core.received.next((r) => r.method === 'SUBSCRIBE' && r.uri.toString() === impu);
    bench.core.answerOriginating = () => 200;
    const before = await ue.request(
      requestText({
        method: 'MESSAGE',
        uri: 'sip:x@ims.test',
        from: impu,
        body: 'hi',
        contentType: 'text/plain',
      }),
    );
    assert.equal(before.status, 200);
    const answer = await bench.core.notify(
      impu,
      {
        version: 1,
        state: 'full',
        registrations: [
          {
            aor: impu,
            id: 'r1',
            state: 'terminated',
            contacts: [
              { id: 'c1', state: 'terminated', event: 'deactivated', uri: 'sip:dave@10.0.0.10:5060' },
            ],
          },
        ],
      },
      'terminated;reason=deactivated',
    );
    assert.equal(answer.status, 200);
    assert.equal(
      bench.pcscf.registeredUsers().some((r) => r.impu === impu),
      false,
    );
    const afterwards = await ue.request(
      requestText({
        method: 'MESSAGE',
        uri: 'sip:x@ims.test',
        from: impu,
        body: 'hi',
        contentType: 'text/plain',
      }),
    );
    assert.equal(afterwards.status, 403);
  });

  it('a NOTIFY for a terminated contact of the UE removes it', async () => {
    const impu = `sip:${unique('erin')}@ims.test`;
    await ue.request(registerText(impu, 'sip:erin@10.0.0.11:5060'));
    await bench.core.received.next((r) => r.method === 'SUBSCRIBE' && r.uri.toString() === impu);
    const answer = await bench.core.notify(impu, {
      version: 0,
      state: 'partial',
      registrations: [
        {
          aor: impu,
          id: 'r1',
          state: 'active',
          contacts: [{ id: 'c1', state: 'terminated', event: 'expired', uri: 'sip:erin@10.0.0.11:5060' }],
        },
      ],
    });
    assert.equal(answer.status, 200);
    assert.equal(
      bench.pcscf.registeredUsers().some((r) => r.impu === impu),
      false,
    );
  });

  it('de-registration (Expires: 0 answered 200) drops the state', async () => {
    const impu = `sip:${unique('frank')}@ims.test`;
    await ue.request(registerText(impu, 'sip:frank@10.0.0.12:5060'));
    assert.ok(bench.pcscf.registeredUsers().some((r) => r.impu === impu));
    const ok = await ue.request(registerText(impu, 'sip:frank@10.0.0.12:5060', { expires: 0, cseq: 2 }));
    assert.equal(ok.status, 200);
    assert.equal(
      bench.pcscf.registeredUsers().some((r) => r.impu === impu),
      false,
    );
  });

  it('an OPTIONS addressed to the P-CSCF itself is answered 200 even from an unregistered source', async () => {
    const other = await RawUe.start('udp', bench.port);
    try {
      const r = await other.request(
        requestText({ method: 'OPTIONS', uri: `sip:127.0.0.1:${bench.port}`, from: 'sip:phone@ims.test' }),
      );
      assert.equal(r.status, 200);
      assert.match(r.headers.get('Allow') ?? '', /\bINVITE\b/);
      // An OPTIONS for a user is a request like any other: refused from an unregistered source.
      const forUser = await other.request(
        requestText({ method: 'OPTIONS', uri: 'sip:bob@ims.test', from: 'sip:phone@ims.test' }),
      );
      assert.equal(forUser.status, 403);
      assert.equal(bench.core.requests.filter(isRequest('OPTIONS')).length, 0);
      // As the UAS of its own OPTIONS (RFC 3261 §8.2): 420 for an unknown Require, 400 when malformed.
      const unknown = await other.request(
        requestText({
          method: 'OPTIONS',
          uri: `sip:127.0.0.1:${bench.port}`,
          from: 'sip:phone@ims.test',
          headers: ['Require: sec-agree, foobar'],
        }),
      );
      assert.equal(unknown.status, 420);
      assert.equal(unknown.headers.get('Unsupported'), 'foobar');
      const malformed = await other.request(
        requestText({ method: 'OPTIONS', uri: `sip:127.0.0.1:${bench.port}`, from: '<<' }),
      );
      assert.equal(malformed.status, 400);
    } finally {
      await other.close();
    }
  });

  it('a request from an unregistered source is refused with 403', async () => {
    const other = await RawUe.start('udp', bench.port);
    try {
      const r = await other.request(
        requestText({
          method: 'INVITE',
          uri: 'sip:bob@ims.test',
          from: 'sip:mallory@ims.test',
          body: 'v=0\r\n',
        }),
      );
      assert.equal(r.status, 403);
      assert.equal(r.reason, 'Not registered');
      assert.equal(bench.core.requests.filter(isRequest('INVITE')).length, 0);
    } finally {
      await other.close();
    }
  });
});
