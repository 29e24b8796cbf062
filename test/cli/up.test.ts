/**
 * `ims up` as an operator runs it: one child process per network function (the only test that
 * binds the default ports, so one file, serial), `ims status`, /health and /metrics, Ctrl-C,
 * data kept across restarts, a dying function stopping everything.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { DISCOVERED_FUNCTIONS, isFunctionAvailable } from '../../src/functions/host/availability.ts';

const bin = new URL('../../bin/ims.js', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'ims-up-'));
const ims = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

/** What `ims up` starts here: the HSS and every CSCF whose code is in the tree. */
const expected = ['hss', ...['scscf', 'icscf', 'pcscf'].filter(isFunctionAvailable)];

interface UpState {
  pid: number;
  functions: { name: string; pid: number; http: string }[];
}

/** Every `ims up` started: one a failed assertion left running is stopped after the tests. */
const started: ChildProcess[] = [];

/** Starts `ims up`, waits for its start-up summary, returns it with the child. */
function up(...extra: string[]): Promise<{ child: ChildProcess; out: () => string; summary: string }> {
  const child = spawn(process.execPath, [bin, 'up', '--data', dataDir, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ims up did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('Ctrl-C stops.')) {
        clearTimeout(timer);
        resolve({ child, out: () => out, summary: out });
      }
    });
    child.stderr!.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ims up exited with ${code}:\n${out}`));
    });
  });
}

function exited(child: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    if (child.exitCode !== null) resolve(child.exitCode);
    child.on('exit', (code, signal) => resolve(code ?? `signal ${signal}`));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const readState = () => JSON.parse(readFileSync(join(dataDir, 'ims-up.json'), 'utf8')) as UpState;

describe('ims up', () => {
  after(() => {
    for (const child of started)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a bad key in ims.yaml: exit 1 naming it, nothing started', () => {
    const file = join(dataDir, 'bad.yaml');
    writeFileSync(file, 'hss:\n  http: { port: 0 }\nscscf:\n  registrar:\n    maxExpires: -5\n');
    const r = ims('up', '--config', file, '--data', dataDir);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    const key = isFunctionAvailable('scscf') ? /scscf\.registrar\.maxExpires/ : /scscf/;
    assert.match(r.stderr, key);
    assert.equal(existsSync(join(dataDir, 'hss.sqlite')), false, 'no subscriber store created');
  });

  it('ims status with nothing running: exit 1, one line', () => {
    const r = ims('status', '--data', dataDir);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^ims status: nothing running/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('starts every function in its own process, status and health show them up, Ctrl-C stops all; data kept', async () => {
    const first = await up();
    const password = /sip:alice@ims\.test .* password (\S+)/.exec(first.summary)?.[1];
    assert.ok(password, first.summary);
    assert.match(first.summary, /^ {2}hss +pid \d+ +Diameter 127\.0\.0\.1:3868/m);
    for (const name of expected) assert.match(first.summary, new RegExp(`^  ${name} +pid \\d+`, 'm'));
    for (const name of DISCOVERED_FUNCTIONS.filter((n) => !isFunctionAvailable(n)))
      assert.match(first.summary, new RegExp(`^  ${name} .*not implemented yet`, 'm'));
    if (isFunctionAvailable('pcscf'))
      assert.match(
        first.summary,
        /Register a softphone: proxy\/outbound 127\.0\.0\.1:5060 \(udp\/tcp\), domain ims\.test, user alice/,
      );
    assert.equal(first.summary.trimEnd().split('\n').at(-1), 'Ctrl-C stops.');
    // One combined log, the function's name on each line.
    assert.match(first.out(), /^\d\d:\d\d:\d\d\.\d{3} hss +INFO +HSS started/m);

    const state = readState();
    assert.deepEqual(
      state.functions.map((f) => f.name),
      expected,
    );
    const pids = state.functions.map((f) => f.pid);
    assert.equal(new Set([...pids, state.pid]).size, pids.length + 1, 'one process each');

    const status = ims('status', '--json', '--data', dataDir);
    assert.equal(status.status, 0, status.stderr);
    const report = JSON.parse(status.stdout) as {
      functions: {
        name: string;
        state: string;
        sip: unknown[];
        diameterPeers: { host: string; state: string }[];
      }[];
    };
    assert.deepEqual(
      report.functions.map((f) => [f.name, f.state]),
      expected.map((n) => [n, 'up']),
    );
    const scscf = report.functions.find((f) => f.name === 'scscf');
    if (scscf)
      assert.deepEqual(
        scscf.diameterPeers.map((p) => p.host),
        ['hss.ims.test'],
      );
    assert.match(ims('status', '--data', dataDir).stdout, /^hss +\d+ +up /m);

    for (const f of state.functions) {
      const health = await fetch(`${f.http}/health`);
      assert.equal(health.status, 200, f.name);
      assert.equal(((await health.json()) as { name: string }).name, f.name);
      const metrics = await (await fetch(`${f.http}/metrics`)).text();
      assert.match(metrics, new RegExp(`^ims_function_up\\{function="${f.name}"\\} 1$`, 'm'));
      assert.match(metrics, /^process_resident_memory_bytes/m);
    }
    const rest = await fetch('http://127.0.0.1:8080/api/v1/subscribers');
    assert.equal(((await rest.json()) as { total: number }).total, 4);

    const code = exited(first.child);
    first.child.kill('SIGINT');
    assert.equal(await code, 0);
    for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid} stopped`);
    assert.equal(existsSync(join(dataDir, 'ims-up.json')), false);

    // Later starts keep the data; a function dying stops everything, exit non-zero.
    const second = await up();
    assert.ok(second.summary.includes(`password ${password}`), 'the same subscribers after a restart');
    const again = readState();
    const victim = again.functions.at(-1)!;
    const code2 = exited(second.child);
    process.kill(victim.pid, 'SIGKILL');
    assert.equal(await code2, 1);
    assert.match(second.out(), new RegExp(`${victim.name} \\(pid ${victim.pid}\\) died unexpectedly`));
    for (const f of again.functions) assert.equal(alive(f.pid), false, `${f.name} stopped`);
  });
});
