import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { createStandardDictionary } from '../../../src/diameter/dictionary/standard.ts';
import { Peer } from '../../../src/diameter/peer/peer.ts';
import { PeerState } from '../../../src/diameter/peer/peer-state.ts';
import { IdentifierSource } from '../../../src/diameter/routing/identifiers.ts';

const dictionary = createStandardDictionary();
const local = {
  originHost: 'me.ims.test',
  originRealm: 'ims.test',
  hostIpAddresses: ['127.0.0.1'],
  vendorId: 0,
  productName: 'test',
  originStateId: 1,
  applications: [{ id: 16777216, vendorId: 10415, kind: 'auth' as const }],
};

function peer(connect: () => Promise<Socket>) {
  const attempts: number[] = [];
  const p = new Peer({
    host: 'other.ims.test',
    connect: () => {
      attempts.push(Date.now());
      return connect();
    },
    local,
    dictionary,
    ids: new IdentifierSource(),
    timeout: 1000,
    tcMin: 100,
    tc: 400,
  });
  const states: PeerState[] = [];
  p.on('state', (s) => states.push(s));
  return { p, states, attempts };
}

describe('peer state machine timers (RFC 6733 §5.6 Timeout, §2.1 Tc)', () => {
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    mock.method(Math, 'random', () => 1); // no jitter: backoff delays are exact
  });
  afterEach(() => {
    mock.timers.reset();
    mock.restoreAll();
  });

  it('Wait-Conn-Ack times out to Closed, then Tc retries with exponential backoff up to Tc', async () => {
    const { p, states, attempts } = peer(() => new Promise(() => {}));
    p.start();
    assert.equal(p.state, PeerState.WaitConnAck);
    mock.timers.tick(999);
    assert.equal(p.state, PeerState.WaitConnAck);
    mock.timers.tick(1);
    assert.equal(p.state, PeerState.Closed);
    // Backoff: 100, 200, 400, then capped at Tc = 400.
    for (const delay of [100, 200, 400, 400]) {
      mock.timers.tick(delay - 1);
      assert.equal(p.state, PeerState.Closed);
      mock.timers.tick(1);
      assert.equal(p.state, PeerState.WaitConnAck);
      mock.timers.tick(1000);
    }
    assert.equal(attempts.length, 5);
    assert.deepEqual(states.slice(0, 4), [
      PeerState.WaitConnAck,
      PeerState.Closed,
      PeerState.WaitConnAck,
      PeerState.Closed,
    ]);
    p.dispose();
  });

  it('a refused connection (I-Rcv-Conn-Nack) closes at once and is retried after Tc', async () => {
    const { p, attempts } = peer(() => Promise.reject(new Error('ECONNREFUSED')));
    p.start();
    await Promise.resolve();
    await Promise.resolve();
    assert.equal(p.state, PeerState.Closed);
    mock.timers.tick(100);
    assert.equal(attempts.length, 2);
    p.dispose();
  });

  it('stop() in Closed cancels Tc: no more attempts', async () => {
    const { p, attempts } = peer(() => Promise.reject(new Error('ECONNREFUSED')));
    p.start();
    await Promise.resolve();
    await Promise.resolve();
    await p.stop();
    mock.timers.tick(10_000);
    assert.equal(attempts.length, 1);
    assert.equal(p.state, PeerState.Closed);
  });
});
