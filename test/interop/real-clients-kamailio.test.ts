/**
 * Issue #9 ("Real clients"), validated against a stand-in server: real baresip and linphonec
 * phones register with digest (username = the private identity alice@ims.test, realm ims.test)
 * to a Kamailio registrar/proxy and call each other; real media between two baresips (a 1 kHz
 * tone sent from a WAV, recorded on the other side, its frequency confirmed by sox); a tshark
 * capture of a registration and call with no malformed SIP. The same drivers will point at our
 * P-CSCF. Each test starts its own Kamailio and phones and checks that none is left running.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Baresip, startBaresip } from './helpers/baresip.ts';
import { type KamailioRegistrar, startKamailioRegistrar } from './helpers/kamailio-registrar.ts';
import { type Linphone, startLinphone } from './helpers/linphone.ts';
import { analyseToneFile, soxDominantFrequency, writeToneWav } from './helpers/tone.ts';
import { type Capture, malformedFrames, sipSummary, startCapture } from './helpers/tshark.ts';
import { processAlive } from './helpers/watched-process.ts';

const REALM = 'ims.test';
const USERS = [
  { username: 'alice@ims.test', password: 'alice-secret' },
  { username: 'bob@ims.test', password: 'bob-secret' },
];

function requireTool(command: string, args: string[], pkg: string): void {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) {
    throw new Error(
      `${command} is not installed: these tests need it (Debian package ${pkg}; .ci/run installs it)`,
    );
  }
}

/** Everything a test started, stopped in reverse order whatever happened. */
class Started {
  private readonly items: { pid: number | undefined; stop(): Promise<void> }[] = [];

  add<T extends { stop(): Promise<void>; process: { pid: number | undefined } }>(item: T): T {
    this.items.push({ pid: item.process.pid, stop: () => item.stop() });
    return item;
  }

  async stopAll(): Promise<void> {
    for (const item of this.items.reverse()) await item.stop().catch(() => undefined);
    const alive = this.items.filter((i) => processAlive(i.pid)).map((i) => i.pid);
    this.items.length = 0;
    assert.deepEqual(alive, [], `processes left running: ${alive.join(', ')}`);
  }
}

let dir: string;

