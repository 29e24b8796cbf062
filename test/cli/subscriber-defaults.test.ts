/**
 * `ims subscriber` with the defaults of ARCHITECTURE.md §7, as an operator runs it (`node
 * bin/ims.js` in a child process, against the HSS REST API on a free port of this process):
 * only the IMPU given (the HSS generates the password, printed once), a tel IMPU (IMPI at the
 * HSS's home realm), an import of rows without credentials (their passwords after the summary),
 * `--ifc` with a ServiceProfile or IMSSubscription document, and output piped into a reader that
 * stops early (`| head`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PASSWORD_ALPHABET } from '../../src/functions/hss/api/generated-password.ts';
import { type HssApiServer, startHssApi } from '../../src/functions/hss/api/hss-api.ts';
import { digestHa1, newSubscription } from '../../src/functions/hss/subscriber-defaults.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { openSubscriberStore } from '../../src/store/open-subscriber-store.ts';
import type { SubscriberStore } from '../../src/store/subscriber-store.ts';
import { runImsCommand as ims } from './helpers/ims-command.ts';

const bin = new URL('../../bin/ims.js', import.meta.url).pathname;
const GENERATED = `[${PASSWORD_ALPHABET}]{16}`;

const IFC = `<InitialFilterCriteria><Priority>4</Priority><TriggerPoint><ConditionTypeCNF>0</ConditionTypeCNF>
  <SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>MESSAGE</Method></SPT></TriggerPoint>
  <ApplicationServer><ServerName>sip:sms.ims.test</ServerName><DefaultHandling>0</DefaultHandling></ApplicationServer>
</InitialFilterCriteria>`;
const PROFILE = `<ServiceProfile><PublicIdentity><Identity>sip:x@other.test</Identity></PublicIdentity>${IFC}</ServiceProfile>`;

describe('ims subscriber with the §7 defaults', () => {
  let dir: string;
  let store: SubscriberStore;
  let api: HssApiServer;
  let hss: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ims-cli-defaults-'));
    store = await openSubscriberStore({ backend: 'sqlite', path: join(dir, 'hss.sqlite') });
    api = await startHssApi(
      { store, logger: silentLogger, homeRealm: 'ims.test' },
      { host: '127.0.0.1', port: 0 },
    );
    hss = ['--hss', api.url];
  });

  after(async () => {
    await api.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('add with only the IMPU: digest, IMPI derived, the generated password printed once', async () => {
    let r = await ims('subscriber', 'add', 'sip:bob@ims.test', ...hss);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^added sip:bob@ims\.test\n/);
    assert.match(r.stdout, /bob@ims\.test {2}MD5, SHA-256 \(password set\)/);
    const printed = new RegExp(
      `\\n {2}password {6}(${GENERATED}) {2}\\(generated; shown only this once\\)\\n$`,
    ).exec(r.stdout);
    assert.ok(printed, r.stdout);
    const stored = await store.getSubscriptionByImpi('bob@ims.test');
    assert.equal(
      stored?.privateIdentities[0]?.ha1Md5,
      digestHa1('MD5', 'bob@ims.test', 'ims.test', printed[1]!),
    );
    r = await ims('subscriber', 'show', 'sip:bob@ims.test', ...hss);
    assert.ok(!r.stdout.includes(printed[1]!), 'never shown again');
    r = await ims('subscriber', 'add', '--impu', 'sip:carol@ims.test', '--json', ...hss);
    assert.equal(r.status, 0, r.stderr);
    const carol = JSON.parse(r.stdout);
    assert.match(carol.password, new RegExp(`^${GENERATED}$`));
    assert.deepEqual(carol.privateIdentities[0].allowedSchemes, ['MD5', 'SHA-256']);
    // With a password given, nothing is generated.
    r = await ims('subscriber', 'add', 'sip:dave@ims.test', '--password', 'pw', '--json', ...hss);
    assert.equal(JSON.parse(r.stdout).password, undefined);
  });

  it('add of a tel IMPU: IMPI <number>@<home realm> and its SIP form; a second add names the impu', async () => {
    let r = await ims('subscriber', 'add', 'tel:+4930999', '--password', 'x', ...hss);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^added sip:\+4930999@ims\.test\n/);
    assert.match(r.stdout, /tel:\+4930999/);
    assert.match(r.stdout, /\+4930999@ims\.test {2}MD5, SHA-256/);
    r = await ims('subscriber', 'add', 'tel:+4930999', '--password', 'x', ...hss);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /^ims subscriber add: impu: (sip|tel):\+4930999\S* already belongs to subscription /,
    );
  });

  it('import: rows without password or k get generated passwords, listed as impu,password after the summary', async () => {
    const file = join(dir, 'plain.csv');
    writeFileSync(
      file,
      'impu,password\nsip:imp1@ims.test,\nsip:imp2@ims.test,given\n"sip:imp3@ims.test",\nsip:bob@ims.test,\n',
    );
    let r = await ims('subscriber', 'import', file, ...hss);
    assert.equal(r.status, 1, 'bob exists: one row failed');
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^imported 3 of 4 subscribers from .*plain\.csv in [0-9.]+ s \(1 failed\)$/);
    assert.equal(
      lines[1],
      'generated passwords for 2 subscribers without password or k (shown only this once):',
    );
    assert.equal(lines[2], 'impu,password');
    const rows = lines.slice(3).map((l) => l.split(','));
    assert.deepEqual(
      rows.map((row) => row[0]),
      ['sip:imp1@ims.test', 'sip:imp3@ims.test'],
    );
    for (const [impu, password] of rows) {
      assert.match(password!, new RegExp(`^${GENERATED}$`));
      const impi = impu!.slice(4);
      const sub = await store.getSubscriptionByImpi(impi);
      assert.equal(sub?.privateIdentities[0]?.ha1Md5, digestHa1('MD5', impi, 'ims.test', password!));
    }
    assert.match(r.stderr, /plain\.csv:5: impu: sip:bob@ims\.test already belongs to subscription /);
    writeFileSync(file, 'impu\nsip:imp4@ims.test\n');
    r = await ims('subscriber', 'import', file, '--json', ...hss);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.imported, 1);
    assert.equal(summary.generatedPasswords.length, 1);
    assert.equal(summary.generatedPasswords[0].line, 2);
    assert.equal(summary.generatedPasswords[0].impu, 'sip:imp4@ims.test');
    assert.match(summary.generatedPasswords[0].password, new RegExp(`^${GENERATED}$`));
  });

  it('add --ifc takes the iFCs of a ServiceProfile or IMSSubscription document', async () => {
    const profile = join(dir, 'profile.xml');
    writeFileSync(profile, `<?xml version="1.0" encoding="UTF-8"?>\n<!-- exported -->\n${PROFILE}`);
    let r = await ims('subscriber', 'add', 'sip:sp@ims.test', '--ifc', profile, '--json', ...hss);
    assert.equal(r.status, 0, r.stderr);
    let ifcs = JSON.parse(r.stdout).serviceProfiles[0].initialFilterCriteria;
    assert.deepEqual(
      ifcs.map((i: { priority: number; applicationServer: { serverName: string } }) => [
        i.priority,
        i.applicationServer.serverName,
      ]),
      [[4, 'sip:sms.ims.test']],
    );
    const subscription = join(dir, 'subscription.xml');
    writeFileSync(
      subscription,
      `<IMSSubscription><PrivateID>x@other.test</PrivateID>${PROFILE}</IMSSubscription>`,
    );
    r = await ims('subscriber', 'add', 'sip:ims@ims.test', '--ifc', subscription, '--json', ...hss);
    assert.equal(r.status, 0, r.stderr);
    ifcs = JSON.parse(r.stdout).serviceProfiles[0].initialFilterCriteria;
    assert.equal(ifcs[0].triggerPoint.spts[0].method, 'MESSAGE');
    writeFileSync(profile, PROFILE.replace('<Priority>4</Priority>', '<Priority>four</Priority>'));
    r = await ims('subscriber', 'add', 'sip:sp2@ims.test', '--ifc', profile, ...hss);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /^ims subscriber add: .*profile\.xml: ServiceProfile\/InitialFilterCriteria\[0\]\/Priority\[0\]: must be an integer/,
    );
  });

  it('list --json piped into a reader that stops early exits quietly (no EPIPE trace)', async () => {
    await store.bulkImport(
      Array.from({ length: 600 }, (_, i) =>
        newSubscription({ impu: `sip:pipe${i}@ims.test`, password: 'x' }),
      ),
    );
    const child = spawn(process.execPath, [bin, 'subscriber', 'list', '--json', ...hss], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Like `head -1`: read the first chunk, then close the pipe.
    const first = await new Promise<string>((resolve) =>
      child.stdout.once('data', (d: Buffer) => resolve(String(d))),
    );
    assert.ok(first.startsWith('['));
    child.stdout.destroy();
    const status = await new Promise<number | null>((resolve) => child.on('close', (s) => resolve(s)));
    assert.equal(stderr, '');
    assert.equal(status, 0);
  });
});
