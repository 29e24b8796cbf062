/**
 * Issue #9, real media end to end through our core (`ims up --config`, free ports): two real
 * baresip phones register with digest and alice calls bob; alice's microphone is a WAV file
 * with a 1 kHz tone (baresip's aufile source), bob records what it receives (sndfile). The core
 * carries only the SIP and the SDP; the RTP flows between the phones, and sox confirms the
 * tone's frequency arrived.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Baresip, startBaresip } from './helpers/baresip.ts';
import { type ImsUp, startImsUp } from './helpers/ims-up.ts';
import { analyseToneFile, soxDominantFrequency, writeToneWav } from './helpers/tone.ts';
import { processAlive } from './helpers/watched-process.ts';

function requireTool(command: string, args: string[], pkg: string): void {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw new Error(`${command} is not installed: these tests need it (Debian package ${pkg})`);
}

let core: ImsUp;
let dir: string;
const phones: Baresip[] = [];

before(async () => {
  requireTool('baresip', ['-h'], 'baresip');
  requireTool('sox', ['--version'], 'sox');
  dir = await mkdtemp(join(tmpdir(), 'ims-media-'));
  core = await startImsUp();
});

after(async () => {
  const pids = phones.map((p) => p.process.pid);
  for (const p of phones) await p.stop().catch(() => undefined);
  await core?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  assert.deepEqual(
    pids.filter((p) => processAlive(p)),
    [],
    'phones left running',
  );
});

describe('real media through ims up (issue #9)', () => {
  it('a 1 kHz tone played by one baresip from a WAV arrives at the other (sox: 1000 ± 20 Hz)', async () => {
    const tone = await writeToneWav(join(dir, 'tone-1k.wav'), {
      frequency: 1000,
      seconds: 15,
      amplitude: 0.5,
    });
    const recordDir = await mkdtemp(join(dir, 'rec-'));
    const a = core.subscriber('alice');
    const b = core.subscriber('bob');
    const alice = await startBaresip({
      aor: a.impu,
      authUser: a.impi,
      password: a.password,
      outboundProxy: core.pcscfUri('udp'),
      audioSourceWav: tone,
    });
    phones.push(alice);
    const bob = await startBaresip({
      aor: b.impu,
      authUser: b.impi,
      password: b.password,
      outboundProxy: core.pcscfUri('udp'),
      autoAnswer: true,
      recordDir,
    });
    phones.push(bob);
    await Promise.all([alice.registered(15_000), bob.registered(15_000)]);

    await alice.dial('sip:bob@ims.test');
    await alice.waitFor('CALL_ESTABLISHED', 15_000);
    const incoming = await bob.waitFor('CALL_ESTABLISHED', 5000);
    assert.match(incoming.peeruri ?? '', /^sip:alice@ims\.test/);
    // The established event comes before the first RTP packet: wait for it, then 2 s of tone.
    await bob.waitFor('CALL_RTPESTAB', 5000);
    await sleep(2000);
    await alice.hangup();
    await bob.waitFor('CALL_CLOSED', 5000);

    const recordings = await bob.recordings();
    assert.equal(recordings.length, 1, `recordings: ${recordings.join(', ')}`);
    const file = recordings[0] ?? '';
    const sox = soxDominantFrequency(file);
    assert.ok(Math.abs(sox.frequency - 1000) <= 20, `sox: dominant frequency ${sox.frequency} Hz`);
    const heard = await analyseToneFile(file);
    assert.ok(Math.abs(heard.frequency - 1000) <= 20, `dominant frequency ${heard.frequency} Hz`);
    // Sent at 0.5 peak (-9 dBFS RMS); G.711 keeps the level within a dB or two.
    assert.ok(heard.rmsDb > -15 && heard.rmsDb < -5, `level ${heard.rmsDb.toFixed(1)} dBFS`);
    assert.ok(heard.audibleSeconds >= 1.5, `heard for ${heard.audibleSeconds} s`);

    // The core carried the SDP: the offer and the answer passed the P-CSCF (INVITE 200 counted).
    assert.ok(
      (await core.metricValue('pcscf', 'sip_transactions_total', { method: 'INVITE', status: '200' })) >= 1,
    );
  });
});
