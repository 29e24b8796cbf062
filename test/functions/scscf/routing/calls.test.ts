/**
 * Session routing over real sockets (TS 24.229 §5.4.3): the SessionRouter inside a
 * StatefulProxy, two SIPp UEs calling each other through it (INVITE/180/200/ACK/BYE with
 * Record-Route) by way of an I-CSCF that sends the request back to the same S-CSCF, an
 * unregistered callee, and ENUM towards the I-CSCF or the BGCF.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SipUri } from '../../../../src/sip/message/index.ts';
import { StatefulProxy } from '../../../../src/sip/proxy/index.ts';
import { SipTransportLayer } from '../../../../src/sip/transport/index.ts';
import { freePorts } from '../../../interop/helpers/free-port.ts';
import { describeRun, requireSipp, SippGroup } from '../../../interop/helpers/sipp.ts';
import { binding, record } from './fixtures.ts';
import { message, sendRequest, startEndpoint, startRoutingHarness } from './harness.ts';

const SIPP_DIR = new URL('./sipp/', import.meta.url).pathname;

/** A stand-in I-CSCF (Cx LIR answered "this S-CSCF"): sends initial requests back to the S-CSCF. */
async function startTinyIcscf(scscfPort: () => number) {
  const transport = await SipTransportLayer.start({
    listen: [{ protocol: 'udp', host: '127.0.0.1', port: 0 }],
  });
  const port = transport.listening()[0]!.port;
  let initial = 0;
  const proxy = new StatefulProxy({
    transport,
    localAddresses: [{ host: '127.0.0.1', port }],
    resolve: async (uri) => [
      { protocol: 'udp', host: (uri as SipUri).host, port: (uri as SipUri).port ?? 5060 },
    ],
    policy: {
      route(ctx) {
        if (ctx.request.to.tag !== undefined) return { action: 'relay' };
        initial++;
        return {
          action: 'forward',
          targets: [{ uri: ctx.request.uri, routes: [`<sip:127.0.0.1:${scscfPort()};lr>`] }],
        };
      },
    },
  });
  return {
    uri: `sip:127.0.0.1:${port}`,
    initial: () => initial,
    async close() {
      proxy.dispose();
      await transport.close();
    },
  };
}

