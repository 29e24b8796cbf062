/**
 * The SLF in front of two HSSs holding different users (TS 23.228 §5.8.1): a client that knows
 * only the SLF sends Cx and Sh requests; the SLF redirects (3006, Redirect-Host) by exact
 * identity, prefix or regular expression; the client follows to the right HSS. On every backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../../src/config/load.ts';
import { CxApplication, ServerAssignmentType } from '../../../src/diameter/apps/cx.ts';
import { answerResult } from '../../../src/diameter/apps/result.ts';
import { DataReference, ShApplication } from '../../../src/diameter/apps/sh.ts';
import { DiameterNode } from '../../../src/diameter/node.ts';
import { ExperimentalResultCode as E, ResultCode } from '../../../src/diameter/result-code.ts';
import { hssConfigSchema } from '../../../src/functions/hss/config.ts';
import { type Hss, startHss } from '../../../src/functions/hss/index.ts';
import { type Slf, slfConfigSchema, startSlf } from '../../../src/functions/slf/index.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { type Backend, backends } from '../hss/helpers/hss-env.ts';
import { subscriber, usim } from '../hss/helpers/hss-subscribers.ts';

const FAST = { twInit: 200, tcMin: 50, tc: 400, peerTimeout: 2000, requestTimeout: 1500 } as const;
const SCSCF = 'sip:scscf.ims.test:6060';

async function startHssNamed(backend: Backend, host: string) {
  const db = await backend.fresh();
  const config = validateConfig(hssConfigSchema, {
    diameter: { originHost: host, listen: { port: 0 }, acceptUnknownPeers: true },
    store: db.store,
  });
  const hss = await startHss(config, silentLogger);
  const stop = async () => {
    await hss.stop();
    await db.dispose();
  };
  return { hss, stop };
}

for (const backend of backends()) {
  describe(`SLF redirecting to two HSSs (${backend.name})`, () => {
    let hss1: Hss;
    let hss2: Hss;
    let slf: Slf;
    let client: DiameterNode;
    let cx: CxApplication;
    let sh: ShApplication;
    const stops: (() => Promise<unknown>)[] = [];

    before(async () => {
      const one = await startHssNamed(backend, 'hss1.ims.test');
      const two = await startHssNamed(backend, 'hss2.ims.test');
      stops.push(one.stop, two.stop);
      hss1 = one.hss;
      hss2 = two.hss;
      await hss1.store.createSubscription(subscriber('alice'));
      await hss2.store.createSubscription(subscriber('bob', { tel: '+12015550900' }));
      await hss2.store.createSubscription(
        subscriber('carol', { impu: 'sip:carol@b.ims.test', impi: 'carol@b.ims.test', realm: 'b.ims.test' }),
      );
      const config = validateConfig(slfConfigSchema, {
        diameter: { listen: { port: 0 } },
        hss: {
          hss1: { host: 'hss1.ims.test', port: hss1.port },
          hss2: { host: 'hss2.ims.test', port: hss2.port },
        },
        routes: [
          { exact: 'sip:alice@ims.test', hss: 'hss1' },
          { exact: 'bob@ims.test', hss: 'hss2' },
          { prefix: 'tel:+1201555', hss: 'hss2' },
          { regex: '^sip:[^@]+@b\\.ims\\.test$', hss: 'hss2' },
        ],
      });
      slf = await startSlf(config, silentLogger);
      stops.unshift(() => slf.stop());
      // The CSCF knows only the SLF; HSSs are reached through the Redirect-Hosts.
      client = new DiameterNode({
        originHost: 'cscf.ims.test',
        originRealm: 'ims.test',
        peers: [{ host: 'slf.ims.test', address: '127.0.0.1', port: slf.port }],
        dynamicPeers: { resolve: () => '127.0.0.1' },
        ...FAST,
      });
      cx = new CxApplication(client);
      sh = new ShApplication(client);
      await client.start();
      await client.waitForPeer('slf.ims.test');
      stops.unshift(() => client.close());
    });
    after(async () => {
      for (const stop of stops) await stop();
    });

    it('UAR for alice (exact row) is answered by HSS1', async () => {
      const uaa = await cx.userAuthorization({
        userName: 'alice@ims.test',
        publicIdentity: 'sip:alice@ims.test',
        visitedNetworkIdentifier: Buffer.from('ims.test'),
      });
      assert.equal(uaa.originHost, 'hss1.ims.test');
      assert.equal(answerResult(uaa).code, E.DIAMETER_FIRST_REGISTRATION);
      assert.equal(client.isDynamicPeer('hss1.ims.test'), true);
    });

    it('MAR and SAR for bob (his IMPI is the row) go to HSS2; the USIM accepts the vector', async () => {
      const maa = await cx.multimediaAuth({
        userName: 'bob@ims.test',
        publicIdentity: 'sip:bob@ims.test',
        sipNumberAuthItems: 1,
        sipAuthDataItem: { sipAuthenticationScheme: 'Digest-AKAv1-MD5' },
        serverName: SCSCF,
      });
      assert.equal(maa.originHost, 'hss2.ims.test');
      const item = maa.sipAuthDataItem![0]!;
      const out = usim().authenticate(
        item.sipAuthenticate!.subarray(0, 16),
        item.sipAuthenticate!.subarray(16),
      );
      assert.equal(out.outcome, 'authenticated');
      const saa = await cx.serverAssignment({
        userName: 'bob@ims.test',
        publicIdentity: ['sip:bob@ims.test'],
        serverName: SCSCF,
        serverAssignmentType: ServerAssignmentType.REGISTRATION,
        userDataAlreadyAvailable: 0,
      });
      assert.equal(saa.originHost, 'hss2.ims.test');
      assert.equal(answerResult(saa).code, ResultCode.DIAMETER_SUCCESS);
    });

    it('LIR for a number of the prefix row reaches HSS2, which knows bob registered', async () => {
      const lia = await cx.locationInfo({ publicIdentity: 'tel:+12015550900' });
      assert.equal(lia.originHost, 'hss2.ims.test');
      assert.equal(lia.serverName, SCSCF);
    });

    it('Sh UDR for carol (regular-expression row) reaches HSS2', async () => {
      const uda = await sh.userData({
        userIdentity: { publicIdentity: 'sip:carol@b.ims.test' },
        dataReference: [DataReference.IMSUserState],
      });
      assert.equal(uda.originHost, 'hss2.ims.test');
      assert.equal(answerResult(uda).code, ResultCode.DIAMETER_SUCCESS);
    });

    it('a user no row matches: DIAMETER_ERROR_USER_UNKNOWN from the SLF itself', async () => {
      const uaa = await cx.userAuthorization({
        userName: 'nobody@ims.test',
        publicIdentity: 'sip:nobody@ims.test',
        visitedNetworkIdentifier: Buffer.from('ims.test'),
      });
      assert.equal(uaa.originHost, 'slf.ims.test');
      assert.deepEqual(answerResult(uaa), {
        code: E.DIAMETER_ERROR_USER_UNKNOWN,
        vendorId: 10415,
        success: false,
      });
    });
  });
}
