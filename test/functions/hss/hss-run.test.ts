/**
 * `ims run hss --config FILE` as an operator runs it: a child process that logs JSON lines,
 * serves Diameter, and on SIGTERM or SIGINT sends DPR to its peers, closes the store and exits 0.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CxApplication } from '../../../src/diameter/apps/cx.ts';
import { answerResult } from '../../../src/diameter/apps/result.ts';
import { DiameterNode } from '../../../src/diameter/node.ts';
import { ExperimentalResultCode as E } from '../../../src/diameter/result-code.ts';
import { openSubscriberStore } from '../../../src/store/open-subscriber-store.ts';
import { subscriber } from './helpers/hss-subscribers.ts';
import { runIms } from './helpers/ims-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'ims-run-hss-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('ims run hss', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`serves Cx, then on ${signal} sends DPR, closes the store and exits 0`, async () => {
      const db = join(dir, `${signal}.sqlite`);
      const provisioning = await openSubscriberStore({ backend: 'sqlite', path: db });
      await provisioning.createSubscription(subscriber('run-a'));
      await provisioning.close();
      const file = join(dir, `${signal}.yaml`);
      writeFileSync(
        file,
        [
          'diameter:',
          '  originHost: hss.ims.test',
          '  listen: { address: 127.0.0.1, port: 0 }',
          'store:',
          '  backend: sqlite',
          `  path: ${db}`,
          'api: { listen: { address: 127.0.0.1, port: 0 } }',
          'log: { level: info }',
        ].join('\n'),
      );
      const ims = runIms(['run', 'hss', '--config', file]);
      try {
        const started = await ims.logged('HSS started');
        assert.equal(started.fn, 'hss');
        // The REST API runs with it (api/, ARCHITECTURE.md §7).
        const { url } = await ims.logged('hss api listening');
        const rest = await fetch(`${url}/api/v1/subscribers/sip:run-a@ims.test`);
        assert.equal(rest.status, 200);
        const port = Number(String(started.listen).split(':').pop());
        const client = new DiameterNode({
          originHost: 'icscf.ims.test',
          originRealm: 'ims.test',
          peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port }],
          twInit: 200,
          tcMin: 50,
          tc: 5000,
        });
        const cx = new CxApplication(client);
        await client.start();
        try {
          const peer = await client.waitForPeer('hss.ims.test');
          const uaa = await cx.userAuthorization({
            userName: 'run-a@ims.test',
            publicIdentity: 'sip:run-a@ims.test',
            visitedNetworkIdentifier: Buffer.from('ims.test'),
          });
          assert.equal(answerResult(uaa).code, E.DIAMETER_FIRST_REGISTRATION);
          const exited = once(ims.child, 'exit');
          ims.child.kill(signal);
          const [code] = await exited;
          assert.equal(code, 0);
          assert.equal(peer.counters.dprReceived, 1, 'the HSS said goodbye with DPR');
          assert.ok(ims.lines.some((l) => l.msg === 'HSS stopped'));
        } finally {
          await client.close();
        }
        // The store was closed cleanly: it opens again with the data.
        const again = await openSubscriberStore({ backend: 'sqlite', path: db });
        assert.ok(await again.getSubscriptionByImpi('run-a@ims.test'));
        await again.close();
      } finally {
        ims.child.kill('SIGKILL');
      }
    });
  }

  it('a configuration error: exit 1 with one line naming the key', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'auth:\n  maxVectors: 0\n');
    const ims = runIms(['run', 'hss', '--config', file]);
    let stderr = '';
    ims.child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const [code] = await once(ims.child, 'exit');
    assert.equal(code, 1);
    assert.equal(stderr.trim().split('\n').length, 1);
    assert.match(stderr, /auth\.maxVectors/);
  });
});
