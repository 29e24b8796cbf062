import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Via } from '../../../src/sip/message/index.ts';
import {
  DEFAULT_TIMER_VALUES,
  newBranch,
  resolveTimerValues,
  TransactionLayer,
  TransactionState,
} from '../../../src/sip/transaction/index.ts';
import { destination } from './harness.ts';
import { makeRequest, makeResponse } from './messages.ts';
import { flowFrom, SpyTransport } from './spy-transport.ts';
import { SpyClientUser, SpyTransactionUser } from './spy-users.ts';

describe('RFC 3261 §17.1.1.1 timer values and §8.1.1.7 branches', () => {
  it('T1, T2, T4 default to 500 ms, 4 s, 5 s (Table 4) and are frozen', () => {
    assert.deepEqual(DEFAULT_TIMER_VALUES, { T1: 500, T2: 4000, T4: 5000 });
    const values = resolveTimerValues({ T2: 8000 });
    assert.deepEqual(values, { T1: 500, T2: 8000, T4: 5000 });
    assert.ok(Object.isFrozen(values));
  });

  it('newBranch() begins with the magic cookie, is a token, and is unique', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const b = newBranch();
      assert.match(b, /^z9hG4bK[A-Za-z0-9_-]{16}$/);
      assert.equal(Via.parse(`SIP/2.0/UDP h;branch=${b}`).branch, b);
      seen.add(b);
    }
    assert.equal(seen.size, 1000);
  });

  it('the default timers are Node timers: the layer runs on node:test mock.timers', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const transport = new SpyTransport();
    const user = new SpyTransactionUser();
    const layer = new TransactionLayer({ transport, user });
    const tu = new SpyClientUser();
    const tx = layer.sendRequest(makeRequest('OPTIONS', { branch: newBranch() }), destination('udp'), tu);
    t.mock.timers.tick(500);
    assert.equal(transport.sent.length, 2, 'Timer E fired');
    t.mock.timers.tick(31_500);
    assert.equal(tx.state, TransactionState.Terminated);
    assert.equal(tu.timeouts.length, 1);

    const invite = makeRequest('INVITE');
    transport.inject(invite, flowFrom('udp'));
    t.mock.timers.tick(200);
    assert.equal(transport.summary.at(-1), '100');
    user.requests[0]!.transaction.respond(makeResponse(invite, 200));
    t.mock.timers.tick(32_000);
    assert.equal(layer.size, 0);
  });
});
