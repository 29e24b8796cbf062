/**
 * Initial requests other than REGISTER through the I-CSCF, TS 24.229 §5.3.2.1, against a real
 * HSS and fake S-CSCFs: LIR routing to the serving S-CSCF (sip and tel), 404 for unknown
 * users, 480 for users neither registered nor with unregistered services, selection for a
 * user with unregistered services, P-Profile-Key for a wildcarded PSI, "orig" (§5.3.2.1A).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServerAssignmentType } from '../../../src/diameter/apps/cx.ts';
import type { Icscf } from '../../../src/functions/icscf/index.ts';
import { IdentityType } from '../../../src/ims/identity.ts';
import { backends, HSS_HOST, type HssEnv, startEnv } from '../hss/helpers/hss-env.ts';
import { sar, subscriber, withUnregisteredService } from '../hss/helpers/hss-subscribers.ts';
import { type FakeScscf, fakeScscf, send, startTestIcscf } from './helpers/icscf-env.ts';

const MMTEL = 3;

describe('I-CSCF terminating requests (TS 24.229 §5.3.2.1)', () => {
  let env: HssEnv & { stop(): Promise<void> };
  let serving: FakeScscf;
  let mmtel: FakeScscf;
  let icscf: Icscf;

  before(async () => {
    env = await startEnv(backends()[0]!);
    serving = await fakeScscf((r) => (r.method === 'INVITE' ? 486 : 200));
    mmtel = await fakeScscf();
    icscf = await startTestIcscf(env.hss.port, [
      { uri: serving.uri, capabilities: [], weight: 1000 },
      { uri: mmtel.uri, capabilities: [MMTEL], weight: 1 },
    ]);
    await env.store.createSubscription(subscriber('bob', { tel: '+12015550900' }));
    await sar(env.cx, 'bob', ServerAssignmentType.REGISTRATION, { serverName: serving.uri });
  });
  after(async () => {
    await icscf?.stop();
    await serving?.close();
    await mmtel?.close();
    await env?.stop();
  });

  it('status(): healthy with the HSS connected', async () => {
    const status = await icscf.status();
    assert.equal(status.healthy, true);
    assert.equal(status.diameterPeers?.length, 1);
  });

  it('INVITE to a registered user: LIR, to its S-CSCF with the Request-URI unchanged; its answer comes back', async () => {
    const response = await send(icscf.port, {
      method: 'INVITE',
      uri: 'sip:bob@ims.test',
      from: 'sip:alice@ims.test',
      to: 'sip:bob@ims.test',
    });
    assert.equal(response.status, 486);
    const got = serving.got.at(-1)!;
    assert.equal(got.method, 'INVITE');
    assert.equal(got.uri.toString(), 'sip:bob@ims.test');
    assert.deepEqual(got.headers.values('Route'), [`<sip:127.0.0.1:${serving.port};lr>`]);
    assert.equal(got.headers.has('Record-Route'), false, 'the I-CSCF does not stay on the path');
  });

  it('a tel URI is looked up as it is, a user=phone SIP URI as its tel URI', async () => {
    const before = serving.got.length;
    const response = await send(icscf.port, {
      method: 'MESSAGE',
      uri: 'tel:+12015550900',
      from: 'sip:alice@ims.test',
      to: 'tel:+12015550900',
    });
    assert.equal(response.status, 200);
    assert.equal(serving.got.length, before + 1);
    assert.equal(serving.got.at(-1)!.uri.toString(), 'tel:+12015550900');
    // TS 23.228 §5.15: the number of a user=phone SIP URI is looked up as its tel URI.
    const userPhone = await send(icscf.port, {
      method: 'MESSAGE',
      uri: 'sip:+1-201-555-0900@ims.test;user=phone',
      to: 'sip:+1-201-555-0900@ims.test;user=phone',
    });
    assert.equal(userPhone.status, 200);
    assert.equal(serving.got.length, before + 2);
    assert.equal(serving.got.at(-1)!.uri.toString(), 'sip:+1-201-555-0900@ims.test;user=phone');
  });

  it('a number the HSS does not know: to the BGCF when one is configured (TS 23.228 §5.15), else 404', async () => {
    const bgcf = await fakeScscf();
    // A second I-CSCF: its own Diameter identity (the HSS keeps one connection per peer).
    const transit = await startTestIcscf(env.hss.port, [{ uri: serving.uri, capabilities: [], weight: 1 }], {
      bgcf: bgcf.uri,
      diameter: {
        originHost: 'icscf2.ims.test',
        peers: [{ host: HSS_HOST, address: '127.0.0.1', port: env.hss.port }],
        requestTimeoutMs: 1000,
      },
    });
    try {
      const pstn = await send(transit.port, {
        method: 'INVITE',
        uri: 'tel:+4930123456',
        from: 'sip:alice@ims.test',
        to: 'tel:+4930123456',
      });
      assert.equal(pstn.status, 200);
      const got = bgcf.got.at(-1)!;
      assert.equal(got.uri.toString(), 'tel:+4930123456');
      assert.deepEqual(got.headers.values('Route'), [`<sip:127.0.0.1:${bgcf.port};lr>`]);
      const userPhone = await send(transit.port, {
        method: 'INVITE',
        uri: 'sip:+4930123457@ims.test;user=phone',
        to: 'sip:+4930123457@ims.test;user=phone',
      });
      assert.equal(userPhone.status, 200);
      assert.equal(bgcf.got.length, 2);
      // A SIP user the HSS does not know is nobody's, wherever numbers go.
      const nobody = await send(transit.port, {
        method: 'INVITE',
        uri: 'sip:nobody@ims.test',
        to: 'sip:nobody@ims.test',
      });
      assert.equal(nobody.status, 404);
      // Our own number still goes to its S-CSCF.
      const ours = await send(transit.port, {
        method: 'MESSAGE',
        uri: 'tel:+12015550900',
        to: 'tel:+12015550900',
      });
      assert.equal(ours.status, 200);
      assert.equal(bgcf.got.length, 2);
    } finally {
      await transit.stop();
      await bgcf.close();
    }
    const noBgcf = await send(icscf.port, {
      method: 'INVITE',
      uri: 'tel:+4930123456',
      to: 'tel:+4930123456',
    });
    assert.equal(noBgcf.status, 404);
  });

  it('unknown user: 404; known but not registered and without unregistered services: 480', async () => {
    const unknown = await send(icscf.port, {
      method: 'MESSAGE',
      uri: 'sip:nobody@ims.test',
      to: 'sip:nobody@ims.test',
    });
    assert.equal(unknown.status, 404);
    await env.store.createSubscription(subscriber('carol'));
    const offline = await send(icscf.port, {
      method: 'INVITE',
      uri: 'sip:carol@ims.test',
      to: 'sip:carol@ims.test',
    });
    assert.equal(offline.status, 480);
    const foreign = await send(icscf.port, {
      method: 'MESSAGE',
      uri: 'sip:x@other.test',
      to: 'sip:x@other.test',
    });
    assert.equal(foreign.status, 404);
  });

  it('unregistered user with services: DIAMETER_UNREGISTERED_SERVICE, an S-CSCF selected by capabilities', async () => {
    await env.store.createSubscription({
      ...withUnregisteredService('dave'),
      serverCapabilities: { mandatoryCapabilities: [MMTEL], optionalCapabilities: [], serverNames: [] },
    });
    const before = mmtel.got.length;
    const response = await send(icscf.port, {
      method: 'MESSAGE',
      uri: 'sip:dave@ims.test',
      to: 'sip:dave@ims.test',
    });
    assert.equal(response.status, 200);
    assert.equal(mmtel.got.length, before + 1);
  });

  it('a wildcarded PSI: forwarded with P-Profile-Key naming the wildcard (RFC 5002)', async () => {
    await env.store.createSubscription({
      privateIdentities: [],
      publicIdentities: [
        {
          impu: 'sip:chat-!.*!@ims.test',
          identityType: IdentityType.WILDCARDED_PSI,
          serviceProfileId: 'psi',
        },
      ],
      serviceProfiles: [{ id: 'psi', initialFilterCriteria: [] }],
    });
    const response = await send(icscf.port, {
      method: 'MESSAGE',
      uri: 'sip:chat-room7@ims.test',
      to: 'sip:chat-room7@ims.test',
    });
    assert.equal(response.status, 200);
    const got = [...serving.got, ...mmtel.got].find((r) => r.uri.toString() === 'sip:chat-room7@ims.test');
    assert.ok(got);
    assert.equal(got.headers.get('P-Profile-Key'), '<sip:chat-!.*!@ims.test>');
  });

  it('"orig" in the Route naming the I-CSCF: LIR for the served user, the S-CSCF reached with "orig"', async () => {
    const before = serving.got.length;
    const response = await send(icscf.port, {
      method: 'MESSAGE',
      uri: 'sip:someone@elsewhere.test',
      from: 'sip:bob@ims.test',
      to: 'sip:someone@elsewhere.test',
      headers: [`Route: <sip:127.0.0.1:${icscf.port};lr;orig>`, 'P-Asserted-Identity: <sip:bob@ims.test>'],
    });
    assert.equal(response.status, 200);
    assert.equal(serving.got.length, before + 1);
    const got = serving.got.at(-1)!;
    assert.equal(got.uri.toString(), 'sip:someone@elsewhere.test');
    assert.deepEqual(got.headers.values('Route'), [`<sip:127.0.0.1:${serving.port};lr;orig>`]);
  });

  it('OPTIONS to the I-CSCF itself: 200 with Allow; a request inside a dialog: relayed by its Route', async () => {
    const options = await send(icscf.port, {
      method: 'OPTIONS',
      uri: `sip:127.0.0.1:${icscf.port}`,
      to: `sip:127.0.0.1:${icscf.port}`,
    });
    assert.equal(options.status, 200);
    assert.match(options.headers.get('Allow') ?? '', /REGISTER/);
    const before = mmtel.got.length;
    const inDialog = await send(icscf.port, {
      method: 'MESSAGE',
      uri: 'sip:ue@127.0.0.1:9',
      to: 'sip:bob@ims.test',
      toTag: 'abc',
      headers: [`Route: <sip:127.0.0.1:${icscf.port};lr>, <sip:127.0.0.1:${mmtel.port};lr>`],
    });
    assert.equal(inDialog.status, 200);
    assert.equal(mmtel.got.length, before + 1);
  });

  it('OPTIONS whose Max-Forwards reached 0 is answered with Allow (RFC 3261 §16.3 step 3, §11.2); others get 483', async () => {
    const options = await send(icscf.port, {
      method: 'OPTIONS',
      uri: 'sip:bob@ims.test',
      to: 'sip:bob@ims.test',
      maxForwards: 0,
    });
    assert.equal(options.status, 200);
    assert.match(options.headers.get('Allow') ?? '', /INVITE/);
    const message = await send(icscf.port, {
      method: 'MESSAGE',
      uri: 'sip:bob@ims.test',
      to: 'sip:bob@ims.test',
      maxForwards: 0,
    });
    assert.equal(message.status, 483);
  });

  it('OPTIONS to the I-CSCF itself as its UAS: 420 for an unknown Require, 400 for a malformed From', async () => {
    const self = `sip:127.0.0.1:${icscf.port}`;
    const unknown = await send(icscf.port, {
      method: 'OPTIONS',
      uri: self,
      to: self,
      headers: ['Require: foobar'],
    });
    assert.equal(unknown.status, 420);
    assert.equal(unknown.headers.get('Unsupported'), 'foobar');
    // RFC 3261 §8.2: validated before it is answered (the From URI `<<` does not parse).
    const malformed = await send(icscf.port, { method: 'OPTIONS', uri: self, to: self, from: '<<' });
    assert.equal(malformed.status, 400);
    assert.match(malformed.reason, /URI|From/);
  });
});
