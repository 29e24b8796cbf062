import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NonInviteClientTransaction,
  newBranch,
  TransactionError,
  TransactionState,
} from '../../../src/sip/transaction/index.ts';
import { TransportError } from '../../../src/sip/transport/types.ts';
import type { FakeClock } from './fake-clock.ts';
import { flush } from './fake-clock.ts';
import { destination, harness, T1, T2, T4, TRANSPORTS } from './harness.ts';
import { again, makeRequest, makeResponse } from './messages.ts';
import type { SpyTransport } from './spy-transport.ts';
import { SpyClientUser } from './spy-users.ts';

function start(protocol: 'udp' | 'tcp' = 'udp', method = 'OPTIONS') {
  const h = harness();
  const user = new SpyClientUser();
  const request = makeRequest(method, { branch: newBranch(), transport: protocol.toUpperCase() });
  const tx = new NonInviteClientTransaction(request, destination(protocol), user, h.context);
  return { ...h, user, request, tx };
}

/** Times (ms) at which the transport was handed a message while the clock runs to `until`. */
function sendTimes(clock: FakeClock, transport: SpyTransport, until: number, step = 100): number[] {
  const at: number[] = [];
  while (clock.now < until) {
    const before = transport.sent.length;
    clock.tick(step);
    if (transport.sent.length > before) at.push(clock.now);
  }
  return at;
}

