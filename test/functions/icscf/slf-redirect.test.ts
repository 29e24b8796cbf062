/**
 * An SLF between the I-CSCF and the HSS (TS 23.228 §5.8.1, TS 29.228 §6.4): the UAR and LIR
 * get 3006 with the Redirect-Host of the HSS holding the user; the I-CSCF's Diameter node
 * connects to that HSS (a dynamic peer, RFC 6733 §6.1.8) and asks again.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateConfig } from '../../../src/config/load.ts';
import type { DiameterNode } from '../../../src/diameter/node.ts';
import { hssConfigSchema } from '../../../src/functions/hss/config.ts';
import { type Hss, startHss } from '../../../src/functions/hss/index.ts';
import type { Icscf } from '../../../src/functions/icscf/index.ts';
import { slfConfigSchema } from '../../../src/functions/slf/config.ts';
import { type Slf, startSlf } from '../../../src/functions/slf/index.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { subscriber } from '../hss/helpers/hss-subscribers.ts';
import { type FakeScscf, fakeScscf, register, send, startTestIcscf } from './helpers/icscf-env.ts';

/** The HSS's Diameter identity: the Redirect-Host names it, and the I-CSCF resolves it by DNS. */
const HSS_IDENTITY = 'localhost';

describe('I-CSCF behind an SLF', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ims-icscf-slf-'));
  let hss: Hss;
  let slf: Slf;
  let scscf: FakeScscf;
  let icscf: Icscf;

  before(async () => {
    hss = await startHss(
      validateConfig(hssConfigSchema, {
        diameter: { originHost: HSS_IDENTITY, listen: { port: 0 }, acceptUnknownPeers: true },
        store: { backend: 'sqlite', path: join(dir, 'hss.sqlite') },
      }),
      silentLogger,
    );
    slf = await startSlf(
      validateConfig(slfConfigSchema, {
        diameter: { listen: { port: 0 } },
        hss: { hss1: { host: HSS_IDENTITY, port: hss.port } },
        routes: [{ prefix: 'sip:', hss: 'hss1' }],
      }),
      silentLogger,
    );
    scscf = await fakeScscf();
    icscf = await startTestIcscf({ host: 'slf.ims.test', port: slf.port }, [{ uri: scscf.uri }]);
    await hss.store.createSubscription(subscriber('slf-user'));
  });
  after(async () => {
    await icscf?.stop();
    await scscf?.close();
    await slf?.stop();
    await hss?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('REGISTER: the UAR is redirected to the HSS, which answers; the REGISTER reaches the S-CSCF', async () => {
    const response = await register(icscf.port, 'slf-user');
    assert.equal(response.status, 401);
    assert.equal(scscf.got.length, 1);
    const peers = (icscf.diameter as DiameterNode).allPeers().map((p) => p.host);
    assert.ok(peers.includes(HSS_IDENTITY), `dynamic peer to the HSS: ${peers.join(', ')}`);
  });

  it('an identity the SLF routes nowhere: USER_UNKNOWN from the SLF, 404 for a MESSAGE', async () => {
    const response = await send(icscf.port, { method: 'MESSAGE', uri: 'tel:+15550001', to: 'tel:+15550001' });
    assert.equal(response.status, 404);
  });
});
