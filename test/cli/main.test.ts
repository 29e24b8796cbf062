import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { runImsCommand as imsAsync } from './helpers/ims-command.ts';

const bin = new URL('../../bin/ims.js', import.meta.url).pathname;
const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const ims = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

describe('ims command', () => {
  it('help lists the commands of ARCHITECTURE.md §7', () => {
    const r = ims('help');
    assert.equal(r.status, 0);
    for (const c of ['up', 'run', 'status', 'subscriber', 'aka vector'])
      assert.match(r.stdout, new RegExp(`\\n  ${c}`));
  });
  it('ims, ims --help and ims -h print the usage on stdout and exit 0', async () => {
    const runs = await Promise.all([imsAsync(), imsAsync('--help'), imsAsync('-h')]);
    for (const r of runs) {
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^usage: ims <command> \[options\]\n/);
      assert.equal(r.stderr, '');
    }
  });

  it('every command and subcommand prints its own usage for --help and -h, exit 0, nothing done', async () => {
    // [arguments, what its usage starts with]
    const cases: [string[], RegExp][] = [
      [['up', '--help'], /^usage: ims up \[--config ims\.yaml\]/],
      [['run', '--help'], /^usage: ims run <function> --config FILE[\s\S]*\n {2}hss +HSS/],
      [['run', 'hss', '-h'], /^usage: ims run <function>/],
      [['status', '--help'], /^usage: ims status \[--json\]/],
      [['aka', '--help'], /^usage: ims aka vector --k HEX/],
      [['aka', 'vector', '--help'], /^usage: ims aka vector --k HEX[\s\S]*ak_star/],
      [['aka', 'vector', '--k', '00', '-h'], /^usage: ims aka vector/],
      [['subscriber', '--help'], /^usage: ims subscriber add <impu>[\s\S]*ims subscriber import FILE\.csv/],
      [['subscriber', 'add', '--help'], /^usage: ims subscriber add <impu>[\s\S]*generates a password/],
      [['subscriber', 'add', 'sip:a@ims.test', '-h'], /^usage: ims subscriber add <impu>/],
      [['subscriber', 'show', '--help'], /^usage: ims subscriber show <impu>/],
      [['subscriber', 'remove', '-h'], /^usage: ims subscriber remove <impu>/],
      [['subscriber', 'list', '--help'], /^usage: ims subscriber list /],
      [['subscriber', 'import', '--help'], /^usage: ims subscriber import FILE\.csv[\s\S]*impu,password/],
      [['help', 'subscriber'], /^usage: ims subscriber add <impu>/],
      [['help', 'status'], /^usage: ims status/],
    ];
    const runs = await Promise.all(cases.map(([args]) => imsAsync(...args)));
    runs.forEach((r, i) => {
      const [args, usage] = cases[i]!;
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stdout, usage, args.join(' '));
      assert.equal(r.stderr, '', args.join(' '));
    });
    const bad = ims('help', 'frobnicate');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^ims help: unknown command 'frobnicate'/);
  });

  it('run of a function not implemented yet fails with a one-line error', () => {
    const r = ims('run', 'cdf');
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /not implemented yet/);
  });
  it('unknown command and bad option exit 2', () => {
    assert.equal(ims('frobnicate').status, 2);
    assert.equal(ims('up', '--bogus').status, 2);
    assert.equal(ims('status', '--bogus').status, 2);
  });

  it("what parseArgs refuses is one line naming the whole command and the option, not parseArgs' text", async () => {
    // [arguments, the one line on stderr]; nothing runs, so no HSS or data directory is needed.
    const hint = (command: string) => ` (try '${command} --help')`;
    const cases: [string[], string][] = [
      [['subscriber', 'add', 'sip:h8@ims.test', '--bogus'], 'ims subscriber add: unknown option --bogus'],
      [['subscriber', 'show', 'sip:h8@ims.test', '-x'], 'ims subscriber show: unknown option -x'],
      [
        ['subscriber', 'remove', 'sip:h8@ims.test', '--json=yes'],
        'ims subscriber remove: --json takes no value',
      ],
      [['subscriber', 'list', '--limit'], 'ims subscriber list: --limit needs a value'],
      [['subscriber', 'import', 'a.csv', '--frob'], 'ims subscriber import: unknown option --frob'],
      [
        ['subscriber', 'add', 'sip:h8@ims.test', '--password', '-x'],
        "ims subscriber add: --password needs a value; one starting with '-' is written --password=VALUE",
      ],
      [['up', '--bogus'], 'ims up: unknown option --bogus'],
      [['run', 'hss', '--config'], 'ims run: --config needs a value'],
      [['status', 'extra'], "ims status: unexpected argument 'extra'"],
      [['aka', 'vector', '--k', K, '--bogus'], 'ims aka vector: unknown option --bogus'],
    ];
    const runs = await Promise.all(cases.map(([args]) => imsAsync(...args)));
    runs.forEach((r, i) => {
      const [args, line] = cases[i]!;
      const command = line.slice(0, line.indexOf(':'));
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, `${line}${hint(command)}\n`, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    });
  });
});
