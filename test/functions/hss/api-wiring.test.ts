/**
 * The REST API started by the HSS itself (startHss with the `startApi` seam): administrative
 * de-registration reaches the S-CSCF as a Cx RTR, a profile change as a PPR, over real
 * Diameter connections on loopback. The client node plays the S-CSCF.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../../src/config/load.ts';
import {
  CxApplication,
  type PushProfileRequest,
  type RegistrationTerminationRequest,
} from '../../../src/diameter/apps/cx.ts';
import { DiameterNode } from '../../../src/diameter/node.ts';
import { ResultCode } from '../../../src/diameter/result-code.ts';
import type { HssApiServer } from '../../../src/functions/hss/api/hss-api.ts';
import { startApi } from '../../../src/functions/hss/api/start-api.ts';
import { hssConfigSchema } from '../../../src/functions/hss/config.ts';
import { type Hss, startHss } from '../../../src/functions/hss/index.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { sar } from './helpers/hss-subscribers.ts';

const HSS_HOST = 'hss.ims.test';

describe('REST API started by the HSS', () => {
  let dir: string;
  let hss: Hss;
  let api: HssApiServer;
  let client: DiameterNode;
  let cx: CxApplication;
  let realm: string;
  const rtrs: RegistrationTerminationRequest[] = [];
  const pprs: PushProfileRequest[] = [];
  const rest = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${api.url}${path}`, {
      method,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });
    const text = await r.text();
    return { status: r.status, body: text === '' ? undefined : JSON.parse(text) };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ims-hss-api-wiring-'));
    const config = validateConfig(hssConfigSchema, {
      diameter: {
        originHost: HSS_HOST,
        listen: { port: 0 },
        requestTimeoutMs: 1500,
        acceptUnknownPeers: true,
      },
      api: { listen: { port: 0 } },
      store: { backend: 'sqlite', path: join(dir, 'hss.sqlite') },
    });
    realm = config.diameter.originRealm;
    hss = await startHss(config, silentLogger, {
      startApi: async (...args) => {
        api = (await startApi(...args)) as HssApiServer;
        return api;
      },
    });
    client = new DiameterNode({
      originHost: 'scscf1.ims.test',
      originRealm: 'ims.test',
      peers: [{ host: HSS_HOST, address: '127.0.0.1', port: hss.port }],
      twInit: 200,
      tcMin: 50,
      tc: 400,
      peerTimeout: 2000,
      requestTimeout: 1500,
    });
    cx = new CxApplication(client);
    cx.onRegistrationTermination((req) => {
      rtrs.push(req);
      return { resultCode: ResultCode.DIAMETER_SUCCESS } as never;
    });
    cx.onPushProfile((req) => {
      pprs.push(req);
      return { resultCode: ResultCode.DIAMETER_SUCCESS } as never;
    });
    await client.start();
    await client.waitForPeer(HSS_HOST);
  });

  after(async () => {
    await client?.close();
    await hss?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('DELETE .../registration sends an RTR to the S-CSCF and the HSS forgets the registration', async () => {
    const created = await rest('POST', '/api/v1/subscribers', { impu: 'sip:w1@ims.test', password: 'pw-w1' });
    assert.equal(created.status, 201);
    const saa = await sar(cx, 'w1');
    assert.equal(saa.resultCode, ResultCode.DIAMETER_SUCCESS);
    assert.equal(
      (await rest('GET', '/api/v1/subscribers/sip%3Aw1%40ims.test/registration')).body.registrationState,
      'REGISTERED',
    );
    const r = await rest('DELETE', '/api/v1/subscribers/sip%3Aw1%40ims.test/registration?reason=fraud');
    assert.equal(r.status, 204, JSON.stringify(r.body));
    assert.equal(rtrs.length, 1);
    assert.deepEqual(rtrs[0]?.publicIdentity, ['sip:w1@ims.test']);
    assert.equal(rtrs[0]?.deregistrationReason.reasonInfo, 'fraud');
    const view = await rest('GET', '/api/v1/subscribers/sip%3Aw1%40ims.test/registration');
    assert.equal(view.body.registrationState, 'NOT_REGISTERED');
    assert.equal(view.body.serverAssignment, undefined);
  });

  it('PUT of a registered subscriber pushes the new profile to the S-CSCF (PPR)', async () => {
    await rest('POST', '/api/v1/subscribers', { impu: 'sip:w2@ims.test', password: 'pw-w2' });
    await sar(cx, 'w2');
    const r = await rest('PUT', '/api/v1/subscribers/sip%3Aw2%40ims.test', {
      impu: 'sip:w2@ims.test',
      password: 'pw-w2',
      displayName: 'W Two',
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(pprs.length, 1);
    assert.equal(pprs[0]?.userName, 'w2@ims.test');
    assert.match(pprs[0]?.userData?.toString() ?? '', /<DisplayName>W Two<\/DisplayName>/);
  });

  it("a tel IMPU created through the HSS's API gets its IMPI at the HSS's realm (Origin-Realm)", async () => {
    const r = await rest('POST', '/api/v1/subscribers', { impu: 'tel:+15550009999' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.privateIdentities[0].impi, `+15550009999@${realm}`);
    assert.equal(typeof r.body.password, 'string');
  });
});
