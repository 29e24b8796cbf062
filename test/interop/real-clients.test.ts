/**
 * Issue #9 ("Real clients") through our core as an operator starts it (`ims up --config`, one
 * child process per function, free ports): a real baresip (alice) and a real linphonec (bob)
 * register to our P-CSCF with SIP digest (username = the private identity, the demo passwords),
 * call each other both ways, answer and hang up. Asserted on what the phones print and on what
 * the core counted (/metrics of the P-CSCF, S-CSCF and HSS) and logged (the combined log).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { type Baresip, startBaresip } from './helpers/baresip.ts';
import { type ImsUp, startImsUp } from './helpers/ims-up.ts';
import { type Linphone, startLinphone } from './helpers/linphone.ts';
import { processAlive } from './helpers/watched-process.ts';

function requireTool(command: string, args: string[], pkg: string): void {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw new Error(`${command} is not installed: these tests need it (Debian package ${pkg})`);
}

let core: ImsUp;
let alice: Baresip;
let bob: Linphone;

before(async () => {
  requireTool('baresip', ['-h'], 'baresip');
  requireTool('linphonec', ['-v'], 'linphone-cli');
  core = await startImsUp();
});

after(async () => {
  const pids = [alice?.process.pid, bob?.process.pid];
  await alice?.stop().catch(() => undefined);
  await bob?.stop().catch(() => undefined);
  await core?.stop();
  assert.deepEqual(
    pids.filter((p) => processAlive(p)),
    [],
    'phones left running',
  );
});

describe('real clients through ims up (issue #9): baresip and linphonec, digest, calls both ways', () => {
  it('baresip (alice) and linphonec (bob) register to the P-CSCF with digest', async () => {
    const a = core.subscriber('alice');
    const b = core.subscriber('bob');
    alice = await startBaresip({
      aor: a.impu,
      authUser: a.impi,
      password: a.password,
      outboundProxy: core.pcscfUri('udp'),
      autoAnswer: false,
    });
    bob = await startLinphone({
      aor: b.impu,
      authUser: b.impi,
      password: b.password,
      realm: 'ims.test',
      proxy: core.pcscfUri('udp'),
      autoAnswer: true,
    });
    await Promise.all([alice.registered(15_000), bob.registered(15_000)]);
    // What the phones print.
    await alice.waitFor(/alice@ims\.test: \{0\/UDP\/v4\} 200 OK/, 2000);
    bob.command('status register');
    await bob.waitFor(/registered, identity=sip:bob@ims\.test/, 5000);

    // What the core logged and counted: each challenged once, then registered.
    for (const user of ['alice', 'bob']) {
      assert.equal(
        core.logLines(new RegExp(`REGISTER challenged .*impi=${user}@ims\\.test`), 'scscf').length >= 1,
        true,
        `no challenge logged for ${user}:\n${core.log().slice(-3000)}`,
      );
      assert.ok(
        core.logLines(new RegExp(`registered .*sip:${user}@ims\\.test`), 'scscf').length >= 1,
        `no registration logged for ${user}`,
      );
    }
    assert.ok((await core.metricValue('scscf', 'ims_registered_users')) >= 2);
    const hss = await core.metrics('hss');
    assert.ok(
      diameterCount(hss, /^(MAR|Multimedia-Auth)/) >= 2,
      `HSS MAR count:\n${grep(hss, 'diameter_requests_total')}`,
    );
    assert.ok(
      diameterCount(hss, /^(SAR|Server-Assignment)/) >= 2,
      `HSS SAR count:\n${grep(hss, 'diameter_requests_total')}`,
    );
    assert.ok(
      diameterCount(hss, /^(UAR|User-Authorization)/) >= 4,
      `HSS UAR count:\n${grep(hss, 'diameter_requests_total')}`,
    );
  });

  it('baresip calls linphonec: linphonec auto-answers, baresip hangs up', async () => {
    const before = await inviteAndByeCounts();
    const bFrom = bob.cursor();
    const aFrom = alice.cursor();
    await alice.dial('sip:bob@ims.test');
    const established = await alice.waitFor('CALL_ESTABLISHED', 15_000, aFrom);
    assert.equal(established.peeruri, 'sip:bob@ims.test');
    await bob.waitFor(/Receiving new incoming call from .*alice@ims\.test/, 5000, bFrom);
    await bob.connected(5000, bFrom);
    // linphonec sends (near) nothing without a play file: media is checked on its side.
    await bob.waitFor(/Media streams established with .*alice@ims\.test/, 5000, bFrom);

    const hangFrom = alice.cursor();
    await alice.hangup();
    await alice.waitFor('CALL_CLOSED', 5000, hangFrom);
    assert.equal(await bob.ended(5000, bFrom), 'No error');
    await assertCallCounted(before);
  });

  it('linphonec calls baresip: baresip answers on command, linphonec terminates', async () => {
    const before = await inviteAndByeCounts();
    const bFrom = bob.cursor();
    const aFrom = alice.cursor();
    await bob.call('sip:alice@ims.test');
    const incoming = await alice.waitFor('CALL_INCOMING', 15_000, aFrom);
    assert.match(incoming.peeruri ?? '', /^sip:bob@ims\.test/);
    await bob.waitFor(/Call \d+ to .* ringing\./, 5000, bFrom);
    await alice.answer();
    await alice.waitFor('CALL_ESTABLISHED', 5000, aFrom);
    await bob.connected(5000, bFrom);

    bob.terminate();
    assert.match(await bob.ended(5000, bFrom), /No error|Call terminated|Normal/i);
    const closed = await alice.waitFor('CALL_CLOSED', 5000, aFrom);
    // baresip reports a BYE from the peer as ECONNRESET.
    assert.equal(closed.param, 'Connection reset by peer');
    await assertCallCounted(before);
  });
});

function grep(text: string, prefix: string): string {
  return text
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .join('\n');
}

/** Requests the HSS answered (direction in) whose command label matches `command`. */
function diameterCount(metrics: string, command: RegExp): number {
  let sum = 0;
  for (const line of metrics.split('\n')) {
    const m = /^diameter_requests_total\{(.*)\}\s+(\S+)$/.exec(line);
    if (!m) continue;
    const cmd = /command="([^"]*)"/.exec(m[1]!)?.[1] ?? '';
    if (/direction="in"/.test(m[1]!) && command.test(cmd)) sum += Number(m[2]);
  }
  return sum;
}

