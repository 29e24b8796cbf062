/** `ims run slf --config FILE`: starts, redirects, and stops cleanly on SIGTERM (DPR, exit 0). */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CxApplication } from '../../../src/diameter/apps/cx.ts';
import { DiameterAnswerError } from '../../../src/diameter/errors.ts';
import { DiameterNode } from '../../../src/diameter/node.ts';
import { ResultCode } from '../../../src/diameter/result-code.ts';
import { runIms } from '../hss/helpers/ims-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'ims-run-slf-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('ims run slf', () => {
  it('answers 3006 naming the HSS of the user, then on SIGTERM sends DPR and exits 0', async () => {
    const file = join(dir, 'slf.yaml');
    writeFileSync(
      file,
      [
        'diameter: { listen: { port: 0 } }',
        'hss:',
        '  hss1: { host: hss1.ims.test, port: 3999 }',
        'routes:',
        "  - { prefix: 'sip:', hss: hss1 }",
      ].join('\n'),
    );
    const ims = runIms(['run', 'slf', '--config', file]);
    try {
      const started = await ims.logged('SLF started');
      assert.equal(started.fn, 'slf');
      const port = Number(String(started.listen).split(':').pop());
      const client = new DiameterNode({
        originHost: 'icscf.ims.test',
        originRealm: 'ims.test',
        peers: [{ host: 'slf.ims.test', address: '127.0.0.1', port }],
        // The HSS named does not exist: the client gives up and shows the 3006 answer.
        dynamicPeers: { resolve: () => '127.0.0.1' },
        twInit: 200,
        tcMin: 50,
        tc: 5000,
        peerTimeout: 500,
      });
      const cx = new CxApplication(client);
      await client.start();
      try {
        const peer = await client.waitForPeer('slf.ims.test');
        await assert.rejects(
          cx.locationInfo({ publicIdentity: 'sip:a@ims.test' }),
          (e: unknown) =>
            e instanceof DiameterAnswerError &&
            e.resultCode === ResultCode.DIAMETER_REDIRECT_INDICATION &&
            (e.answer.avps.redirectHost as string[])[0] ===
              'aaa://hss1.ims.test:3999;transport=tcp;protocol=diameter',
        );
        const exited = once(ims.child, 'exit');
        ims.child.kill('SIGTERM');
        const [code] = await exited;
        assert.equal(code, 0);
        assert.equal(peer.counters.dprReceived, 1);
      } finally {
        await client.close();
      }
    } finally {
      ims.child.kill('SIGKILL');
    }
  });
});
