/**
 * REGISTER through the I-CSCF, TS 24.229 §5.3.1, against a real HSS over Diameter and fake
 * S-CSCFs over UDP: UAR, S-CSCF selection by capabilities, the assigned S-CSCF for a
 * subsequent registration, 403 for an unknown user, and re-selection when the S-CSCF is silent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServerAssignmentType, UserAuthorizationType } from '../../../src/diameter/apps/cx.ts';
import type { Icscf } from '../../../src/functions/icscf/index.ts';
import { backends, type HssEnv, startEnv } from '../hss/helpers/hss-env.ts';
import { sar, subscriber } from '../hss/helpers/hss-subscribers.ts';
import { type FakeScscf, fakeScscf, register, send, spyUars, startTestIcscf } from './helpers/icscf-env.ts';

/** Server-Capabilities ids of the test network. */
const VIDEO = 7;
const PRESENCE = 9;

describe('I-CSCF REGISTER (TS 24.229 §5.3.1)', () => {
  let env: HssEnv & { stop(): Promise<void> };
  let plain: FakeScscf;
  let video: FakeScscf;
  let icscf: Icscf;
  let uarTypes: number[];

  before(async () => {
    env = await startEnv(backends()[0]!);
    plain = await fakeScscf();
    video = await fakeScscf();
    // The plain S-CSCF weighs much more: only the capabilities can make the video one win.
    icscf = await startTestIcscf(env.hss.port, [
      { uri: plain.uri, capabilities: [PRESENCE], weight: 1000 },
      { uri: video.uri, capabilities: [VIDEO, PRESENCE], weight: 1 },
    ]);
    uarTypes = spyUars(icscf);
  });
  after(async () => {
    await icscf?.stop();
    await plain?.close();
    await video?.close();
    await env?.stop();
  });

  it('first registration: UAR, DIAMETER_FIRST_REGISTRATION with capabilities, the S-CSCF offering them', async () => {
    await env.store.createSubscription({
      ...subscriber('reg-video'),
      serverCapabilities: { mandatoryCapabilities: [VIDEO], optionalCapabilities: [], serverNames: [] },
    });
    uarTypes.length = 0;
    const response = await register(icscf.port, 'reg-video');
    assert.equal(response.status, 401);
    assert.deepEqual(uarTypes, [UserAuthorizationType.REGISTRATION]);
    const got = video.got.at(-1);
    assert.ok(got, 'the video S-CSCF got the REGISTER');
    assert.equal(got.uri.toString(), 'sip:ims.test', 'Request-URI unchanged');
    assert.equal(got.to.uri.toString(), 'sip:reg-video@ims.test');
    // The Route to the S-CSCF was consumed by it: it named the S-CSCF and nothing follows.
    assert.equal(got.headers.values('Route').length, 1);
    assert.match(got.headers.values('Route')[0]!, new RegExp(`<sip:127.0.0.1:${video.port};lr>`));
    assert.equal(got.headers.has('Record-Route'), false, 'no Record-Route on REGISTER');
    assert.equal(got.vias.length, 2, 'the I-CSCF Via over the UE one');
    assert.equal(plain.got.filter((r) => r.to.uri.toString() === 'sip:reg-video@ims.test').length, 0);
  });

  it('subsequent registration: DIAMETER_SUBSEQUENT_REGISTRATION names the S-CSCF already assigned', async () => {
    await env.store.createSubscription(subscriber('reg-sub'));
    // The HSS knows plain as the user's S-CSCF (its SAR after an earlier registration).
    await sar(env.cx, 'reg-sub', ServerAssignmentType.REGISTRATION, { serverName: plain.uri });
    // Even the video S-CSCF (weight 1) would do; the HSS's choice wins every time.
    for (let i = 0; i < 3; i++) {
      const before = plain.got.length;
      assert.equal((await register(icscf.port, 'reg-sub')).status, 401);
      assert.equal(plain.got.length, before + 1);
    }
  });

  it('a REGISTER without Authorization: the IMPI comes from the To URI', async () => {
    await env.store.createSubscription(subscriber('reg-noauth'));
    const response = await send(icscf.port, {
      uri: 'sip:ims.test',
      to: 'sip:reg-noauth@ims.test;transport=udp',
      headers: ['Expires: 600'],
    });
    assert.equal(response.status, 401);
  });

  it('unknown user or IMPI of another user: 403, nothing forwarded', async () => {
    const before = plain.got.length + video.got.length;
    assert.equal((await register(icscf.port, 'nobody')).status, 403);
    await env.store.createSubscription(subscriber('reg-other'));
    const mismatch = await send(icscf.port, {
      uri: 'sip:ims.test',
      to: 'sip:reg-other@ims.test',
      headers: [
        'Authorization: Digest username="reg-video@ims.test", realm="ims.test", nonce="", uri="sip:ims.test", response=""',
      ],
    });
    assert.equal(mismatch.status, 403);
    assert.equal(plain.got.length + video.got.length, before);
  });

  it('de-registration (Expires: 0) of an unregistered identity: UAR DE_REGISTRATION, 403', async () => {
    await env.store.createSubscription(subscriber('reg-dereg'));
    uarTypes.length = 0;
    const response = await send(icscf.port, {
      uri: 'sip:ims.test',
      to: 'sip:reg-dereg@ims.test',
      headers: ['Expires: 0'],
    });
    assert.equal(response.status, 403);
    assert.deepEqual(uarTypes, [UserAuthorizationType.DE_REGISTRATION]);
  });

  it('a REGISTER for a domain not served: 403 without a UAR', async () => {
    uarTypes.length = 0;
    const response = await send(icscf.port, { uri: 'sip:other.test', to: 'sip:x@other.test' });
    assert.equal(response.status, 403);
    assert.deepEqual(uarTypes, []);
  });
});

