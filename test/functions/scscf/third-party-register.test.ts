/**
 * Third-party REGISTER (TS 24.229 §5.4.1.7): to each AS whose iFC matches REGISTER, with the
 * S-CSCF as From/Contact, the user's identity in To, the registration's expiry and the bodies
 * the iFC asks for; de-registration too; an AS failing with SESSION_TERMINATED gets the user
 * de-registered by the network.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DefaultHandling, type InitialFilterCriteria, RegistrationType } from '../../../src/ims/ifc/model.ts';
import { boundaryFromContentType, parseMultipart } from '../../../src/sip/message/index.ts';
import { digestUser, type ScscfEnv, startScscfEnv } from './helpers/scscf-env.ts';
import { TestUe } from './helpers/test-ue.ts';

function registerIfc(
  asUri: string,
  extra: Partial<InitialFilterCriteria['applicationServer']> = {},
  types?: RegistrationType[],
) {
  return {
    priority: 1,
    triggerPoint: {
      conditionTypeCNF: false,
      spts: [
        {
          kind: 'method' as const,
          method: 'REGISTER',
          conditionNegated: false,
          groups: [0],
          ...(types ? { registrationTypes: types } : {}),
        },
      ],
    },
    applicationServer: { serverName: asUri, ...extra },
  };
}

describe('S-CSCF third-party REGISTER', () => {
  let env: ScscfEnv;
  let as: TestUe;
  const ues: TestUe[] = [];

  before(async () => {
    env = await startScscfEnv({ minExpires: 1, thirdPartyTimeoutMs: 1000 });
    as = await TestUe.start(env.port);
  });
  after(async () => {
    for (const u of ues) await u.close();
    await as.close();
    await env.stop();
  });

  const ue = async () => {
    const u = await TestUe.start(env.port);
    ues.push(u);
    return u;
  };

  it('registration and de-registration are reported to the AS, with ServiceInfo and the REGISTER/200 OK bodies', async () => {
    await env.provision(
      digestUser('tina', {
        initialFilterCriteria: [
          registerIfc(`sip:as@127.0.0.1:${as.port}`, {
            serviceInfo: 'gold <&> plan',
            includeRegisterRequest: true,
            includeRegisterResponse: true,
          }),
        ],
      }),
    );
    const u = await ue();
    const opts = { impu: 'sip:tina@ims.test', impi: 'tina@ims.test', secret: { password: 'pw-tina' } };
    assert.equal((await u.register({ ...opts, expires: 300 })).response.status, 200);
    const third = await as.next((r) => r.method === 'REGISTER');
    assert.equal(third.uriText, `sip:as@127.0.0.1:${as.port}`);
    assert.equal(third.to.uriText, 'sip:tina@ims.test');
    assert.equal(third.from.uriText, env.config.serverName);
    const contact = third.contacts[0];
    assert.ok(contact !== undefined && contact !== '*' && contact.uriText === env.config.serverName);
    const expires = Number(third.headers.get('Expires'));
    assert.ok(expires > 295 && expires <= 300);
    const type = third.headers.get('Content-Type')!;
    assert.match(type, /^multipart\/mixed/);
    const parts = parseMultipart(third.body, boundaryFromContentType(type)!);
    assert.deepEqual(
      parts.map((p) => p.headers.get('content-type')),
      ['application/3gpp-ims+xml', 'message/sip', 'message/sip'],
    );
    assert.match(parts[0]!.content.toString(), /<service-info>gold &lt;&amp;&gt; plan<\/service-info>/);
    assert.match(parts[1]!.content.toString(), /^REGISTER sip:ims.test SIP\/2.0/);
    assert.match(parts[2]!.content.toString(), /^SIP\/2.0 200 OK/);

    assert.equal((await u.register({ ...opts, expires: 0 })).response.status, 200);
    const dereg = await as.next((r) => r.method === 'REGISTER');
    assert.equal(dereg.headers.get('Expires'), '0');
  });

  it('RegistrationType limits the iFC: only the initial registration is reported', async () => {
    await env.provision(
      digestUser('ivan', {
        initialFilterCriteria: [
          registerIfc(`sip:init-only@127.0.0.1:${as.port}`, {}, [RegistrationType.INITIAL_REGISTRATION]),
        ],
      }),
    );
    const u = await ue();
    const opts = { impu: 'sip:ivan@ims.test', impi: 'ivan@ims.test', secret: { password: 'pw-ivan' } };
    assert.equal((await u.register(opts)).response.status, 200);
    const first = await as.next((r) => r.method === 'REGISTER' && r.uriText.includes('init-only'));
    assert.equal(first.to.uriText, 'sip:ivan@ims.test');
    assert.equal((await u.register(opts)).response.status, 200);
    await assert.rejects(
      as.next((r) => r.method === 'REGISTER' && r.uriText.includes('init-only'), 500),
      /no matching request/,
    );
  });

  it('an AS failing with DefaultHandling SESSION_TERMINATED gets the user de-registered by the network', async () => {
    const failing = await TestUe.start(env.port);
    ues.push(failing);
    failing.answer = () => 500;
    await env.provision(
      digestUser('fred', {
        initialFilterCriteria: [
          registerIfc(`sip:as@127.0.0.1:${failing.port}`, {
            defaultHandling: DefaultHandling.SESSION_TERMINATED,
          }),
        ],
      }),
    );
    const u = await ue();
    const r = await u.register({
      impu: 'sip:fred@ims.test',
      impi: 'fred@ims.test',
      secret: { password: 'pw-fred' },
    });
    assert.equal(r.response.status, 200);
    await failing.next((x) => x.method === 'REGISTER');
    const until = Date.now() + 5000;
    while ((await env.scscf.registrations.get('sip:fred@ims.test')) !== undefined) {
      assert.ok(Date.now() < until, 'not de-registered');
      await new Promise((res) => setTimeout(res, 50));
    }
    const match = await env.hss.store.getSubscriptionByImpu('sip:fred@ims.test');
    assert.equal(match?.publicIdentity.registrationState ?? 'NOT_REGISTERED', 'NOT_REGISTERED');
  });

  it('an AS failing with SESSION_CONTINUED leaves the registration alone', async () => {
    const failing = await TestUe.start(env.port);
    ues.push(failing);
    failing.answer = () => 503;
    await env.provision(
      digestUser('cora', {
        initialFilterCriteria: [
          registerIfc(`sip:as@127.0.0.1:${failing.port}`, {
            defaultHandling: DefaultHandling.SESSION_CONTINUED,
          }),
        ],
      }),
    );
    const u = await ue();
    const r = await u.register({
      impu: 'sip:cora@ims.test',
      impi: 'cora@ims.test',
      secret: { password: 'pw-cora' },
    });
    assert.equal(r.response.status, 200);
    await failing.next((x) => x.method === 'REGISTER');
    await new Promise((res) => setTimeout(res, 200));
    assert.equal((await env.scscf.registrations.get('sip:cora@ims.test'))?.state, 'registered');
  });
});