describe('NonInviteClientTransaction', () => {
  describe('RFC 3261 §17.1.2.2 Formal Description (Figure 6)', () => {
    for (const t of TRANSPORTS) {
      describe(`over ${t.via}`, () => {
        it('MUST enter Trying and pass the request to the transport layer', () => {
          const { tx, transport, request } = start(t.protocol, 'REGISTER');
          assert.equal(tx.state, TransactionState.Trying);
          assert.equal(transport.sent[0]!.message, request);
        });

        it('Timer F (64*T1) in Trying SHOULD inform the TU about the timeout, then enter Terminated', () => {
          const { tx, user, clock } = start(t.protocol);
          clock.tick(64 * T1 - 1);
          assert.equal(user.timeouts.length, 0);
          clock.tick(1);
          assert.deepEqual(user.events, ['timeout']);
          assert.equal(tx.state, TransactionState.Terminated);
          assert.equal(clock.pending, 0);
        });

        it('Timer F in Proceeding SHOULD inform the TU about the timeout, then enter Terminated', () => {
          const { tx, user, clock, request } = start(t.protocol);
          tx.receiveResponse(makeResponse(request, 100));
          clock.tick(64 * T1);
          assert.deepEqual(user.events, ['response 100', 'timeout']);
          assert.equal(tx.state, TransactionState.Terminated);
          assert.equal(tx.outcome, 'timeout');
        });

        it('a provisional response in Trying MUST be passed to the TU, then SHOULD move to Proceeding', () => {
          const { tx, user, request } = start(t.protocol);
          tx.receiveResponse(makeResponse(request, 100));
          assert.equal(tx.state, TransactionState.Proceeding);
          tx.receiveResponse(makeResponse(request, 100));
          assert.deepEqual(user.events, ['response 100', 'response 100']);
        });

        for (const from of ['Trying', 'Proceeding']) {
          it(`a final response (200-699) in ${from} MUST be passed to the TU and MUST transition to Completed`, () => {
            const { tx, user, request } = start(t.protocol);
            if (from === 'Proceeding') tx.receiveResponse(makeResponse(request, 100));
            tx.receiveResponse(makeResponse(request, 404));
            assert.equal(tx.state, TransactionState.Completed);
            assert.equal(user.responses.at(-1)?.status, 404);
            assert.equal(tx.finalStatus, 404);
          });
        }

        it('Completed buffers response retransmissions: not passed to the TU', () => {
          const { tx, user, request, transport } = start(t.protocol);
          const ok = makeResponse(request, 200);
          tx.receiveResponse(ok);
          tx.receiveResponse(again(ok));
          tx.receiveResponse(makeResponse(request, 100));
          assert.deepEqual(user.events, ['response 200']);
          assert.deepEqual(transport.summary, ['OPTIONS']);
        });

        const timerK = t.reliable ? 0 : T4;
        it(`Timer K (${timerK} ms over ${t.via}) MUST move Completed to Terminated`, () => {
          const { tx, clock, request } = start(t.protocol);
          tx.receiveResponse(makeResponse(request, 200));
          if (timerK > 0) {
            clock.tick(timerK - 1);
            assert.equal(tx.state, TransactionState.Completed);
          }
          clock.tick(Math.min(1, timerK));
          assert.equal(tx.state, TransactionState.Terminated);
          assert.equal(tx.outcome, 'completed');
          assert.equal(clock.pending, 0);
        });
      });
    }

    it('over UDP, Timer E: retransmit at T1, then MIN(2*interval, T2) until Timer F', () => {
      const { clock, transport, tx } = start('udp');
      const at = sendTimes(clock, transport, 64 * T1);
      assert.deepEqual(at, [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
      assert.equal(tx.state, TransactionState.Terminated);
    });

    it('over UDP, Timer E in Proceeding: MUST retransmit and reset Timer E with T2', () => {
      const { clock, transport, tx, request } = start('udp');
      clock.tick(T1 + 100); // first retransmission at 500, next due at 1500
      tx.receiveResponse(makeResponse(request, 100));
      const at = sendTimes(clock, transport, 1500 + 3 * T2);
      assert.deepEqual(at, [1500, 1500 + T2, 1500 + 2 * T2, 1500 + 3 * T2]);
    });

    it('over TCP, Timer E is not set: no retransmission', () => {
      const { clock, transport } = start('tcp');
      clock.tick(64 * T1);
      assert.deepEqual(transport.summary, ['OPTIONS']);
    });

    it('a final response stops the retransmissions (Timer E) and Timer F', () => {
      const { clock, transport, tx, user, request } = start('udp');
      tx.receiveResponse(makeResponse(request, 200));
      clock.tick(64 * T1);
      assert.deepEqual(transport.summary, ['OPTIONS']);
      assert.equal(user.timeouts.length, 0);
    });
  });

  describe('RFC 3261 §17.1.4 Handling Transport Errors', () => {
    for (const t of TRANSPORTS) {
      it(`over ${t.via}: SHOULD inform the TU of the transport failure and transition to Terminated`, async () => {
        const h = harness();
        h.transport.failure = new TransportError('NO_TRANSPORT', 'no such transport');
        const user = new SpyClientUser();
        const tx = new NonInviteClientTransaction(
          makeRequest('MESSAGE', { branch: newBranch() }),
          destination(t.protocol),
          user,
          h.context,
        );
        await flush();
        assert.deepEqual(user.events, ['transport-error NO_TRANSPORT']);
        assert.equal(tx.state, TransactionState.Terminated);
        assert.equal(h.clock.pending, 0);
      });
    }

    it('a failed retransmission in Proceeding terminates the transaction', async () => {
      const { clock, transport, tx, user, request } = start('udp');
      tx.receiveResponse(makeResponse(request, 100));
      transport.failNext(new TransportError('SEND_FAILED', 'ENETUNREACH'));
      clock.tick(T1);
      await flush();
      assert.deepEqual(user.events, ['response 100', 'transport-error SEND_FAILED']);
      assert.equal(tx.state, TransactionState.Terminated);
    });

    it('a non-TransportError rejection is reported as SEND_FAILED', async () => {
      const h = harness();
      h.transport.send = () => Promise.reject(new Error('EPIPE'));
      const user = new SpyClientUser();
      new NonInviteClientTransaction(
        makeRequest('BYE', { branch: newBranch() }),
        destination('tcp'),
        user,
        h.context,
      );
      await flush();
      assert.equal(user.transportErrors[0]?.code, 'SEND_FAILED');
      assert.equal(user.transportErrors[0]?.message, 'EPIPE');
    });
  });

  describe('misuse', () => {
    for (const method of ['INVITE', 'ACK']) {
      it(`refuses ${method}`, () => {
        const { context } = harness();
        assert.throws(
          () =>
            new NonInviteClientTransaction(
              makeRequest(method, { branch: newBranch() }),
              destination('udp'),
              new SpyClientUser(),
              context,
            ),
          (e: unknown) => e instanceof TransactionError && e.code === 'ERR_SIP_TRANSACTION_METHOD',
        );
      });
    }

    it('stateTransition() refuses a transition Figure 6 does not have', () => {
      const { tx } = start('udp');
      const machine = tx as unknown as { stateTransition(to: TransactionState): void };
      for (const to of [TransactionState.Calling, TransactionState.Accepted, TransactionState.Confirmed]) {
        assert.throws(() => machine.stateTransition(to), { code: 'ERR_SIP_TRANSACTION_STATE' });
      }
    });
  });
});