describe('I-CSCF S-CSCF failover (TS 24.229 §5.3.1.3)', () => {
  let env: HssEnv & { stop(): Promise<void> };
  let dead: FakeScscf;
  let alive: FakeScscf;
  let other: FakeScscf;
  let icscf: Icscf;
  let uarTypes: number[];

  before(async () => {
    env = await startEnv(backends()[0]!);
    dead = await fakeScscf(() => undefined);
    alive = await fakeScscf();
    other = await fakeScscf();
    icscf = await startTestIcscf(env.hss.port, [
      { uri: dead.uri, capabilities: [VIDEO] },
      { uri: alive.uri, capabilities: [VIDEO] },
      // Heavy but without the capability: a UAR without capabilities would land here.
      { uri: other.uri, capabilities: [], weight: 1000 },
    ]);
    uarTypes = spyUars(icscf);
  });
  after(async () => {
    await icscf?.stop();
    await dead?.close();
    await alive?.close();
    await other?.close();
    await env?.stop();
  });

  it('the assigned S-CSCF is silent: UAR REGISTRATION_AND_CAPABILITIES, an S-CSCF with the capabilities gets it', async () => {
    await env.store.createSubscription({
      ...subscriber('fo-a'),
      serverCapabilities: { mandatoryCapabilities: [VIDEO], optionalCapabilities: [], serverNames: [] },
    });
    await sar(env.cx, 'fo-a', ServerAssignmentType.REGISTRATION, { serverName: dead.uri });
    uarTypes.length = 0;
    const started = Date.now();
    const response = await register(icscf.port, 'fo-a');
    assert.equal(response.status, 401);
    assert.ok(Date.now() - started < 3000, 'the S-CSCF timeout, not Timer F');
    assert.equal(dead.got.length, 1);
    assert.equal(alive.got.length, 1);
    assert.equal(other.got.length, 0);
    assert.deepEqual(uarTypes, [
      UserAuthorizationType.REGISTRATION,
      UserAuthorizationType.REGISTRATION_AND_CAPABILITIES,
    ]);
  });

  it('new registrations land on the live S-CSCF; the dead one, once failed, is not tried first', async () => {
    for (const name of ['fo-b', 'fo-c', 'fo-d']) {
      await env.store.createSubscription({
        ...subscriber(name),
        serverCapabilities: { mandatoryCapabilities: [VIDEO], optionalCapabilities: [], serverNames: [] },
      });
      assert.equal((await register(icscf.port, name)).status, 401, name);
    }
    assert.equal(dead.got.length, 1, 'only the first REGISTER of the previous test went there');
    assert.equal(alive.got.length, 4);
  });

  it('every S-CSCF able to serve the user fails: the failure goes upstream, each tried once', async () => {
    await alive.close();
    await env.store.createSubscription({
      ...subscriber('fo-e'),
      serverCapabilities: { mandatoryCapabilities: [VIDEO], optionalCapabilities: [], serverNames: [] },
    });
    const before = dead.got.length;
    const response = await register(icscf.port, 'fo-e');
    assert.ok(response.status === 408 || response.status === 500, `got ${response.status}`);
    assert.equal(dead.got.length, before + 1);
    assert.equal(other.got.length, 0);
  });
});
