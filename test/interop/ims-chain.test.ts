/**
 * Issue #8 acceptance over the whole chain with SIPp as the UEs: SIPp → P-CSCF → I-CSCF →
 * S-CSCF registration with SIP Digest and with IMS AKA (SIPp's own Milenage), the HSS real;
 * then a call between two SIPp UEs through P-CSCF → S-CSCF → I-CSCF → S-CSCF → P-CSCF with a
 * Record-Route from each CSCF that stays on the path, hung up by the caller, then by the
 * callee. Each UE registers from the port it then calls or listens on (the P-CSCF accepts
 * requests only from a registered flow and delivers over it). What the UEs received is read
 * from SIPp's -trace_msg logs.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from './helpers/free-port.ts';
import { type ImsChain, startImsChain } from './helpers/ims-chain.ts';
import { describeRun, requireSipp, SippGroup, type SippOptions, type SippResult } from './helpers/sipp.ts';

// SIPp 3.6.1 copies these strings as raw bytes (INTEROP.md): provision their hex.
const K_TEXT = '0123456789abcdef';
const OP_TEXT = 'fedcba9876543210';
const AMF_TEXT = '80';
const hexOf = (text: string) => Buffer.from(text, 'latin1').toString('hex');

describe('IMS chain with SIPp UEs: registration (digest, AKA) and calls', () => {
  const sipp = new SippGroup();
  const dir = mkdtempSync(join(tmpdir(), 'ims-chain-sipp-'));
  let chain: ImsChain;
  const taken: number[] = [];

  before(async () => {
    requireSipp();
    chain = await startImsChain({
      subscribers: [
        { user: 'alice', password: 'alicepw' },
        { user: 'bob', password: 'bobpw' },
        { user: 'akauser', k: hexOf(K_TEXT), op: hexOf(OP_TEXT), amf: hexOf(AMF_TEXT) },
      ],
    });
    taken.push(chain.ports.pcscf, chain.ports.icscf, ...chain.ports.scscfs);
  });

  after(async () => {
    await sipp.stopAll();
    await chain?.stop();
    // KEEP_CHAIN_LOGS=1 keeps SIPp's stat, error and message logs for a look afterwards.
    if (process.env.KEEP_CHAIN_LOGS) console.log(`SIPp logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });

  const uePort = async () => {
    const p = await freePort('127.0.0.1', taken);
    taken.push(p);
    return p;
  };

  /** A bounded SIPp run towards the P-CSCF, its messages logged to <name>.msg. */
  const start = (name: string, scenario: string, port: number, extra: Partial<SippOptions> = {}) =>
    sipp.start({
      name,
      scenario,
      dir,
      port,
      calls: 1,
      timeoutS: 15,
      recvTimeoutMs: 5000,
      extraArgs: ['-auth_uri', 'ims.test', '-trace_msg', '-message_file', join(dir, `${name}.msg`)],
      ...extra,
    });
  const toPcscf = () => `127.0.0.1:${chain.ports.pcscf}`;
  const messages = (name: string) => readFileSync(join(dir, `${name}.msg`), 'utf8');

  async function registerDigest(user: string, port: number): Promise<SippResult> {
    return start(`reg-${user}-${port}`, 'chain_register_digest.xml', port, {
      remote: toPcscf(),
      keys: { user, impi: `${user}@ims.test`, password: `${user}pw` },
    }).result;
  }

  it('SIP Digest: SIPp registers through P-CSCF → I-CSCF → S-CSCF', async () => {
    const port = await uePort();
    const r = await registerDigest('alice', port);
    assert.equal(r.successful, 1, describeRun(r));
    const record = await chain.scscf.registrations.get('sip:alice@ims.test');
    assert.equal(record?.state, 'registered');
    assert.equal(record?.impi, 'alice@ims.test');
    // The binding carries the P-CSCF's Path (RFC 3327) and the UE's contact.
    const binding = record!.bindings[0]!;
    assert.match(binding.contact, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(binding.path.join(','), new RegExp(`pcscf\\.ims\\.test:${chain.ports.pcscf}`));
    const atP = chain.pcscf.registeredUsers().find((u) => u.impu === 'sip:alice@ims.test');
    assert.ok(atP, 'the P-CSCF keeps the registration');
    // The 401 reached SIPp with a digest (not AKA) challenge and the 200 with the Service-Route.
    const log = messages(`reg-alice-${port}`);
    assert.match(log, /WWW-Authenticate: Digest [^\r\n]*algorithm=MD5/i);
    assert.match(log, new RegExp(`Service-Route: <sip:orig@scscf\\.ims\\.test:${chain.ports.scscfs[0]};lr>`));
  });

  it('IMS AKA: SIPp (its own Milenage) registers through the chain', async () => {
    const port = await uePort();
    // SIPp 3.6.1 hashes RES with strlen(): a RES holding 0x00 (about 3% of RANDs) makes its
    // answer wrong whatever the core does; the scenario restarts with a fresh challenge.
    const r = await start('reg-aka', 'chain_register_aka.xml', port, {
      remote: toPcscf(),
      keys: { user: 'akauser', impi: 'akauser@ims.test', k: K_TEXT, op: OP_TEXT, amf: AMF_TEXT },
    }).result;
    assert.equal(r.successful, 1, describeRun(r));
    const record = await chain.scscf.registrations.get('sip:akauser@ims.test');
    assert.equal(record?.state, 'registered');
    // TS 24.229 §5.2.2.1: the P-CSCF removed ck and ik before the 401 reached the UE.
    const log = messages(r.name);
    assert.match(log, /WWW-Authenticate: Digest [^\r\n]*AKAv1-MD5/i);
    assert.doesNotMatch(log, /\b(ck|ik)="/i);
  });

  /** Registers alice (caller) and bob (callee) from fresh ports; runs the callee, then the caller. */
  async function call(name: string, uasScenario: string, uacScenario: string) {
    const alicePort = await uePort();
    const bobPort = await uePort();
    const ra = await registerDigest('alice', alicePort);
    assert.equal(ra.successful, 1, describeRun(ra));
    const rb = await registerDigest('bob', bobPort);
    assert.equal(rb.successful, 1, describeRun(rb));
    const uas = start(`${name}-bob`, uasScenario, bobPort, { keys: { user: 'bob' } });
    await uas.ready();
    const uac = start(`${name}-alice`, uacScenario, alicePort, {
      remote: toPcscf(),
      service: 'bob',
      pauseMs: 100,
      keys: { user: 'alice' },
    });
    const [caller, callee] = await Promise.all([uac.result, uas.result]);
    assert.equal(caller.successful, 1, describeRun(caller));
    assert.equal(callee.successful, 1, describeRun(callee));
    return { caller: messages(`${name}-alice`), callee: messages(`${name}-bob`) };
  }

  /** The INVITE as the callee received it (first received message of its log). */
  const receivedInvite = (log: string) => {
    const m = /received[^\n]*\n\n?(INVITE sip:[\s\S]*?)\r?\n\r?\n/.exec(log);
    assert.ok(m, `no INVITE in the callee's log:\n${log.slice(0, 2000)}`);
    return m[1]!;
  };
  const headerValues = (text: string, name: string) =>
    [...text.matchAll(new RegExp(`^${name}:\\s*(.*?)\\r?$`, 'gim'))].flatMap((m) => m[1]!.split(/,\s*(?=<)/));

  it('a call alice → bob (SIPp UAC/UAS): INVITE/180/200/ACK/BYE, Record-Route of each CSCF', async () => {
    const { callee } = await call('call1', 'chain_uas_call.xml', 'chain_uac_call.xml');
    const invite = receivedInvite(callee);
    const p = chain.ports.pcscf;
    const s = chain.ports.scscfs[0]!;
    const rr = headerValues(invite, 'Record-Route');
    const hosts = rr.map((r) => /([\w.]+:\d+)[;>]/.exec(r)?.[1]);
    // P-CSCF (double Record-Route, RFC 5658) and S-CSCF term on bob's side, then S-CSCF orig and
    // P-CSCF on alice's: the I-CSCF is not on the dialog's path (TS 24.229 §5.3.2.1).
    assert.deepEqual(
      hosts,
      [
        `127.0.0.1:${p}`,
        `pcscf.ims.test:${p}`,
        `scscf.ims.test:${s}`,
        `scscf.ims.test:${s}`,
        `pcscf.ims.test:${p}`,
        `127.0.0.1:${p}`,
      ],
      rr.join('\n'),
    );
    assert.deepEqual(headerValues(invite, 'P-Asserted-Identity'), ['<sip:alice@ims.test>']);
    assert.match(headerValues(invite, 'P-Called-Party-ID')[0] ?? '', /sip:bob@ims\.test/);
    // TS 24.229 §5.2.7.2: no charging vector towards the UE.
    assert.deepEqual(headerValues(invite, 'P-Charging-Vector'), []);
  });

  it('the callee hangs up: BYE from bob (SIPp UAS) reaches alice over the route set', async () => {
    const { caller } = await call('call2', 'chain_uas_hangs_up.xml', 'chain_uac_callee_hangs_up.xml');
    assert.match(caller, /BYE sip:alice@127\.0\.0\.1:\d+ SIP\/2\.0/);
  });
});
