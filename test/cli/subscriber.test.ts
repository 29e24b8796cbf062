/**
 * `ims subscriber add|show|list|remove|import` (ARCHITECTURE.md §7) as an operator runs them:
 * `node bin/ims.js` in a child process, against the HSS REST API listening on a free port of
 * this process (SQLite store in a temp dir). Exit status 0 / 1 / 2, one-line errors on stderr,
 * the --json shapes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type HssApiServer, startHssApi } from '../../src/functions/hss/api/hss-api.ts';
import { digestHa1 } from '../../src/functions/hss/subscriber-defaults.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { openSubscriberStore } from '../../src/store/open-subscriber-store.ts';
import type { SubscriberStore } from '../../src/store/subscriber-store.ts';
import { runImsCommand as ims, type ImsRun as Run } from './helpers/ims-command.ts';

const fixture = new URL('../fixtures/subscribers.csv', import.meta.url).pathname;
const K = '465b5ce8b199b49faa5f0a2ee238a6bc';
const OPC = 'cd63cb71954a9f4e48a5994e37a02baf';

function oneLine(r: Run): string {
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr: ${r.stderr}`);
  return lines[0]!;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('ims subscriber', () => {
  let dir: string;
  let store: SubscriberStore;
  let api: HssApiServer;
  let hss: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ims-cli-subscriber-'));
    store = await openSubscriberStore({ backend: 'sqlite', path: join(dir, 'hss.sqlite') });
    api = await startHssApi({ store, logger: silentLogger }, { host: '127.0.0.1', port: 0 });
    hss = ['--hss', api.url];
  });

  after(async () => {
    await api.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('add with the §7 options prints the subscriber; add --json gives the API object with secrets hidden', async () => {
    let r = await ims(
      'subscriber',
      'add',
      'sip:alice@ims.test',
      '--password',
      'secret',
      '--k',
      K,
      '--opc',
      OPC,
      '--tel',
      '+12015550100',
      ...hss,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^added sip:alice@ims\.test\n/);
    assert.match(
      r.stdout,
      /alice@ims\.test {2}MD5, SHA-256, AKAv1-MD5, AKAv2-MD5 \(password set, K set, OPc set, AMF 8000, SQN 0\)/,
    );
    assert.match(r.stdout, /tel:\+12015550100/);
    assert.equal(r.stderr, '');
    r = await ims(
      'subscriber',
      'add',
      '--impu',
      'sip:bob@ims.test',
      '--k',
      K,
      '--op',
      OPC,
      '--amf',
      'b9b9',
      '--json',
      ...hss,
    );
    assert.equal(r.status, 0, r.stderr);
    const bob = JSON.parse(r.stdout);
    assert.equal(typeof bob.id, 'string');
    assert.deepEqual(bob.privateIdentities[0].k, { set: true });
    assert.deepEqual(bob.privateIdentities[0].op, { set: true });
    assert.equal(bob.privateIdentities[0].impi, 'bob@ims.test');
    assert.equal(bob.privateIdentities[0].amf, 'b9b9');
    assert.deepEqual(bob.privateIdentities[0].allowedSchemes, ['AKAv1-MD5', 'AKAv2-MD5']);
    assert.ok(!r.stdout.includes(K));
  });

  it('add of a taken identity or a value the HSS refuses exits 1 with one line naming the field', async () => {
    await ims('subscriber', 'add', 'sip:dup@ims.test', '--password', 'x', ...hss);
    let r = await ims('subscriber', 'add', 'sip:dup@ims.test', '--password', 'y', ...hss);
    assert.equal(r.status, 1);
    assert.match(oneLine(r), /^ims subscriber add: impu: sip:dup@ims\.test already belongs to subscription /);
    // Only the HSS knows its realm: a tel IMPU without one is its refusal (exit 1).
    r = await ims('subscriber', 'add', 'tel:+12015550199', '--password', 'x', ...hss);
    assert.equal(r.status, 1);
    assert.equal(
      oneLine(r),
      'ims subscriber add: invalid subscription: impi: a tel identity needs a realm to form an IMPI: give impi',
    );
  });

  it('add with a flag value the CLI can check itself (hex, identity syntax) exits 2 before asking the HSS', async () => {
    // The HSS's words for the same refusals (its 422), but exit 2: the command line is wrong.
    const cases: [string[], string][] = [
      [
        ['sip:badk@ims.test', '--k', 'zz5b5ce8b199b49faa5f0a2ee238a6bc', '--opc', OPC],
        'k: must be 32 hex digits',
      ],
      [['sip:badk@ims.test', '--k', '1234', '--opc', OPC], 'k: must be 32 hex digits'],
      [['sip:bado@ims.test', '--k', K, '--op', `0x${OPC.slice(2)}`], 'op: must be 32 hex digits'],
      [['sip:bado@ims.test', '--k', K, '--opc', OPC, '--amf', '80001'], 'amf: must be 4 hex digits'],
      [['badimpu@ims.test', '--password', 'x'], 'impu: a public identity is a sip:, sips: or tel: URI'],
      [
        ['sip:badimpi@ims.test', '--impi', 'nope', '--password', 'x'],
        'impi: must be an NAI username@realm (TS 23.003 §13.3)',
      ],
      [
        ['sip:badtel@ims.test', '--password', 'x', '--tel', '555'],
        'tel: a tel public identity must be a global number (+E.164)',
      ],
      [['sip:two@ims.test', '--k', 'xx', '--opc', 'yy'], 'k: must be 32 hex digits (and 1 more)'],
    ];
    // Checked locally: an HSS that cannot be reached gives the same answers (not ECONNREFUSED).
    const down = ['--hss', `http://127.0.0.1:${await closedPort()}`];
    const runs = await Promise.all([
      ...cases.map(([args]) => ims('subscriber', 'add', ...args, ...down)),
      ims('subscriber', 'add', ...cases[6]![0], ...hss),
    ]);
    runs.forEach((r, i) => {
      const [args, reason] = cases[i] ?? cases[6]!;
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(oneLine(r), `ims subscriber add: invalid subscription: ${reason}`);
      assert.equal(r.stdout, '');
    });
    assert.equal(
      (await ims('subscriber', 'show', 'sip:badtel@ims.test', ...hss)).status,
      1,
      'nothing written',
    );
  });

  it('add --ifc FILE.xml provisions the iFCs of the document; a bad document exits 1', async () => {
    const xml = join(dir, 'ifc.xml');
    writeFileSync(
      xml,
      `<InitialFilterCriteria><Priority>3</Priority><TriggerPoint><ConditionTypeCNF>0</ConditionTypeCNF>
       <SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>INVITE</Method></SPT></TriggerPoint>
       <ApplicationServer><ServerName>sip:mmtel.ims.test:5080</ServerName><DefaultHandling>0</DefaultHandling></ApplicationServer>
       </InitialFilterCriteria>`,
    );
    let r = await ims('subscriber', 'add', 'sip:ifc@ims.test', '--password', 'x', '--ifc', xml, ...hss);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /profile +default: 1 iFC\n/);
    r = await ims('subscriber', 'show', 'sip:ifc@ims.test', '--json', ...hss);
    const ifc = JSON.parse(r.stdout).serviceProfiles[0].initialFilterCriteria[0];
    assert.equal(ifc.priority, 3);
    assert.equal(ifc.applicationServer.serverName, 'sip:mmtel.ims.test:5080');
    writeFileSync(xml, '<InitialFilterCriteria><Priority>x</Priority></InitialFilterCriteria>');
    r = await ims('subscriber', 'add', 'sip:ifc2@ims.test', '--password', 'x', '--ifc', xml, ...hss);
    assert.equal(r.status, 1);
    assert.match(oneLine(r), /^ims subscriber add: .*ifc\.xml: /);
    r = await ims(
      'subscriber',
      'add',
      'sip:ifc2@ims.test',
      '--password',
      'x',
      '--ifc',
      join(dir, 'none.xml'),
      ...hss,
    );
    assert.equal(r.status, 1);
    assert.match(oneLine(r), /cannot read .*none\.xml: ENOENT$/);
  });

  it('command lines that cannot be understood exit 2 with one line', async () => {
    const cases: string[][] = [
      ['subscriber'],
      ['subscriber', 'frob'],
      ['subscriber', 'add', '--password', 'x'],
      ['subscriber', 'add', 'sip:x@ims.test', '--k', K],
      ['subscriber', 'add', 'sip:x@ims.test', '--k', K, '--opc', OPC, '--op', OPC],
      ['subscriber', 'add', 'sip:x@ims.test', '--password', 'x', '--opc', OPC],
      ['subscriber', 'add', 'sip:x@ims.test', '--impu', 'sip:y@ims.test', '--password', 'x'],
      ['subscriber', 'show'],
      ['subscriber', 'show', 'sip:a@ims.test', 'sip:b@ims.test'],
      ['subscriber', 'show', 'sip:a@ims.test', '--bogus'],
      ['subscriber', 'remove'],
      ['subscriber', 'list', 'extra'],
      ['subscriber', 'list', '--limit', '0'],
      ['subscriber', 'import'],
      ['subscriber', 'import', 'a.csv', '--batch', 'x'],
      ['subscriber', 'show', 'sip:a@ims.test', '--hss', 'not a url'],
      ['subscriber', 'add', 'sip:x@ims.test', '--bogus'],
      ['subscriber', 'add', 'sip:x@ims.test', '--k', '0x465b5ce8b199b49faa5f0a2ee238a6', '--opc', OPC],
    ];
    // Independent of each other: run side by side.
    const runs = await Promise.all(cases.map((args) => ims(...args)));
    runs.forEach((r, i) => {
      assert.equal(r.status, 2, `${cases[i]?.join(' ')}: ${r.stderr}`);
      assert.match(oneLine(r), /^ims subscriber/);
    });
    const help = await ims('subscriber', 'help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /ims subscriber import FILE\.csv/);
  });

  it('show prints the subscriber by any identity; --json is the API object; unknown exits 1', async () => {
    let r = await ims('subscriber', 'show', 'tel:+12015550100', ...hss);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^sip:alice@ims\.test\n {2}subscription {2}\S+\n {2}public {8}sip:alice@ims\.test {2}NOT_REGISTERED, profile default\n/,
    );
    r = await ims('subscriber', 'show', 'sip:alice@ims.test', '--json', ...hss);
    const sub = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(sub).sort(), [
      'id',
      'implicitRegistrationSets',
      'privateIdentities',
      'publicIdentities',
      'serviceProfiles',
    ]);
    assert.deepEqual(sub.privateIdentities[0].ha1Md5, { set: true });
    assert.equal(sub.publicIdentities[1].impu, 'tel:+12015550100');
    r = await ims('subscriber', 'show', 'sip:nobody@ims.test', ...hss);
    assert.equal(r.status, 1);
    assert.equal(oneLine(r), 'ims subscriber show: no subscriber sip:nobody@ims.test');
    assert.equal(r.stdout, '');
    r = await ims('subscriber', 'show', 'nobody', ...hss);
    assert.equal(r.status, 1);
    assert.match(oneLine(r), /^ims subscriber show: invalid identity: impu: /);
  });

  it('list prints one line per subscriber and a count; --json is an array; --search and --limit narrow it', async () => {
    let r = await ims('subscriber', 'list', ...hss);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^IMPU +IMPI +AUTH +STATE$/);
    assert.match(r.stdout, /\nsip:alice@ims\.test \(\+1\) +alice@ims\.test +digest\+AKA +NOT_REGISTERED\n/);
    const total = await store.countSubscriptions();
    assert.equal(lines.at(-1), `${total} subscribers`);
    assert.equal(lines.length, total + 2);
    r = await ims('subscriber', 'list', '--json', ...hss);
    const all = JSON.parse(r.stdout);
    assert.ok(Array.isArray(all));
    assert.equal(all.length, total);
    assert.equal(all[0].publicIdentities[0].impu, 'sip:alice@ims.test');
    r = await ims('subscriber', 'list', '--json', '--search', 'BOB', ...hss);
    assert.deepEqual(
      JSON.parse(r.stdout).map(
        (s: { privateIdentities: { impi: string }[] }) => s.privateIdentities[0]?.impi,
      ),
      ['bob@ims.test'],
    );
    r = await ims('subscriber', 'list', '--json', '--search', 'nothing-like-this', ...hss);
    assert.deepEqual(JSON.parse(r.stdout), []);
    r = await ims('subscriber', 'list', '--limit', '1', ...hss);
    assert.equal(r.stdout.trim().split('\n').at(-1), `1 of ${total} subscribers`);
  });

  it('remove deletes the subscriber (then show exits 1); --json says what was removed; unknown exits 1', async () => {
    await ims('subscriber', 'add', 'sip:gone@ims.test', '--password', 'x', ...hss);
    let r = await ims('subscriber', 'remove', 'sip:gone@ims.test', ...hss);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'removed sip:gone@ims.test\n');
    assert.equal((await ims('subscriber', 'show', 'sip:gone@ims.test', ...hss)).status, 1);
    r = await ims('subscriber', 'remove', 'sip:gone@ims.test', ...hss);
    assert.equal(r.status, 1);
    assert.equal(oneLine(r), 'ims subscriber remove: no subscriber sip:gone@ims.test');
    await ims('subscriber', 'add', 'sip:gone2@ims.test', '--password', 'x', ...hss);
    r = await ims('subscriber', 'remove', 'sip:gone2@ims.test', '--json', ...hss);
    assert.deepEqual(JSON.parse(r.stdout), { impu: 'sip:gone2@ims.test', removed: true });
  });

  it('import FILE.csv imports the good rows, reports each bad one by line number, shows progress, exits 1', async () => {
    const r = await ims('subscriber', 'import', fixture, ...hss);
    assert.equal(r.status, 1, r.stderr);
    const err = r.stderr.trim().split('\n');
    assert.deepEqual(
      err.filter((l) => l.startsWith(fixture)).map((l) => l.slice(fixture.length)),
      [
        ':6: k: must be 32 hex digits',
        ':7: 3 fields where the header names 7',
        err.find((l) => l.startsWith(`${fixture}:8: `))?.slice(fixture.length) ?? 'line 8 missing',
        err.find((l) => l.startsWith(`${fixture}:9: `))?.slice(fixture.length) ?? 'line 9 missing',
      ],
    );
    assert.match(
      err.find((l) => l.startsWith(`${fixture}:8: `)) ?? '',
      /:8: tel: tel:\+12015550201 already belongs to subscription /,
    );
    assert.match(
      err.find((l) => l.startsWith(`${fixture}:9: `)) ?? '',
      /:9: impu: a public identity is a sip:, sips: or tel: URI/,
    );
    assert.ok(err.includes('imported 4/8 (4 failed)'), r.stderr);
    assert.equal(err.at(-1), 'ims subscriber import: 4 of 8 rows failed');
    assert.match(
      r.stdout,
      /^imported 4 of 8 subscribers from .*subscribers\.csv in [0-9.]+ s \(4 failed\)\n$/,
    );
    for (const n of [1, 2, 3, 8])
      assert.ok(await store.getSubscriptionByImpu(`sip:csv${n}@ims.test`), `csv${n}`);
    for (const n of [4, 5, 6])
      assert.equal(await store.getSubscriptionByImpu(`sip:csv${n}@ims.test`), undefined);
    // The quoted password, commas and doubled quotes included, is the one whose HA1 is stored.
    const csv2 = await store.getSubscriptionByImpi('csv2.private@ims.test');
    assert.equal(
      csv2?.privateIdentities[0]?.ha1Md5,
      digestHa1('MD5', 'csv2.private@ims.test', 'ims.test', 'pw,with "quotes"'),
    );
  });

  it('import --json: summary object; batches keep line numbers right; a clean file exits 0', async () => {
    const rows = ['impu,password'];
    for (let i = 0; i < 2500; i++)
      rows.push(i === 1700 ? 'bulk-bad@ims.test,pw' : `sip:bulk${i}@ims.test,pw${i}`);
    const file = join(dir, 'bulk.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    let r = await ims('subscriber', 'import', file, '--batch', '1000', '--json', ...hss);
    assert.equal(r.status, 1);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(
      { rows: summary.rows, imported: summary.imported, failed: summary.failed },
      { rows: 2500, imported: 2499, failed: 1 },
    );
    assert.equal(summary.failures.length, 1);
    assert.equal(summary.failures[0].line, 1702);
    assert.equal(summary.failures[0].impu, 'bulk-bad@ims.test');
    assert.match(summary.failures[0].error, /^impu: a public identity is a sip:, sips: or tel: URI/);
    assert.deepEqual(summary.generatedPasswords, []);
    assert.match(r.stderr, /imported 2499\/2500 \(1 failed\)/);
    writeFileSync(file, 'impu,password\nsip:clean1@ims.test,a\nsip:clean2@ims.test,b\n');
    r = await ims('subscriber', 'import', file, ...hss);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^imported 2 of 2 subscribers from /);
    writeFileSync(file, 'impu,colour\nsip:x@ims.test,red\n');
    r = await ims('subscriber', 'import', file, ...hss);
    assert.equal(r.status, 1);
    assert.match(oneLine(r), /bulk\.csv:1: unknown column 'colour'/);
    r = await ims('subscriber', 'import', join(dir, 'missing.csv'), ...hss);
    assert.equal(r.status, 1);
    assert.match(oneLine(r), /cannot read .*missing\.csv: ENOENT$/);
  });

  it('an HSS that cannot be reached: exit 1, "cannot reach the HSS at URL: ECONNREFUSED", nothing on stdout', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    // Port 1: fetch refused it as a "bad port" without trying; it is tried like any other.
    const cases = [
      [url, 'show', 'sip:alice@ims.test'],
      [url, 'list'],
      [url, 'list', '--json'],
      [url, 'add', 'sip:z@ims.test', '--password', 'x'],
      [url, 'import', fixture],
      ['http://127.0.0.1:1', 'list'],
    ];
    const runs = await Promise.all(
      cases.map(([hssUrl, ...args]) => ims('subscriber', ...args, '--hss', hssUrl!)),
    );
    runs.forEach((r, i) => {
      const [hssUrl, ...args] = cases[i]!;
      assert.equal(r.status, 1, args.join(' '));
      assert.equal(oneLine(r), `ims subscriber ${args[0]}: cannot reach the HSS at ${hssUrl}: ECONNREFUSED`);
      // A script must not get a list header (or '[') for a list that never came.
      if (args[0] !== 'import') assert.equal(r.stdout, '', args.join(' '));
    });
  });

  it('an HSS API on a port fetch would refuse (WHATWG "bad port", e.g. 6665) is reached', async (t) => {
    let blocked: HssApiServer | undefined;
    for (const port of [6665, 6666, 6667, 6668, 6669, 6697, 10080, 4190]) {
      try {
        blocked = await startHssApi({ store, logger: silentLogger }, { host: '127.0.0.1', port });
        break;
      } catch {
        // Taken by something else on this machine: try the next one.
      }
    }
    if (blocked === undefined) return t.skip('every blocked port tried is taken');
    try {
      const r = await ims('subscriber', 'list', '--json', '--limit', '1', '--hss', blocked.url);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).length, 1);
    } finally {
      await blocked.close();
    }
  });
});
