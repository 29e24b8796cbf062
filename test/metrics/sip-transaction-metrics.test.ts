/**
 * sip_transactions_total and sip_transaction_duration_seconds on fake time: each transaction
 * counts once, at its first final response, or when it ends without one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { SipTransactionMetrics } from '../../src/metrics/sip-transaction-metrics.ts';
import { newBranch } from '../../src/sip/transaction/index.ts';
import { destination, layerHarness, T1, T4 } from '../sip/transaction/harness.ts';
import { makeRequest, makeResponse } from '../sip/transaction/messages.ts';
import { SpyClientUser } from '../sip/transaction/spy-users.ts';

/** A request of ours, with our Via and a fresh branch on top. */
const options = () => makeRequest('OPTIONS', { branch: newBranch(), sentBy: '192.0.2.1:5060' });

async function counts(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('sip_transactions_total')!.get();
  return Object.fromEntries(
    metric.values.map((v) => [`${v.labels.role} ${v.labels.method} ${v.labels.status}`, v.value]),
  );
}

describe('SIP transaction metrics', () => {
  it('counts a transaction once: its first final status, else timeout, and stops when asked', async () => {
    const { transport, layer, user, udp, clock } = layerHarness();
    const registry = new Registry();
    const stop = new SipTransactionMetrics(registry).observe(layer);

    const invite = makeRequest('INVITE');
    transport.inject(invite, udp);
    const server = user.requests[0]!.transaction;
    server.respond(makeResponse(invite, 486));
    // A retransmitted INVITE gets the 486 again; the transaction still counts once.
    transport.inject(invite, udp);
    layer.sendRequest(options(), destination('udp'), new SpyClientUser());
    clock.tick(64 * T1 + T4);
    assert.deepEqual(await counts(registry), { 'server INVITE 486': 1, 'client OPTIONS timeout': 1 });
    const durations = await registry.getSingleMetric('sip_transaction_duration_seconds')!.get();
    const count = (role: string) =>
      durations.values.find(
        (v) => (v as { metricName?: string }).metricName?.endsWith('_count') && v.labels.role === role,
      )?.value;
    assert.equal(count('server'), 1);
    assert.equal(count('client'), 1);

    stop();
    layer.sendRequest(options(), destination('udp'), new SpyClientUser());
    clock.tick(64 * T1 + T4);
    assert.deepEqual(await counts(registry), { 'server INVITE 486': 1, 'client OPTIONS timeout': 1 });
  });
});
