/**
 * SIPp (a real, independent UA) registers at our S-CSCF, backed by our HSS over Diameter:
 * MD5 digest, and IMS AKA computed by SIPp's own Milenage (aka_K, aka_OP, aka_AMF).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newSubscription } from '../../../src/functions/hss/subscriber-defaults.ts';
import { freePort } from '../../interop/helpers/free-port.ts';
import { describeRun, requireSipp, SippGroup, type SippResult } from '../../interop/helpers/sipp.ts';
import { digestUser, type ScscfEnv, startScscfEnv } from './helpers/scscf-env.ts';

// SIPp 3.6.1 copies these strings as raw bytes (INTEROP.md): provision their hex.
const K_TEXT = '0123456789abcdef';
const OP_TEXT = 'fedcba9876543210';
const AMF_TEXT = '80';
const hexOf = (text: string) => Buffer.from(text, 'latin1').toString('hex');

describe('SIPp registers at the S-CSCF', () => {
  let env: ScscfEnv;
  let dir: string;
  const sipp = new SippGroup();

  before(async () => {
    requireSipp();
    dir = mkdtempSync(join(tmpdir(), 'ims-scscf-sipp-'));
    env = await startScscfEnv();
  });
  after(async () => {
    await sipp.stopAll();
    await env?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = async (name: string, scenario: string, keys: Record<string, string>): Promise<SippResult> => {
    const port = await freePort('127.0.0.1', [env.port]);
    return sipp.start({
      name,
      scenario,
      dir,
      port,
      remote: `127.0.0.1:${env.port}`,
      calls: 1,
      timeoutS: 20,
      recvTimeoutMs: 5000,
      keys: { domain: 'ims.test', ...keys },
      extraArgs: ['-auth_uri', 'ims.test'],
    }).result;
  };

  it('MD5 digest', async () => {
    await env.provision(digestUser('sippdig'));
    const r = await run('scscf-digest', 'scscf_register_digest.xml', {
      user: 'sippdig',
      impi: 'sippdig@ims.test',
      password: 'pw-sippdig',
    });
    assert.equal(r.successful, 1, describeRun(r));
    const record = await env.scscf.registrations.get('sip:sippdig@ims.test');
    assert.equal(record?.state, 'registered');
    assert.equal(record?.bindings.length, 1);
  });

  it('IMS AKA with SIPp’s own Milenage', async () => {
    await env.provision(
      newSubscription({
        impu: 'sip:sippaka@ims.test',
        k: hexOf(K_TEXT),
        op: hexOf(OP_TEXT),
        amf: hexOf(AMF_TEXT),
      }),
    );
    // SIPp 3.6.1 hashes RES with strlen(): a RES holding 0x00 (about 3% of RANDs) makes its
    // answer wrong whatever the server does; a fresh run gets a fresh challenge.
    let r: SippResult | undefined;
    for (let attempt = 1; attempt <= 4; attempt++) {
      r = await run(`scscf-aka-${attempt}`, 'scscf_register_aka.xml', {
        user: 'sippaka',
        impi: 'sippaka@ims.test',
        k: K_TEXT,
        op: OP_TEXT,
        amf: AMF_TEXT,
      });
      if (r.successful === 1) break;
    }
    assert.equal(r?.successful, 1, r && describeRun(r));
    assert.equal((await env.scscf.registrations.get('sip:sippaka@ims.test'))?.impi, 'sippaka@ims.test');
  });
});
