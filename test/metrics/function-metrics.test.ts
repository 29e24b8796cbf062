/**
 * The Prometheus metrics of a network function, over real sockets: SIP transactions between two
 * UA cores on TCP, Diameter requests between a client node and a real HSS, and the /health and
 * /metrics endpoint.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { validateConfig } from '../../src/config/load.ts';
import { CxApplication } from '../../src/diameter/apps/cx.ts';
import { answerResult } from '../../src/diameter/apps/result.ts';
import { DiameterNode } from '../../src/diameter/node.ts';
import { hssConfigSchema } from '../../src/functions/hss/config.ts';
import { startHss } from '../../src/functions/hss/index.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { FunctionMetrics, startHealthServer } from '../../src/metrics/index.ts';
import { Headers, SipRequest, type SipResponse } from '../../src/sip/message/index.ts';
import { startUa } from '../sip/dialog/sockets.ts';

const dir = mkdtempSync(join(tmpdir(), 'ims-metrics-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The value of one series of the exposition, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const inner = line.slice(name.length + 1, line.indexOf('}'));
    if (Object.entries(labels).every(([k, v]) => inner.includes(`${k}="${v}"`)))
      return Number(line.slice(line.indexOf('}') + 1));
  }
  return undefined;
}

function options(uri: string, callId: string): SipRequest {
  const h = new Headers();
  h.append('Max-Forwards', '70');
  h.append('From', '<sip:alice@ims.test>;tag=m1');
  h.append('To', `<${uri}>`);
  h.append('Call-ID', callId);
  h.append('CSeq', '1 OPTIONS');
  return new SipRequest('OPTIONS', uri, h);
}

describe('function metrics', () => {
  it('counts SIP transactions by role, method and status, with their durations', async () => {
    const uas = await startUa('tcp');
    const uac = await startUa('tcp');
    uas.core.setRequestHandler((request, transaction) => {
      uas.core.reply(transaction, request.to.uri.toString().includes('busy') ? 486 : 200);
    });
    const server = new FunctionMetrics({
      name: 'uas',
      sipLayers: [uas.core.layer],
      snapshot: async () => ({ healthy: true }),
    });
    const client = new FunctionMetrics(
      {
        name: 'uac',
        sipLayers: [uac.core.layer],
        snapshot: async () => ({ healthy: true, registeredUsers: 3 }),
        countsRegisteredUsers: true,
      },
      { processMetrics: false },
    );
    try {
      const send = (user: string, n: number) =>
        new Promise<SipResponse>((resolve) => {
          uac.core.sendRequest(options(uas.uri(user), `metrics-${user}-${n}`), {
            onResponse: (r) => r.status >= 200 && resolve(r),
          });
        });
      assert.equal((await send('bob', 1)).status, 200);
      assert.equal((await send('bob', 2)).status, 200);
      assert.equal((await send('busy', 1)).status, 486);
      const s = await server.metrics();
      const c = await client.metrics();
      assert.equal(
        sample(s, 'sip_transactions_total', {
          role: 'server',
          method: 'OPTIONS',
          status: '200',
          function: 'uas',
        }),
        2,
      );
      assert.equal(
        sample(s, 'sip_transactions_total', { role: 'server', method: 'OPTIONS', status: '486' }),
        1,
      );
      assert.equal(
        sample(c, 'sip_transactions_total', {
          role: 'client',
          method: 'OPTIONS',
          status: '200',
          function: 'uac',
        }),
        2,
      );
      assert.equal(
        sample(c, 'sip_transaction_duration_seconds_count', { role: 'client', method: 'OPTIONS' }),
        3,
      );
      assert.ok(
        sample(c, 'sip_transaction_duration_seconds_sum', { role: 'client', method: 'OPTIONS' })! > 0,
      );
      assert.equal(sample(c, 'ims_registered_users', { function: 'uac' }), 3);
      assert.doesNotMatch(s, /^ims_registered_users/m, 'none from a function that keeps no registrations');
      assert.equal(sample(c, 'ims_function_up', { function: 'uac' }), 1);
      assert.match(s, /^process_cpu_user_seconds_total/m, 'process metrics in the per-process registry');
      assert.doesNotMatch(c, /^process_cpu_user_seconds_total/m);
    } finally {
      server.close();
      client.close();
      await uac.close();
      await uas.close();
    }
  });

  it('counts Diameter requests by direction, command and result on both sides, and serves /metrics and /health', async () => {
    const config = validateConfig(hssConfigSchema, {
      diameter: { listen: { port: 0 }, acceptUnknownPeers: true },
      store: { backend: 'sqlite', path: join(dir, 'hss.sqlite') },
      api: { enabled: false },
    });
    const hss = await startHss(config, silentLogger);
    const client = new DiameterNode({
      originHost: 'icscf-metrics.ims.test',
      originRealm: 'ims.test',
      peers: [{ host: 'hss.ims.test', address: '127.0.0.1', port: hss.port }],
      twInit: 200,
      tcMin: 50,
      tc: 400,
    });
    const cx = new CxApplication(client);
    let healthy = true;
    const hssMetrics = new FunctionMetrics(
      { name: 'hss', diameterOriginHost: 'hss.ims.test', snapshot: async () => ({ healthy }) },
      { processMetrics: false },
    );
    const clientMetrics = new FunctionMetrics(
      {
        name: 'icscf',
        diameterOriginHost: 'icscf-metrics.ims.test',
        snapshot: async () => ({ healthy: true }),
      },
      { processMetrics: false },
    );
    const http = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      metrics: hssMetrics,
      health: async () => ({ name: 'hss', healthy }),
      logger: silentLogger,
    });
    try {
      await client.start();
      await client.waitForPeer('hss.ims.test');
      for (let i = 0; i < 2; i++) {
        const uaa = await cx.userAuthorization({
          userName: 'nobody@ims.test',
          publicIdentity: 'sip:nobody@ims.test',
          visitedNetworkIdentifier: Buffer.from('ims.test'),
        });
        assert.equal(answerResult(uaa).code, 5001);
      }
      const res = await fetch(`${http.url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await res.text();
      assert.equal(
        sample(text, 'diameter_requests_total', {
          direction: 'in',
          command: 'UAR',
          result: '5001',
          function: 'hss',
        }),
        2,
      );
      assert.equal(
        sample(text, 'diameter_request_duration_seconds_count', { direction: 'in', command: 'UAR' }),
        2,
      );
      const c = await clientMetrics.metrics();
      assert.equal(
        sample(c, 'diameter_requests_total', { direction: 'out', command: 'UAR', result: '5001' }),
        2,
      );
      assert.equal(
        sample(c, 'diameter_requests_total', { direction: 'in', command: 'UAR' }),
        undefined,
        'only our own node counts',
      );

      const ok = await fetch(`${http.url}/health`);
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { name: 'hss', healthy: true });
      healthy = false;
      const sick = await fetch(`${http.url}/health`);
      assert.equal(sick.status, 503);
      assert.equal(sample(await (await fetch(`${http.url}/metrics`)).text(), 'ims_function_up', {}), 0);
      assert.equal((await fetch(`${http.url}/other`)).status, 404);
      assert.equal((await fetch(`${http.url}/health`, { method: 'POST' })).status, 405);
    } finally {
      await http.close();
      hssMetrics.close();
      clientMetrics.close();
      await client.close();
      await hss.stop();
    }
  });
});
