/**
 * The reg event package at the S-CSCF (RFC 3680, RFC 6665, TS 24.229 §5.4.2.1) and the
 * network-initiated ends it reports (§5.4.1.5): SUBSCRIBE from the UE and from the P-CSCF,
 * NOTIFY content (full then partial state, versions), RTR and PPR from a real HSS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseReginfo, type Reginfo } from '../../../src/ims/reginfo.ts';
import { SipRequest, type SipResponse } from '../../../src/sip/message/index.ts';
import { digestUser, type ScscfEnv, startScscfEnv } from './helpers/scscf-env.ts';
import { TestUe } from './helpers/test-ue.ts';

const PATH = '<sip:term@pcscf.ims.test:5060;lr>';

describe('S-CSCF reg event package (real HSS over Diameter)', () => {
  let env: ScscfEnv;
  const ues: TestUe[] = [];

  before(async () => {
    env = await startScscfEnv({ minExpires: 1, subscriptionMinExpires: 1 });
  });
  after(async () => {
    for (const u of ues) await u.close();
    await env.stop();
  });

  async function registered(name: string, options: { expires?: number; contactUser?: string } = {}) {
    const id = await env.provision(digestUser(name, { tel: undefined }));
    const u = await TestUe.start(env.port);
    ues.push(u);
    const opts = {
      impu: `sip:${name}@ims.test`,
      impi: `${name}@ims.test`,
      secret: { password: `pw-${name}` },
      headers: [['Path', PATH]] as [string, string][],
      ...options,
    };
    const r = await u.register(opts);
    assert.equal(r.response.status, 200);
    return { u, id, opts };
  }

  /** SUBSCRIBE to `impu`'s reg event; returns the 200 and a function for in-dialog SUBSCRIBEs. */
  async function subscribe(
    u: TestUe,
    impu: string,
    options: { pai?: string; expires?: number; recordRoute?: string[] } = {},
  ) {
    const headers: [string, string][] = [
      ...(options.recordRoute ?? []).map((rr): [string, string] => ['Record-Route', rr]),
      ['Event', 'reg'],
      ['Accept', 'application/reginfo+xml'],
      ['Expires', String(options.expires ?? 600)],
    ];
    if (options.pai) headers.push(['P-Asserted-Identity', `<${options.pai}>`]);
    const request = u.build('SUBSCRIBE', impu, {
      from: options.pai ?? impu,
      to: impu,
      contact: `<${u.contactUri()}>`,
      headers,
    });
    const response = await u.send(request);
    let cseq = request.cseq.seq;
    const inDialog = (expires: number) => {
      const r = new SipRequest('SUBSCRIBE', impu, request.headers.clone());
      r.headers.set('To', response.headers.get('To')!);
      r.headers.set('CSeq', `${++cseq} SUBSCRIBE`);
      r.headers.set('Expires', String(expires));
      return u.send(r);
    };
    return { response, inDialog };
  }

  const notifyOf = async (u: TestUe): Promise<{ request: SipRequest; info: Reginfo }> => {
    const request = await u.next((r) => r.method === 'NOTIFY');
    assert.equal(request.headers.get('Event'), 'reg');
    assert.equal(request.headers.get('Content-Type'), 'application/reginfo+xml');
    return { request, info: parseReginfo(request.body.toString('utf8')) };
  };

  it('the UE subscribes: 200 with Expires and Contact, full state version 0, then partial state version+1 on each change', async () => {
    const { u, opts } = await registered('nina', { expires: 300 });
    const { response, inDialog } = await subscribe(u, 'sip:nina@ims.test');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('Expires'), '600');
    assert.ok(response.contacts.length === 1);
    assert.ok(response.to.tag);
    const full = await notifyOf(u);
    assert.match(full.request.headers.get('Subscription-State')!, /^active;expires=(600|599)$/);
    assert.equal(full.request.to.tag, response.headers.get('From')!.split('tag=')[1]);
    assert.equal(full.info.version, 0);
    assert.equal(full.info.state, 'full');
    assert.equal(full.info.registrations.length, 1);
    const reg = full.info.registrations[0]!;
    assert.equal(reg.aor, 'sip:nina@ims.test');
    assert.equal(reg.state, 'active');
    assert.equal(reg.contacts.length, 1);
    assert.equal(reg.contacts[0]!.uri, u.contactUri());
    assert.equal(reg.contacts[0]!.state, 'active');
    assert.equal(reg.contacts[0]!.event, 'registered');
    assert.ok(reg.contacts[0]!.expires! > 290);

    // A second contact: partial state, version 1, event registered.
    assert.equal((await u.register({ ...opts, contactUser: 'second' })).response.status, 200);
    const added = await notifyOf(u);
    assert.equal(added.info.version, 1);
    assert.equal(added.info.state, 'partial');
    assert.deepEqual(
      added.info.registrations[0]!.contacts.map((c) => [c.uri, c.state, c.event]),
      [[u.contactUri('second'), 'active', 'registered']],
    );
    // A refresh of it: refreshed, version 2.
    assert.equal((await u.register({ ...opts, contactUser: 'second' })).response.status, 200);
    const refreshed = await notifyOf(u);
    assert.equal(refreshed.info.version, 2);
    assert.equal(refreshed.info.registrations[0]!.contacts[0]!.event, 'refreshed');
    // The UE removes it: terminated/unregistered, the registration stays active.
    assert.equal((await u.register({ ...opts, contactUser: 'second', expires: 0 })).response.status, 200);
    const removed = await notifyOf(u);
    assert.equal(removed.info.version, 3);
    assert.equal(removed.info.registrations[0]!.state, 'active');
    assert.deepEqual(
      removed.info.registrations[0]!.contacts.map((c) => [c.state, c.event]),
      [['terminated', 'unregistered']],
    );
    // Refresh of the subscription: full state again; then unsubscribe: terminated.
    assert.equal((await inDialog(300)).status, 200);
    const again = await notifyOf(u);
    assert.equal(again.info.version, 4);
    assert.equal(again.info.state, 'full');
    const bye: SipResponse = await inDialog(0);
    assert.equal(bye.status, 200);
    const last = await notifyOf(u);
    assert.match(last.request.headers.get('Subscription-State')!, /^terminated/);
    assert.equal(env.scscf.notifier.subscriptionsOf('sip:nina@ims.test').length, 0);
    // The dialog is gone: a refresh now gets 481.
    assert.equal((await inDialog(300)).status, 481);
  });

  it('a SUBSCRIBE through record-routing proxies: the 200 copies Record-Route, the NOTIFY follows it (RFC 3261 §12.1.1)', async () => {
    const { u } = await registered('rhea');
    const proxies = [`<sip:127.0.0.1:${u.port};lr>`, '<sip:pcscf.ims.test:5060;lr>'];
    const { response } = await subscribe(u, 'sip:rhea@ims.test', { recordRoute: proxies });
    assert.equal(response.status, 200);
    assert.deepEqual(response.headers.values('Record-Route'), proxies);
    // As the UAS, the S-CSCF's route set is the Record-Route in order: the first proxy is next.
    const notify = await notifyOf(u);
    assert.deepEqual(notify.request.headers.values('Route'), proxies);
  });

  it('the P-CSCF on the registration path may subscribe; a stranger may not', async () => {
    const { u } = await registered('pat');
    const pcscf = await subscribe(u, 'sip:pat@ims.test', { pai: 'sip:pcscf.ims.test:5060' });
    assert.equal(pcscf.response.status, 200);
    assert.equal((await notifyOf(u)).info.version, 0);
    const stranger = await subscribe(u, 'sip:pat@ims.test', { pai: 'sip:mallory@ims.test' });
    assert.equal(stranger.response.status, 403);
    const wrongType = await (async () => {
      const r = u.build('SUBSCRIBE', 'sip:pat@ims.test', {
        from: 'sip:pat@ims.test',
        to: 'sip:pat@ims.test',
        contact: `<${u.contactUri()}>`,
        headers: [
          ['Event', 'reg'],
          ['Accept', 'application/pidf+xml'],
        ],
      });
      return u.send(r);
    })();
    assert.equal(wrongType.status, 406);
  });

  it('RTR from the HSS (administrative de-registration): NOTIFY rejected/terminated, subscription ended, record gone', async () => {
    const { u } = await registered('rosa');
    assert.equal((await subscribe(u, 'sip:rosa@ims.test')).response.status, 200);
    await notifyOf(u);
    const outcome = await env.hss.actions.deregister('sip:rosa@ims.test', 'test');
    assert.equal(outcome.sent, true);
    assert.equal(outcome.result?.code, 2001);
    const { request, info } = await notifyOf(u);
    assert.match(request.headers.get('Subscription-State')!, /^terminated/);
    assert.equal(info.state, 'partial');
    assert.equal(info.version, 1);
    assert.equal(info.registrations[0]!.state, 'terminated');
    assert.deepEqual(
      info.registrations[0]!.contacts.map((c) => [c.uri, c.state, c.event]),
      [[u.contactUri(), 'terminated', 'rejected']],
    );
    assert.equal(await env.scscf.registrations.get('sip:rosa@ims.test'), undefined);
  });

  it('network de-registration by the operator: contacts deactivated', async () => {
    const { u } = await registered('nick');
    assert.equal((await subscribe(u, 'sip:nick@ims.test')).response.status, 200);
    await notifyOf(u);
    assert.equal(await env.scscf.deregister('sip:nick@ims.test'), true);
    const { info } = await notifyOf(u);
    assert.equal(info.registrations[0]!.contacts[0]!.event, 'deactivated');
  });

  it('expiry: NOTIFY with the contact expired and the subscription terminated', async () => {
    const { u } = await registered('xena', { expires: 1 });
    assert.equal((await subscribe(u, 'sip:xena@ims.test')).response.status, 200);
    await notifyOf(u);
    const { request, info } = await notifyOf(u);
    assert.equal(info.registrations[0]!.contacts[0]!.event, 'expired');
    assert.match(request.headers.get('Subscription-State')!, /^terminated/);
  });

  it('PPR from the HSS: the new User-Data replaces the stored one', async () => {
    const { id } = await registered('pia');
    const before = await env.scscf.registrations.get('sip:pia@ims.test');
    assert.ok(before && !before.userData.includes('sip:as.ims.test'));
    await env.hss.store.updateSubscription(
      id,
      digestUser('pia', {
        initialFilterCriteria: [{ priority: 1, applicationServer: { serverName: 'sip:as.ims.test:5080' } }],
      }),
    );
    const outcome = await env.hss.actions.pushProfile(id);
    assert.equal(outcome.sent, true);
    assert.equal(outcome.result?.code, 2001);
    const after = await env.scscf.registrations.get('sip:pia@ims.test');
    assert.ok(after?.userData.includes('sip:as.ims.test:5080'));
    assert.deepEqual(after?.impus, ['sip:pia@ims.test']);
    assert.equal(after?.bindings.length, 1, 'the bindings stay');
  });
});
