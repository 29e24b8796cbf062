import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PeerState } from '../../../src/diameter/peer/peer-state.ts';
import { CX, node, uarAvps, VSAI_CX } from '../helpers/nodes.ts';

const hasOpenssl = spawnSync('sh', ['-c', 'command -v openssl']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'ims-dia-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('TLS transport (RFC 6733 §2.1, §13)', { skip: hasOpenssl ? false : 'openssl not installed' }, () => {
  it('CER/CEA and a Cx exchange over TLS, the server certificate checked against the peer identity', async () => {
    const r = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=hss.ims.test',
      '-addext',
      'subjectAltName=DNS:hss.ims.test',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    assert.equal(r.status, 0, String(r.stderr));
    const key = readFileSync(join(dir, 'key.pem'));
    const cert = readFileSync(join(dir, 'cert.pem'));
    const hss = node({
      originHost: 'hss.ims.test',
      listen: { address: '127.0.0.1', port: 0, tls: { key, cert } },
      peers: [{ host: 'tls-client.ims.test' }],
    });
    hss.handle(CX.id, 300, () => ({
      vendorSpecificApplicationId: VSAI_CX,
      authSessionState: 1,
      resultCode: 2001,
    }));
    await hss.start();
    const client = node({
      originHost: 'tls-client.ims.test',
      listen: undefined,
      peers: [
        {
          host: 'hss.ims.test',
          address: '127.0.0.1',
          port: hss.port,
          tls: { ca: cert, servername: 'hss.ims.test' },
        },
      ],
    });
    await client.start();
    try {
      const p = await client.waitForPeer('hss.ims.test');
      assert.equal(p.state, PeerState.IOpen);
      const ans = await client.request({ applicationId: CX.id, commandCode: 300, avps: uarAvps(client) });
      assert.equal(ans.avps.resultCode, 2001);
    } finally {
      await client.close();
      await hss.close();
    }
  });
});