interface CallCounts {
  pcscfInvite: number;
  pcscfBye: number;
  scscfInvite: number;
  scscfBye: number;
}

/** Server transactions (requests received) answered 200, at the P-CSCF and the S-CSCF. */
async function inviteAndByeCounts(): Promise<CallCounts> {
  const count = (fn: 'pcscf' | 'scscf', method: string) =>
    core.metricValue(fn, 'sip_transactions_total', { role: 'server', method, status: '200' });
  return {
    pcscfInvite: await count('pcscf', 'INVITE'),
    pcscfBye: await count('pcscf', 'BYE'),
    scscfInvite: await count('scscf', 'INVITE'),
    scscfBye: await count('scscf', 'BYE'),
  };
}

/**
 * One call more: the P-CSCF and the S-CSCF each answered the INVITE and the BYE with 200 (as
 * server transactions; both requests pass them on the originating and terminating legs).
 */
async function assertCallCounted(before: CallCounts): Promise<void> {
  const now = await inviteAndByeCounts();
  assert.ok(
    now.pcscfInvite - before.pcscfInvite >= 1,
    `P-CSCF INVITE 200: ${JSON.stringify({ before, now })}`,
  );
  assert.ok(
    now.scscfInvite - before.scscfInvite >= 1,
    `S-CSCF INVITE 200: ${JSON.stringify({ before, now })}`,
  );
  assert.ok(now.pcscfBye - before.pcscfBye >= 1, `P-CSCF BYE 200: ${JSON.stringify({ before, now })}`);
  assert.ok(now.scscfBye - before.scscfBye >= 1, `S-CSCF BYE 200: ${JSON.stringify({ before, now })}`);
}
