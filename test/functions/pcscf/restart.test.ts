/**
 * A P-CSCF restarted with `flowTokenKeyFile` and `registrationSnapshotPath` (what `ims up`
 * configures): the Path the registrar kept still names the UE's UDP flow, and the UE's
 * registration is served again (originating and terminating requests, a new reg event
 * subscription); a TCP registration is not restored (its connection ended with the process).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SipRequest } from '../../../src/sip/message/index.ts';
import { isRequest, RawUe, registerText, requestText, startBench, unique } from './harness.ts';

describe('P-CSCF restart with a flow token key file and a registration snapshot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pcscf-restart-'));
  let bench: Awaited<ReturnType<typeof startBench>>;
  const ues: RawUe[] = [];

  before(async () => {
    bench = await startBench({
      flowTokenKeyFile: join(dir, 'flow-token.key'),
      registrationSnapshotPath: join(dir, 'registrations.json'),
    });
  });
  after(async () => {
    for (const ue of ues) await ue.close();
    await bench.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a UDP registration is served after the restart; a TCP one is not restored', async () => {
    const alice = await RawUe.start('udp', bench.port);
    const tina = await RawUe.start('tcp', bench.port);
    ues.push(alice, tina);
    const aliceImpu = `sip:${unique('alice')}@ims.test`;
    const tinaImpu = `sip:${unique('tina')}@ims.test`;
    assert.equal((await alice.request(registerText(aliceImpu, 'sip:alice@192.168.1.20:5060'))).status, 200);
    assert.equal(
      (await tina.request(registerText(tinaImpu, 'sip:tina@10.1.1.1:5999;transport=tcp'))).status,
      200,
    );
    const subscriptionsBefore = bench.core.subscriptions.length;

    await bench.restartPcscf();

    assert.deepEqual(
      bench.pcscf.registeredUsers().map((r) => r.impu),
      [aliceImpu],
    );
    // The registrar's Path still names alice's flow: the request reaches her NAT-ed address.
    const callId = unique('term');
    const pending = bench.core.messageTo(aliceImpu, callId, 'after the restart');
    const got = (await alice.inbox.next(isRequest('MESSAGE'))) as SipRequest;
    assert.equal(got.callId, callId);
    await alice.answer(got, 200);
    assert.equal((await pending).status, 200);

    // Her originating requests are accepted, and the P-CSCF subscribes to her reg event again.
    bench.core.answerOriginating = (r) => (r.method === 'MESSAGE' ? 200 : undefined);
    const sent = await alice.request(
      requestText({
        method: 'MESSAGE',
        uri: 'sip:bob@ims.test',
        from: aliceImpu,
        callId: unique('orig'),
        body: 'hi',
      }),
    );
    assert.equal(sent.status, 200);
    const until = Date.now() + 3000;
    while (
      !bench.core.subscriptions.slice(subscriptionsBefore).some((s) => s.request.uri.toString() === aliceImpu)
    ) {
      assert.ok(Date.now() < until, 'no reg event SUBSCRIBE after the restart');
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});