describe('S-CSCF session routing over sockets', () => {
  const sipp = new SippGroup();
  let dir: string;
  before(async () => {
    requireSipp();
    dir = await mkdtemp(join(tmpdir(), 'scscf-routing-'));
  });
  after(async () => {
    await sipp.stopAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('two registered UEs call each other: S-CSCF → I-CSCF → S-CSCF → UE, ACK and BYE by the Record-Route', async () => {
    let scscfPort = 0;
    const icscf = await startTinyIcscf(() => scscfPort);
    const h = await startRoutingHarness({ icscf: icscf.uri });
    scscfPort = h.port;
    const [alicePort, bobPort] = await freePorts(2);
    h.store.put(
      record({ impus: ['sip:alice@ims.test'], bindings: [binding(`sip:alice@127.0.0.1:${alicePort}`)] }),
    );
    h.store.put(record({ impus: ['sip:bob@ims.test'], bindings: [binding(`sip:bob@127.0.0.1:${bobPort}`)] }));
    try {
      for (const [caller, callerPort, callee, calleePort] of [
        ['alice', alicePort!, 'bob', bobPort!],
        ['bob', bobPort!, 'alice', alicePort!],
      ] as const) {
        const uas = sipp.start({
          name: `${callee}-uas`,
          scenario: join(SIPP_DIR, 'ims_uas_call.xml'),
          dir,
          port: calleePort,
          calls: 1,
          timeoutS: 20,
        });
        await uas.ready();
        const uac = sipp.start({
          name: `${caller}-uac`,
          scenario: join(SIPP_DIR, 'ims_uac_call.xml'),
          dir,
          port: callerPort,
          remote: `127.0.0.1:${h.port}`,
          service: callee,
          calls: 1,
          pauseMs: 200,
          timeoutS: 20,
          keys: { service_route: h.serviceRoute, pai: `sip:${caller}@ims.test` },
        });
        const [a, b] = await Promise.all([uac.result, uas.result]);
        assert.equal(a.successful, 1, describeRun(a));
        assert.equal(b.successful, 1, describeRun(b));
      }
      // Each INVITE passed the S-CSCF twice (originating, then terminating from the I-CSCF),
      // each BYE once more through the route set both passes record-routed.
      const methods = h.seen.map((r) => r.method);
      assert.equal(methods.filter((m) => m === 'INVITE').length, 4);
      assert.equal(methods.filter((m) => m === 'BYE').length, 2);
      assert.equal(icscf.initial(), 2);
    } finally {
      await h.close();
      await icscf.close();
    }
  });

  it('a call to an unregistered user gets 480, to an unknown one 404, from an unregistered one 403', async () => {
    const h = await startRoutingHarness(
      { terminatingVia: 'direct' },
      {
        'sip:carol@ims.test': record({ impus: ['sip:carol@ims.test'], state: 'unregistered' }),
      },
    );
    h.store.put(record({ impus: ['sip:alice@ims.test'], bindings: [binding('sip:alice@127.0.0.1:9')] }));
    try {
      const toCarol = await sendRequest(
        h.port,
        message('sip:carol@ims.test', h.serviceRoute, 'sip:alice@ims.test'),
      );
      assert.equal(toCarol?.status, 480);
      const term = `<sip:127.0.0.1:${h.port};lr>`;
      assert.equal((await sendRequest(h.port, message('sip:carol@ims.test', term)))?.status, 480);
      assert.equal((await sendRequest(h.port, message('sip:nobody@ims.test', term)))?.status, 404);
      const fromCarol = await sendRequest(
        h.port,
        message('sip:alice@ims.test', h.serviceRoute, 'sip:carol@ims.test'),
      );
      assert.equal(fromCarol?.status, 403);
    } finally {
      await h.close();
    }
  });

  it('RFC 5626: a 430 (Flow Failed) from the edge proxy drops that binding; the caller gets 480, never the 430', async () => {
    const failed: string[] = [];
    const h = await startRoutingHarness({ terminatingVia: 'direct' }, {}, async (impu, contact) => {
      failed.push(`${impu} ${contact}`);
    });
    const gone1 = await startEndpoint('gone1', 430);
    const gone2 = await startEndpoint('gone2', 430);
    const alive = await startEndpoint('alive', 200);
    h.store.put(record({ impus: ['sip:alice@ims.test'], bindings: [binding('sip:alice@127.0.0.1:9')] }));
    const bob = (ports: number[]) =>
      h.store.put(
        record({
          impus: ['sip:bob@ims.test'],
          bindings: ports.map((p) => binding(`sip:bob@127.0.0.1:${p}`)),
        }),
      );
    try {
      bob([gone1.port, gone2.port]);
      const none = await sendRequest(
        h.port,
        message('sip:bob@ims.test', h.serviceRoute, 'sip:alice@ims.test'),
      );
      assert.equal(none?.status, 480);
      assert.deepEqual(
        failed.sort(),
        [
          `sip:bob@ims.test sip:bob@127.0.0.1:${gone1.port}`,
          `sip:bob@ims.test sip:bob@127.0.0.1:${gone2.port}`,
        ].sort(),
      );
      bob([gone1.port, alive.port]);
      const one = await sendRequest(
        h.port,
        message('sip:bob@ims.test', h.serviceRoute, 'sip:alice@ims.test'),
      );
      assert.equal(one?.status, 200);
    } finally {
      await h.close();
      await gone1.close();
      await gone2.close();
      await alive.close();
    }
  });

  it('numbers: ENUM to a SIP URI of ours goes to the I-CSCF, an unknown number to the BGCF when so configured', async () => {
    const icscf = await startEndpoint('icscf', 200);
    const bgcf = await startEndpoint('bgcf', 200);
    const h = await startRoutingHarness({
      icscf: `sip:127.0.0.1:${icscf.port}`,
      bgcf: `sip:127.0.0.1:${bgcf.port}`,
      enum: { mode: 'static', table: { '+15550002': 'sip:bob@ims.test' } },
      unresolvedNumbers: 'bgcf',
    });
    h.store.put(record({ impus: ['sip:alice@ims.test'], bindings: [binding('sip:alice@127.0.0.1:9')] }));
    try {
      assert.equal(
        (await sendRequest(h.port, message('tel:+15550002', h.serviceRoute, 'sip:alice@ims.test')))?.status,
        200,
      );
      assert.equal(icscf.got[0]?.uriText, 'sip:bob@ims.test');
      assert.equal(
        (await sendRequest(h.port, message('tel:+15550099', h.serviceRoute, 'sip:alice@ims.test')))?.status,
        200,
      );
      assert.equal(bgcf.got[0]?.uriText, 'tel:+15550099');
      assert.equal(bgcf.got[0]?.headers.get('Route'), `<sip:127.0.0.1:${bgcf.port};lr>`);
      assert.equal(icscf.got.length, 1);
    } finally {
      await h.close();
      await icscf.close();
      await bgcf.close();
    }
  });
});
