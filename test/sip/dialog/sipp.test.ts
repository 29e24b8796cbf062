import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { B2bua } from '../../../src/sip/dialog/b2bua.ts';
import { UasSession } from '../../../src/sip/dialog/uas-session.ts';
import { parseUri } from '../../../src/sip/message/index.ts';
import { eventually, startUa } from './sockets.ts';
import { SDP_ANSWER } from './wire.ts';

const FIXTURES = new URL('../../fixtures/sipp-dialog/', import.meta.url).pathname;
/** SIPp's own bound (-timeout, seconds) and ours on top of it, for a SIPp that hangs. */
const SIPP_TIMEOUT_S = 20;
const GUARD_MS = (SIPP_TIMEOUT_S + 15) * 1000;

interface SippResult {
  code: number | null;
  /** The last row of the -trace_stat CSV, by column name. */
  stats: Map<string, string>;
  output: string;
}

const children = new Set<ChildProcess>();
let dir = '';

function sippMissing(): string | undefined {
  const r = spawnSync('sipp', ['-v'], { encoding: 'utf8' });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    return 'sipp is not installed (not on PATH): install the Debian package "sipp" (.ci/run does it in CI)';
  }
  return undefined;
}

/** A UDP port free right now on 127.0.0.1, for a SIPp instance to bind. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function readStats(file: string): Promise<Map<string, string>> {
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.split(';') ?? [];
  const last = lines.length > 1 ? lines[lines.length - 1]!.split(';') : [];
  return new Map(header.map((name, i) => [name, last[i] ?? '']));
}

/** Runs one bounded SIPp call (-m 1, -timeout, -timeout_error) and reads its -trace_stat CSV. */
function runSipp(name: string, scenario: string, args: string[]): Promise<SippResult> {
  const stf = join(dir, `${name}.csv`);
  const child = spawn(
    'sipp',
    [
      '-sf',
      join(FIXTURES, scenario),
      ...args,
      '-i',
      '127.0.0.1',
      '-m',
      '1',
      '-nostdin',
      '-timeout',
      `${SIPP_TIMEOUT_S}s`,
      '-timeout_error',
      '-trace_stat',
      '-stf',
      stf,
      '-fd',
      '1',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    if (output.length < 20_000) output += chunk.toString('utf8');
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const guard = setTimeout(() => child.kill('SIGKILL'), GUARD_MS);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(guard);
      children.delete(child);
      readStats(stf).then((stats) => resolve({ code, stats, output }), reject);
    });
  });
}

function assertOneSuccessfulCall(result: SippResult, who: string): void {
  const ok = result.stats.get('SuccessfulCall(C)');
  const failed = result.stats.get('FailedCall(C)');
  assert.equal(
    ok,
    '1',
    `${who}: SuccessfulCall(C)=${ok} FailedCall(C)=${failed} exit ${result.code}\n${result.output.slice(-3000)}`,
  );
  assert.equal(failed, '0', `${who}: FailedCall(C)=${failed}`);
}

type Ua = Awaited<ReturnType<typeof startUa>>;
const open: Ua[] = [];

describe('SIPp interop (RFC 3261 dialogs)', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sipp-dialog-'));
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(open.map((ua) => ua.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('a SIPp UAC calls our UAS, which answers 180/200 and sends BYE after the ACK', async () => {
    const missing = sippMissing();
    if (missing) assert.fail(missing);
    const uas = await startUa('udp');
    open.push(uas);
    const sessions: UasSession[] = [];
    uas.core.setRequestHandler((request, transaction) => {
      const s = UasSession.receive(uas.core, request, transaction);
      sessions.push(s);
      void s
        .progress(180)
        .then(() => s.accept({ body: SDP_ANSWER }))
        .then((ack) => {
          if (ack) s.bye();
        });
    });
    const port = await freePort();
    const result = await runSipp('uac-callee-hangs-up', 'uac-callee-hangs-up.xml', [
      '-p',
      String(port),
      '-s',
      'bob',
      `127.0.0.1:${uas.port}`,
    ]);
    assertOneSuccessfulCall(result, 'SIPp UAC');
    await eventually(() => sessions[0]?.cause?.reason === 'local-bye', 'our BYE answered');
    await eventually(() => uas.core.stats().dialogs === 0, 'dialog gone');
  });

  it('a SIPp UAC calls a SIPp UAS through our B2BUA', async () => {
    const missing = sippMissing();
    if (missing) assert.fail(missing);
    const b2b = await startUa('udp');
    open.push(b2b);
    const calleePort = await freePort();
    const b2bua = new B2bua({
      core: b2b.core,
      hooks: {
        route: (_a, b) => {
          b.requestUri = parseUri(`sip:bob@127.0.0.1:${calleePort}`);
          return b;
        },
      },
    });
    b2b.core.setRequestHandler(b2bua.handler());
    const callee = runSipp('uas-answers', 'uas-answers.xml', ['-p', String(calleePort)]);
    const callerPort = await freePort();
    const caller = runSipp('uac-caller-hangs-up', 'uac-caller-hangs-up.xml', [
      '-p',
      String(callerPort),
      '-s',
      'bob',
      `127.0.0.1:${b2b.port}`,
    ]);
    const [uac, uasResult] = await Promise.all([caller, callee]);
    assertOneSuccessfulCall(uac, 'SIPp UAC');
    assertOneSuccessfulCall(uasResult, 'SIPp UAS');
    await eventually(() => b2bua.calls.size === 0, 'B2BUA call ended');
  });
});
