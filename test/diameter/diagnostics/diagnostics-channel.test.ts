import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import {
  type DiameterAnswerEvent,
  DiameterChannel,
  type DiameterFailureEvent,
  type DiameterPeerEvent,
  type DiameterRequestEvent,
} from '../../../src/diameter/diagnostics/diameter-diagnostics.ts';
import {
  DiameterAnswerError,
  DiameterRoutingError,
  DiameterTimeoutError,
} from '../../../src/diameter/errors.ts';
import type { DiameterNode } from '../../../src/diameter/node.ts';
import { ExperimentalResultCode, ResultCode } from '../../../src/diameter/result-code.ts';
import { CX, node, uarAvps, VSAI_CX, waitFor } from '../helpers/nodes.ts';

const CLIENT = 'dc-client.ims.test';
const SERVER = 'dc-server.ims.test';

describe('metrics on node:diagnostics_channel (ims:diameter:*)', () => {
  const requests: DiameterRequestEvent[] = [];
  const answers: DiameterAnswerEvent[] = [];
  const failures: DiameterFailureEvent[] = [];
  const peers: DiameterPeerEvent[] = [];
  const ours = (e: { node: string }) => e.node === CLIENT || e.node === SERVER;
  const listeners: [string, (message: unknown) => void][] = [
    [
      DiameterChannel.request,
      (m) => ours(m as DiameterRequestEvent) && requests.push(m as DiameterRequestEvent),
    ],
    [DiameterChannel.answer, (m) => ours(m as DiameterAnswerEvent) && answers.push(m as DiameterAnswerEvent)],
    [
      DiameterChannel.failure,
      (m) => ours(m as DiameterFailureEvent) && failures.push(m as DiameterFailureEvent),
    ],
    [DiameterChannel.peer, (m) => ours(m as DiameterPeerEvent) && peers.push(m as DiameterPeerEvent)],
  ];
  let server: DiameterNode;
  let client: DiameterNode;

  before(async () => {
    for (const [name, fn] of listeners) subscribe(name, fn);
    server = node({ originHost: SERVER, peers: [{ host: CLIENT }] });
    server.handle(CX.id, 300, () => ({
      vendorSpecificApplicationId: VSAI_CX,
      authSessionState: 1,
      resultCode: ResultCode.DIAMETER_SUCCESS,
    }));
    // LIR: the user is unknown (TS 29.229 §6.2.2.1), an Experimental-Result.
    server.handle(CX.id, 302, () => ({
      vendorSpecificApplicationId: VSAI_CX,
      authSessionState: 1,
      experimentalResult: {
        vendorId: 10415,
        experimentalResultCode: ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN,
      },
    }));
    // SAR: never answered.
    server.handle(CX.id, 301, () => new Promise(() => {}));
    await server.start();
    client = node({
      originHost: CLIENT,
      listen: undefined,
      peers: [{ host: SERVER, address: '127.0.0.1', port: server.port }],
    });
    await client.start();
    await client.waitForPeer(SERVER);
  });
  after(async () => {
    await Promise.all([client.close(), server.close()]);
    for (const [name, fn] of listeners) unsubscribe(name, fn);
  });

  it('a peer coming up is published with its state', async () => {
    await waitFor(() => peers.some((e) => e.node === SERVER && e.usable), 8000, 'the server side');
    const up = peers.find((e) => e.node === CLIENT && e.peer === SERVER);
    assert.deepEqual(up, { node: CLIENT, peer: SERVER, usable: true, state: 'I-Open' });
  });

  it('a request and its answer: both directions on both nodes, with command, result and duration', async () => {
    const avps = uarAvps(client);
    const ans = await client.request({ applicationId: CX.id, commandCode: 300, avps });
    const e2e = ans.header.endToEndId;
    await waitFor(
      () => answers.some((e) => e.node === SERVER && e.endToEndId === e2e),
      8000,
      'the answer event',
    );
    const out = requests.find((e) => e.node === CLIENT && e.endToEndId === e2e);
    assert.deepEqual(
      { ...out, hopByHopId: 0 },
      {
        node: CLIENT,
        peer: SERVER,
        direction: 'out',
        applicationId: CX.id,
        commandCode: 300,
        command: 'UAR',
        hopByHopId: 0,
        endToEndId: e2e,
        retransmitted: false,
      },
    );
    const received = requests.find((e) => e.node === SERVER && e.endToEndId === e2e);
    assert.equal(received?.direction, 'in');
    assert.equal(received?.peer, CLIENT);
    for (const [who, direction, peer] of [
      [SERVER, 'out', CLIENT],
      [CLIENT, 'in', SERVER],
    ] as const) {
      const a = answers.find((e) => e.node === who && e.endToEndId === e2e);
      assert.ok(a, `${who} answer event`);
      assert.equal(a.direction, direction);
      assert.equal(a.peer, peer);
      assert.equal(a.command, 'UAR');
      assert.equal(a.resultCode, ResultCode.DIAMETER_SUCCESS);
      assert.equal(a.experimental, false);
      assert.equal(a.error, false);
      assert.ok(a.durationMs >= 0 && Number.isFinite(a.durationMs));
    }
  });

  it('the result of an Experimental-Result answer, and of an E-bit answer, are published', async () => {
    const lir = await client.request({
      applicationId: CX.id,
      commandCode: 302,
      avps: { ...uarAvps(client), userName: undefined, visitedNetworkIdentifier: undefined },
    });
    const unknown = answers.find((e) => e.node === CLIENT && e.endToEndId === lir.header.endToEndId);
    assert.equal(unknown?.command, 'LIR');
    assert.equal(unknown?.resultCode, ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN);
    assert.equal(unknown?.experimental, true);

    const mar = client.request({
      applicationId: CX.id,
      commandCode: 303,
      avps: { ...uarAvps(client), sipAuthDataItem: {}, sipNumberAuthItems: 1, serverName: 'sip:s' },
    });
    const err = await mar.then(
      () => assert.fail('answered 2xxx'),
      (e: unknown) => e as DiameterAnswerError,
    );
    assert.ok(err instanceof DiameterAnswerError);
    const e3001 = answers.find((e) => e.node === CLIENT && e.endToEndId === err.answer.header.endToEndId);
    assert.equal(e3001?.resultCode, ResultCode.DIAMETER_COMMAND_UNSUPPORTED);
    assert.equal(e3001?.error, true);
  });

  it('a request that is never answered is published as a failure', async () => {
    const avps = {
      ...uarAvps(client),
      visitedNetworkIdentifier: undefined,
      serverName: 'sip:s',
      serverAssignmentType: 1,
      userDataAlreadyAvailable: 0,
    };
    await assert.rejects(
      client.request({ applicationId: CX.id, commandCode: 301, avps }, { timeout: 200 }),
      DiameterTimeoutError,
    );
    const f = failures.find((e) => e.node === CLIENT && e.command === 'SAR');
    assert.equal(f?.reason, 'ERR_DIAMETER_TIMEOUT');
    assert.equal(f?.peer, SERVER);
    assert.ok((f?.durationMs ?? 0) >= 0);
  });

  it('a request no peer can take is published as a routing failure', async () => {
    await assert.rejects(
      client.request({
        applicationId: CX.id,
        commandCode: 300,
        avps: { ...uarAvps(client), destinationRealm: 'nowhere.test' },
      }),
      DiameterRoutingError,
    );
    const f = failures.find((e) => e.node === CLIENT && e.reason === 'ERR_DIAMETER_ROUTING');
    assert.equal(f?.command, 'UAR');
    assert.equal(f?.peer, undefined);
  });
});
