// Interop with freeDiameter 1.2.1 (Debian freediameterd) as a real peer: capabilities exchange,
// watchdog and disconnect, each side initiating once. freeDiameter ignores loopback addresses
// (INTEROP.md), so the test makes a network namespace with a veth pair 198.18.0.1 <-> .2 and runs
// both freeDiameterd and our side (test/diameter/interop/fd-scenario.ts) inside it. Needs root.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = new URL('../../../', import.meta.url).pathname;
const installed = spawnSync('sh', ['-c', 'command -v freeDiameterd'], { encoding: 'utf8' }).status === 0;
const NS = `imsfd${process.pid}`;
const OURS = '198.18.0.1';
const FD = '198.18.0.2';

function sh(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
}

interface Proc {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
  waitFor(event: string, ms: number): Promise<Record<string, unknown>>;
}

function run(cmd: string, args: string[], logFile?: string): Proc {
  const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let out = '';
  let log = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (logFile) log += d.toString();
    let i = out.indexOf('\n');
    while (i !== -1) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      if (!logFile && line.startsWith('{')) lines.push(JSON.parse(line));
      i = out.indexOf('\n');
    }
  });
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      if (logFile) writeFileSync(logFile, log);
      resolve(code);
    }),
  );
  const waitFor = async (event: string, ms: number) => {
    const start = Date.now();
    for (;;) {
      const hit = lines.find((l) => l.event === event || l.event === 'error');
      if (hit) {
        if (hit.event === 'error') throw new Error(`our side failed: ${hit.message}\n${log}`);
        return hit;
      }
      if (Date.now() - start > ms)
        throw new Error(`no '${event}' after ${ms} ms; got ${JSON.stringify(lines)}\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, lines, exited, waitFor };
}

describe('interop with freeDiameter (network namespace, 198.18.0.0/30)', {
  skip: installed ? false : 'freeDiameterd is not installed (apt-get install freediameterd)',
}, () => {
  let dir = '';
  const running: ChildProcess[] = [];

  const startFreeDiameter = (name: string): Proc => {
    const p = run(
      'ip',
      ['netns', 'exec', NS, 'freeDiameterd', '-c', join(dir, 'fd.conf'), '-d'],
      join(dir, `${name}.log`),
    );
    running.push(p.child);
    return p;
  };
  const startOurs = (mode: string): Proc => {
    const p = run('ip', [
      'netns',
      'exec',
      NS,
      process.execPath,
      '--import',
      'tsx',
      'test/diameter/interop/fd-scenario.ts',
      mode,
      OURS,
      FD,
    ]);
    running.push(p.child);
    return p;
  };

  before(() => {
    sh('ip', ['netns', 'add', NS]);
    sh('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    sh('ip', ['-n', NS, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1']);
    sh('ip', ['-n', NS, 'addr', 'add', `${OURS}/30`, 'dev', 'veth0']);
    sh('ip', ['-n', NS, 'addr', 'add', `${FD}/30`, 'dev', 'veth1']);
    sh('ip', ['-n', NS, 'link', 'set', 'veth0', 'up']);
    sh('ip', ['-n', NS, 'link', 'set', 'veth1', 'up']);
    dir = mkdtempSync(join(tmpdir(), 'ims-fd-'));
    // INTEROP.md: freeDiameter wants TLS credentials even when its peers use plain TCP.
    sh('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=fd.ims.test',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    writeFileSync(
      join(dir, 'fd.conf'),
      `Identity = "fd.ims.test";
Realm = "ims.test";
Port = 3868;
SecPort = 5658;
TLS_Cred = "${dir}/cert.pem", "${dir}/key.pem";
TLS_CA = "${dir}/cert.pem";
ListenOn = "${FD}";
No_SCTP;
No_IPv6;
TcTimer = 3;
TwTimer = 6;
ConnectPeer = "node.ims.test" { ConnectTo = "${OURS}"; No_TLS; Port = 3868; };
`,
    );
  });

  after(async () => {
    for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', NS]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('freeDiameter connects to us: CER/CEA, its DWR answered, its DPR on shutdown answered', async () => {
    const ours = startOurs('fd-connects');
    await new Promise((r) => setTimeout(r, 500)); // let our side listen first
    const fd = startFreeDiameter('fd1');
    const open = await ours.waitFor('open', 20_000);
    assert.equal(open.state, 'R-Open');
    assert.deepEqual(open.applications, [16777216], 'Relay on its side matches our Cx');
    const wd = await ours.waitFor('watchdog', 20_000);
    assert.ok((wd.dwrReceived as number) >= 1);
    await ours.waitFor('ready', 5000);
    fd.child.kill('SIGTERM'); // freeDiameterd sends DPR to its peers when it stops
    const closed = await ours.waitFor('closed', 20_000);
    assert.equal(closed.dprReceived, 1);
    assert.equal(await ours.exited, 0);
    await fd.exited;
  });

  it('we connect to freeDiameter: CER/CEA, our DWRs answered, a Cx UAR to it refused with 3007 (3002 when only its realm is named), our DPR answered', async () => {
    const fd = startFreeDiameter('fd2');
    await new Promise((r) => setTimeout(r, 1000)); // freeDiameterd binds its port
    const ours = startOurs('we-connect');
    const open = await ours.waitFor('open', 20_000);
    assert.equal(open.state, 'I-Open');
    const wd = await ours.waitFor('watchdog', 20_000);
    assert.ok((wd.dwaReceived as number) >= 2);
    assert.equal(wd.watchdog, 'OKAY');
    // INTEROP.md: with no Cx application and no route, freeDiameter answers 3002 (E bit).
    const uar = await ours.waitFor('uar', 10_000);
    assert.deepEqual(uar, { event: 'uar', resultCode: 3002, error: true });
    // Addressed to it (Destination-Host), a request for an application it does not support
    // gets 3007 DIAMETER_APPLICATION_UNSUPPORTED (its routing_dispatch.c, msg_rt_in).
    const toFd = await ours.waitFor('uar-to-fd', 10_000);
    assert.deepEqual(toFd, { event: 'uar-to-fd', resultCode: 3007, error: true });
    await ours.waitFor('closed', 10_000);
    assert.equal(await ours.exited, 0);
    fd.child.kill('SIGTERM');
    await fd.exited;
    const log = readFileSync(join(dir, 'fd2.log'), 'utf8');
    assert.match(log, /Peer 'node\.ims\.test' sent a DPR with cause: REBOOTING/);
  });
});
