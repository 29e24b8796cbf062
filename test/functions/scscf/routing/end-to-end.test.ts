/**
 * End to end through startScscf with a real HSS over Diameter (TS 24.229 §5.4.1 then §5.4.3):
 * two UEs register (digest), the callee's contact being a SIPp UAS; the caller (SIPp UAC) calls
 * over the Service-Route of its 200 OK; an originating iFC from the HSS profile sends the call
 * through a test AS first. A provisioned but unregistered callee gets 480 (Cx SAR
 * UNREGISTERED_USER, no unregistered services), an unknown one 404.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../../../src/config/load.ts';
import { hssConfigSchema } from '../../../../src/functions/hss/config.ts';
import { type Hss, startHss } from '../../../../src/functions/hss/index.ts';
import { newSubscription } from '../../../../src/functions/hss/subscriber-defaults.ts';
import { type Scscf, scscfConfigSchema, startScscf } from '../../../../src/functions/scscf/index.ts';
import { DefaultHandling } from '../../../../src/ims/ifc/model.ts';
import { silentLogger } from '../../../../src/log/logger.ts';
import { freePort, freePorts } from '../../../interop/helpers/free-port.ts';
import { describeRun, requireSipp, SippGroup } from '../../../interop/helpers/sipp.ts';
import { TestUe } from '../helpers/test-ue.ts';
import { ifc, method } from './fixtures.ts';
import { message, sendRequest, startTestAs } from './harness.ts';

const SIPP_DIR = new URL('./sipp/', import.meta.url).pathname;

describe('S-CSCF end to end: registration, then calls routed by the session router', () => {
  const sipp = new SippGroup();
  const dir = mkdtempSync(join(tmpdir(), 'scscf-e2e-'));
  let hss: Hss;
  let scscf: Scscf;
  let port: number;
  const asLog: string[] = [];
  let as: Awaited<ReturnType<typeof startTestAs>>;

  before(async () => {
    requireSipp();
    as = await startTestAs('as', 'proxy', asLog);
    hss = await startHss(
      validateConfig(hssConfigSchema, {
        diameter: {
          originHost: 'hss.ims.test',
          listen: { port: 0 },
          requestTimeoutMs: 2000,
          acceptUnknownPeers: true,
        },
        store: { backend: 'sqlite', path: join(dir, 'hss.sqlite') },
      }),
      silentLogger,
    );
    port = await freePort();
    scscf = await startScscf(
      validateConfig(scscfConfigSchema, {
        sip: {
          host: '127.0.0.1',
          port,
          listen: [
            { protocol: 'udp', host: '127.0.0.1', port },
            { protocol: 'tcp', host: '127.0.0.1', port },
          ],
          timers: { T1: 100 },
        },
        diameter: {
          originHost: 'scscf.ims.test',
          peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: hss.port }],
          requestTimeoutMs: 2000,
        },
        serverName: `sip:127.0.0.1:${port}`,
        routing: { terminatingVia: 'direct' },
      }),
      silentLogger,
    );
    await scscf.diameter.waitForPeer('hss.ims.test');
    const subscriber = (name: string, ifcs = [] as ReturnType<typeof ifc>[]) =>
      hss.store.createSubscription(
        newSubscription({
          impu: `sip:${name}@ims.test`,
          password: `pw-${name}`,
          initialFilterCriteria: ifcs,
        }),
      );
    await subscriber('alice', [ifc(10, as.uri, [method('INVITE')], DefaultHandling.SESSION_CONTINUED)]);
    await subscriber('bob');
    await subscriber('carol');
  });

  after(async () => {
    await sipp.stopAll();
    await scscf?.stop();
    await hss?.stop();
    await as?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('alice calls bob: INVITE/180/200/ACK/BYE through the S-CSCF and alice’s AS', async () => {
    const [bobPort] = await freePorts(1);
    const alice = await TestUe.start(port);
    const bob = await TestUe.start(port);
    try {
      const a = await alice.register({
        impu: 'sip:alice@ims.test',
        impi: 'alice@ims.test',
        secret: { password: 'pw-alice' },
      });
      assert.equal(a.response.status, 200);
      const b = await bob.register({
        impu: 'sip:bob@ims.test',
        impi: 'bob@ims.test',
        secret: { password: 'pw-bob' },
        contact: `<sip:bob@127.0.0.1:${bobPort}>`,
      });
      assert.equal(b.response.status, 200);
      const serviceRoute = a.response.headers.get('Service-Route')!;
      assert.match(serviceRoute, /^<sip:orig@127\.0\.0\.1:\d+;lr>$/);

      const uas = sipp.start({
        name: 'bob-uas',
        scenario: join(SIPP_DIR, 'ims_uas_call.xml'),
        dir,
        port: bobPort!,
        calls: 1,
        timeoutS: 20,
      });
      await uas.ready();
      const uacPort = await freePort();
      const uac = sipp.start({
        name: 'alice-uac',
        scenario: join(SIPP_DIR, 'ims_uac_call.xml'),
        dir,
        port: uacPort,
        remote: `127.0.0.1:${port}`,
        service: 'bob',
        calls: 1,
        pauseMs: 200,
        timeoutS: 20,
        keys: { service_route: serviceRoute, pai: 'sip:alice@ims.test' },
      });
      const [ra, rb] = await Promise.all([uac.result, uas.result]);
      assert.equal(ra.successful, 1, describeRun(ra));
      assert.equal(rb.successful, 1, describeRun(rb));
      assert.deepEqual(asLog, ['as']);
      assert.equal(as.got[0]!.headers.get('P-Served-User'), '<sip:alice@ims.test>;sescase=orig;regstate=reg');
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('a provisioned user who is not registered gets 480; an unknown one 404', async () => {
    const term = `<sip:127.0.0.1:${port};lr>`;
    assert.equal((await sendRequest(port, message('sip:carol@ims.test', term)))?.status, 480);
    assert.equal((await sendRequest(port, message('sip:nobody@ims.test', term)))?.status, 404);
  });
});
