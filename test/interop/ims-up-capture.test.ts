/**
 * Issue #9: a capture of a full registration and call through our core (`ims up --config`, free
 * ports), decoded by tshark: two real baresip phones register with digest and call each other;
 * dumpcap records every SIP port of the chain (P-CSCF, I-CSCF, S-CSCF, UDP and TCP) and the
 * HSS's Diameter port on loopback. tshark must find no malformed or expert-flagged SIP or
 * Diameter frame, every step of the registration and call, and the Cx commands with answers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Baresip, startBaresip } from './helpers/baresip.ts';
import { type ImsUp, startImsUp } from './helpers/ims-up.ts';
import {
  type Capture,
  type DecodeAs,
  diameterMessages,
  malformedFrames,
  readCapture,
  sipSummary,
  startCapture,
} from './helpers/tshark.ts';
import { processAlive } from './helpers/watched-process.ts';

function requireTool(command: string, args: string[], pkg: string): void {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw new Error(`${command} is not installed: these tests need it (Debian package ${pkg})`);
}

/**
 * `ours` plus the other end of every conversation with our ports (the phones' SIP ports, the
 * CSCFs' Diameter client ports), decoded the same way. Wireshark tries the LOWER port's
 * dissector first: a SIP message from a phone whose random port happens to be registered to
 * some other protocol (38 such ports in 32768-60999) would otherwise be decoded as that one.
 */
function withPeerPorts(file: string, ours: readonly DecodeAs[]): DecodeAs[] {
  const out = new Map(ours.map((d) => [`${d.proto}:${d.port}`, d]));
  const lines = readCapture(file, [
    '-T',
    'fields',
    '-E',
    'separator=/t',
    '-e',
    'udp.srcport',
    '-e',
    'udp.dstport',
    '-e',
    'tcp.srcport',
    '-e',
    'tcp.dstport',
  ]);
  for (const line of lines) {
    const [us, ud, ts, td] = line.split('\t').map((v) => (v ? Number(v) : undefined));
    for (const [proto, a, b] of [
      ['udp', us, ud],
      ['tcp', ts, td],
    ] as const) {
      if (a === undefined || b === undefined) continue;
      const pairs: [number, number][] = [
        [a, b],
        [b, a],
      ];
      for (const [mine, peer] of pairs) {
        const known = out.get(`${proto}:${mine}`);
        if (known && ours.includes(known) && !out.has(`${proto}:${peer}`))
          out.set(`${proto}:${peer}`, { proto, port: peer, as: known.as });
      }
    }
  }
  return [...out.values()];
}

/** Cx command codes (TS 29.229 §6.1). */
const CX = { UAR: 300, SAR: 301, LIR: 302, MAR: 303 } as const;

let core: ImsUp;
let dir: string;
let capture: Capture | undefined;
const phones: Baresip[] = [];

before(async () => {
  requireTool('baresip', ['-h'], 'baresip');
  requireTool('tshark', ['-v'], 'tshark');
  requireTool('dumpcap', ['-v'], 'wireshark-common, a dependency of tshark');
  dir = await mkdtemp(join(tmpdir(), 'ims-up-capture-'));
  core = await startImsUp();
});

after(async () => {
  const pids = [...phones.map((p) => p.process.pid), capture?.process.pid];
  for (const p of phones) await p.stop().catch(() => undefined);
  await capture?.stop().catch(() => undefined);
  await core?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  assert.deepEqual(
    pids.filter((p) => processAlive(p)),
    [],
    'processes left running',
  );
});

describe('tshark capture of ims up (issue #9)', () => {
  it('registration and call between two baresips: no malformed SIP or Diameter, every step and Cx command seen', async () => {
    const { pcscf, icscf, scscf, hssDiameter } = core.ports;
    const sipPorts = [pcscf, icscf, scscf];
    const ours: DecodeAs[] = [
      ...sipPorts.flatMap((port) => [
        { proto: 'udp' as const, port, as: 'sip' as const },
        { proto: 'tcp' as const, port, as: 'sip' as const },
      ]),
      { proto: 'tcp', port: hssDiameter, as: 'diameter' },
    ];
    const file = join(dir, 'ims-up.pcapng');
    capture = await startCapture({ ports: [...sipPorts, hssDiameter], file, maxSeconds: 40 });

    const a = core.subscriber('alice');
    const b = core.subscriber('bob');
    const alice = await startBaresip({
      aor: a.impu,
      authUser: a.impi,
      password: a.password,
      outboundProxy: core.pcscfUri('udp'),
    });
    phones.push(alice);
    const bob = await startBaresip({
      aor: b.impu,
      authUser: b.impi,
      password: b.password,
      outboundProxy: core.pcscfUri('udp'),
      autoAnswer: true,
    });
    phones.push(bob);
    await Promise.all([alice.registered(15_000), bob.registered(15_000)]);
    await alice.dial('sip:bob@ims.test');
    await alice.waitFor('CALL_ESTABLISHED', 15_000);
    await bob.waitFor('CALL_ESTABLISHED', 5000);
    await alice.hangup();
    await alice.waitFor('CALL_CLOSED', 5000);
    await bob.waitFor('CALL_CLOSED', 5000);
    // Quitting un-REGISTERs: those exchanges are in the capture too.
    await Promise.all(phones.splice(0).map((p) => p.stop()));
    // Capture.stop waits until everything sent so far is in the file (its marker datagram).
    await capture.stop();

    const decodeAs = withPeerPorts(file, ours);
    // malformedFrames leaves out the capture's own marker datagram.
    const flagged = malformedFrames(file, decodeAs);
    assert.deepEqual(flagged, [], JSON.stringify(flagged, null, 2));

    const seen = sipSummary(file, decodeAs);
    for (const m of [
      'REGISTER',
      '401 REGISTER',
      '200 REGISTER',
      'INVITE',
      '180 INVITE',
      '200 INVITE',
      'ACK',
      'BYE',
      '200 BYE',
    ]) {
      assert.ok(seen.includes(m), `${m} not in the capture: ${[...new Set(seen)].join(', ')}`);
    }

    const diameter = diameterMessages(file, decodeAs);
    for (const [name, code] of Object.entries(CX)) {
      const requests = diameter.filter((d) => d.commandCode === code && d.request);
      const answers = diameter.filter((d) => d.commandCode === code && !d.request);
      assert.ok(requests.length >= 1, `no ${name} (${code}) request in the capture`);
      assert.equal(
        answers.length,
        requests.length,
        `${name}: ${requests.length} requests, ${answers.length} answers`,
      );
      // UAA's success is an Experimental-Result (DIAMETER_FIRST/SUBSEQUENT_REGISTRATION).
      if (code !== CX.UAR)
        assert.ok(
          answers.every((d) => d.resultCode === 2001),
          `${name} answers: ${answers.map((d) => d.resultCode).join(', ')}`,
        );
      assert.ok(
        [...requests, ...answers].every((d) => d.applicationId === 16777216),
        `${name} is a Cx (16777216) message`,
      );
    }
  });
});