before(async () => {
  // No skip: CI installs them (.ci/run); without them these tests fail with this message.
  requireTool('baresip', ['-h'], 'baresip');
  requireTool('linphonec', ['-v'], 'linphone-cli');
  requireTool('kamailio', ['-v'], 'kamailio');
  requireTool('tshark', ['-v'], 'tshark');
  requireTool('dumpcap', ['-v'], 'wireshark-common, a dependency of tshark');
  requireTool('sox', ['--version'], 'sox');
  dir = await mkdtemp(join(tmpdir(), 'ims-real-clients-'));
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function kamailio(started: Started): Promise<KamailioRegistrar> {
  return started.add(await startKamailioRegistrar({ users: USERS, realm: REALM }));
}

function alice(kam: KamailioRegistrar, extra: Partial<Parameters<typeof startBaresip>[0]> = {}) {
  return startBaresip({
    aor: 'sip:alice@ims.test',
    authUser: 'alice@ims.test',
    password: 'alice-secret',
    outboundProxy: kam.uri('udp'),
    ...extra,
  });
}

describe('real clients through Kamailio (issue #9 drivers)', () => {
  it('baresip calls linphonec: both register with the IMPI as digest username, linphonec auto-answers, baresip hangs up', async () => {
    const started = new Started();
    try {
      const kam = await kamailio(started);
      const a: Baresip = started.add(await alice(kam));
      const b: Linphone = started.add(
        await startLinphone({
          aor: 'sip:bob@ims.test',
          authUser: 'bob@ims.test',
          password: 'bob-secret',
          realm: REALM,
          proxy: kam.uri('udp'),
          autoAnswer: true,
        }),
      );
      await Promise.all([a.registered(), b.registered()]);
      // Challenged first, then accepted with the private identity as the digest username.
      assert.match(kam.log(/REGISTER-OK aor=sip:alice@ims.test/).join('\n'), /user=alice@ims\.test/);
      assert.match(kam.log(/REGISTER-OK aor=sip:bob@ims.test/).join('\n'), /user=bob@ims\.test/);
      assert.ok(kam.log(/REGISTER-CHALLENGE to=sip:alice@ims.test/).length >= 1);
      assert.ok(kam.log(/REGISTER-CHALLENGE to=sip:bob@ims.test/).length >= 1);

      const bFrom = b.cursor();
      await a.dial('sip:bob@ims.test');
      const established = await a.waitFor('CALL_ESTABLISHED', 10_000);
      assert.equal(established.peeruri, 'sip:bob@ims.test');
      await b.waitFor(/Receiving new incoming call from .*alice@ims\.test/, 5000, bFrom);
      await b.connected(5000, bFrom);

      const aFrom = a.cursor();
      await a.hangup();
      await a.waitFor('CALL_CLOSED', 5000, aFrom);
      assert.equal(await b.ended(5000, bFrom), 'No error');
      assert.equal(kam.log(/INVITE-ROUTED/).length, 1);
      assert.equal(kam.log(/IN-DIALOG BYE/).length, 1);
    } finally {
      await started.stopAll();
    }
  });

  it('linphonec calls baresip: baresip answers on command, linphonec terminates', async () => {
    const started = new Started();
    try {
      const kam = await kamailio(started);
      const a = started.add(await alice(kam, { autoAnswer: false }));
      const b = started.add(
        await startLinphone({
          aor: 'sip:bob@ims.test',
          authUser: 'bob@ims.test',
          password: 'bob-secret',
          proxy: kam.uri('udp'),
        }),
      );
      await Promise.all([a.registered(), b.registered()]);

      const bFrom = b.cursor();
      await b.call('sip:alice@ims.test');
      const incoming = await a.waitFor('CALL_INCOMING', 10_000);
      assert.match(incoming.peeruri ?? '', /^sip:bob@ims\.test/);
      await b.waitFor(/Call \d+ to .* ringing\./, 5000, bFrom);
      await a.answer();
      await a.waitFor('CALL_ESTABLISHED', 5000);
      await b.connected(5000, bFrom);

      b.terminate();
      await b.ended(5000, bFrom);
      const closed = await a.waitFor('CALL_CLOSED', 5000);
      // baresip reports a BYE from the peer as ECONNRESET.
      assert.equal(closed.param, 'Connection reset by peer');
      assert.equal(kam.log(/IN-DIALOG BYE/).length, 1);
    } finally {
      await started.stopAll();
    }
  });

  it('over TCP, baresip and linphonec exchange tones both ways (1200 Hz one way, 800 Hz the other)', async () => {
    const started = new Started();
    try {
      const kam = await kamailio(started);
      const recordDir = await mkdtemp(join(dir, 'rec-tcp-'));
      const toA = await writeToneWav(join(dir, 'tone-800.wav'), { frequency: 800, seconds: 15 });
      const toB = await writeToneWav(join(dir, 'tone-1200.wav'), { frequency: 1200, seconds: 15 });
      const linphoneHeard = join(recordDir, 'linphone-heard.wav');
      const a = started.add(
        await alice(kam, { outboundProxy: kam.uri('tcp'), transport: 'tcp', audioSourceWav: toB, recordDir }),
      );
      const b = started.add(
        await startLinphone({
          aor: 'sip:bob@ims.test',
          authUser: 'bob@ims.test',
          password: 'bob-secret',
          proxy: kam.uri('tcp'),
          autoAnswer: true,
          playWav: toA,
          recordWav: linphoneHeard,
        }),
      );
      await Promise.all([a.registered(), b.registered()]);
      assert.match(kam.log(/REGISTER-OK aor=sip:alice@ims.test/).join('\n'), /transport=tcp/);
      assert.match(kam.log(/REGISTER-OK aor=sip:bob@ims.test/).join('\n'), /transport=tcp/);

      const bFrom = b.cursor();
      await a.dial('sip:bob@ims.test');
      await a.waitFor('CALL_ESTABLISHED', 10_000);
      await b.waitFor(/Media streams established/, 5000, bFrom);
      await a.waitFor('CALL_RTPESTAB', 5000);
      await new Promise((r) => setTimeout(r, 2000));
      await a.hangup();
      await a.waitFor('CALL_CLOSED', 5000);
      await b.ended(5000, bFrom);
      // linphonec's recorder is closed for sure once it has quit.
      await b.stop();

      const baresipHeard = (await a.recordings())[0] ?? '';
      const atA = await analyseToneFile(baresipHeard);
      const atB = await analyseToneFile(linphoneHeard);
      assert.ok(Math.abs(atA.frequency - 800) <= 20, `baresip heard ${atA.frequency} Hz`);
      assert.ok(Math.abs(atB.frequency - 1200) <= 20, `linphonec heard ${atB.frequency} Hz`);
      assert.ok(atA.rmsDb > -15 && atB.rmsDb > -15, `levels ${atA.rmsDb} / ${atB.rmsDb} dBFS`);
    } finally {
      await started.stopAll();
    }
  });

  it('two baresips: a 1 kHz tone from a WAV arrives (sox), and the capture has no malformed SIP', async () => {
    const started = new Started();
    try {
      const kam = await kamailio(started);
      const pcap = join(dir, 'tone-call.pcapng');
      const capture: Capture = started.add(
        await startCapture({ ports: [kam.port], file: pcap, maxSeconds: 40 }),
      );
      const tone = await writeToneWav(join(dir, 'tone-1k.wav'), {
        frequency: 1000,
        seconds: 15,
        amplitude: 0.5,
      });
      const recordDir = await mkdtemp(join(dir, 'rec-'));
      const a = started.add(await alice(kam, { audioSourceWav: tone }));
      const b = started.add(
        await startBaresip({
          aor: 'sip:bob@ims.test',
          authUser: 'bob@ims.test',
          password: 'bob-secret',
          outboundProxy: kam.uri('udp'),
          autoAnswer: true,
          recordDir,
        }),
      );
      await Promise.all([a.registered(), b.registered()]);
      await a.dial('sip:bob@ims.test');
      await a.waitFor('CALL_ESTABLISHED', 10_000);
      // Media for a while: the established event comes before the first RTP packet.
      await b.waitFor('CALL_RTPESTAB', 5000);
      await new Promise((r) => setTimeout(r, 2000));
      await a.hangup();
      await b.waitFor('CALL_CLOSED', 5000);

      const recordings = await b.recordings();
      assert.equal(recordings.length, 1, `recordings: ${recordings.join(', ')}`);
      const file = recordings[0] ?? '';
      const heard = await analyseToneFile(file);
      assert.ok(Math.abs(heard.frequency - 1000) <= 20, `dominant frequency ${heard.frequency} Hz`);
      // Sent at 0.5 peak (-9 dBFS RMS); G.711 keeps the level within a dB or two.
      assert.ok(heard.rmsDb > -15 && heard.rmsDb < -5, `level ${heard.rmsDb.toFixed(1)} dBFS`);
      assert.ok(heard.purity > 0.9, `purity ${heard.purity}`);
      assert.ok(heard.audibleSeconds >= 1.5, `heard for ${heard.audibleSeconds} s`);
      const sox = soxDominantFrequency(file);
      assert.ok(Math.abs(sox.frequency - 1000) <= 20, `sox: dominant frequency ${sox.frequency} Hz`);

      await a.stop();
      await b.stop();
      await capture.stop();
      const decodeAs = [{ proto: 'udp' as const, port: kam.port, as: 'sip' as const }];
      assert.deepEqual(malformedFrames(pcap, decodeAs), []);
      const seen = sipSummary(pcap, decodeAs);
      for (const m of [
        'REGISTER',
        '401 REGISTER',
        '200 REGISTER',
        'INVITE',
        '200 INVITE',
        'ACK',
        'BYE',
        '200 BYE',
      ]) {
        assert.ok(seen.includes(m), `${m} not in the capture: ${seen.join(', ')}`);
      }
    } finally {
      await started.stopAll();
    }
  });
});
