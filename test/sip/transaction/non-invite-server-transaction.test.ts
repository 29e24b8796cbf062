import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NonInviteServerTransaction,
  TransactionError,
  TransactionState,
} from '../../../src/sip/transaction/index.ts';
import { TransportError } from '../../../src/sip/transport/types.ts';
import { flush } from './fake-clock.ts';
import { harness, T1, TRANSPORTS } from './harness.ts';
import { again, makeRequest, makeResponse } from './messages.ts';
import { flowFrom } from './spy-transport.ts';
import { SpyTransactionUser } from './spy-users.ts';

function start(protocol: 'udp' | 'tcp' = 'udp', method = 'REGISTER') {
  const h = harness();
  const user = new SpyTransactionUser();
  const request = makeRequest(method, { transport: protocol.toUpperCase() });
  const flow = flowFrom(protocol);
  const tx = new NonInviteServerTransaction(request, flow, user, h.context);
  return { ...h, user, request, flow, tx };
}

describe('NonInviteServerTransaction', () => {
  describe('RFC 3261 §17.2.2 Non-INVITE Server Transaction (Figure 8)', () => {
    for (const t of TRANSPORTS) {
      describe(`over ${t.via}`, () => {
        it('is initialized in Trying; further request retransmissions are discarded there', () => {
          const { tx, transport, request, flow, clock } = start(t.protocol);
          assert.equal(tx.state, TransactionState.Trying);
          tx.receiveRequest(again(request), flow);
          clock.tick(1000);
          assert.deepEqual(transport.summary, [], 'no automatic 100 for non-INVITE (RFC 4320)');
        });

        it('a provisional response from the TU in Trying MUST move to Proceeding and be sent', () => {
          const { tx, transport, request } = start(t.protocol);
          assert.equal(tx.respond(makeResponse(request, 100)), true);
          assert.equal(tx.state, TransactionState.Proceeding);
          tx.respond(makeResponse(request, 100));
          assert.deepEqual(transport.summary, ['100', '100']);
        });

        it('a retransmission in Proceeding MUST get the most recently sent provisional response', () => {
          const { tx, transport, request, flow } = start(t.protocol);
          tx.respond(makeResponse(request, 100));
          tx.receiveRequest(again(request), flow);
          assert.deepEqual(transport.summary, ['100', '100']);
          assert.equal(transport.sent[1]!.message, transport.sent[0]!.message);
        });

        for (const from of ['Trying', 'Proceeding']) {
          it(`a final response (200-699) from the TU in ${from} MUST enter Completed and be sent`, () => {
            const { tx, transport, request } = start(t.protocol);
            if (from === 'Proceeding') tx.respond(makeResponse(request, 100));
            assert.equal(tx.respond(makeResponse(request, 401)), true);
            assert.equal(tx.state, TransactionState.Completed);
            assert.equal(transport.summary.at(-1), '401');
            assert.equal(tx.finalStatus, 401);
          });
        }

        it('Completed: every request retransmission MUST get the final response again', () => {
          const { tx, transport, request, flow } = start(t.protocol);
          tx.respond(makeResponse(request, 200));
          tx.receiveRequest(again(request), flow);
          tx.receiveRequest(again(request), flow);
          assert.deepEqual(transport.summary, ['200', '200', '200']);
        });

        it('Completed: any other final responses passed by the TU MUST be discarded', () => {
          const { tx, transport, request } = start(t.protocol);
          tx.respond(makeResponse(request, 200));
          assert.equal(tx.respond(makeResponse(request, 500)), false);
          assert.equal(tx.respond(makeResponse(request, 100)), false);
          assert.deepEqual(transport.summary, ['200']);
        });

        const timerJ = t.reliable ? 0 : 64 * T1;
        it(`Timer J (${timerJ} ms over ${t.via}) MUST move Completed to Terminated`, () => {
          const { tx, clock, request } = start(t.protocol);
          tx.respond(makeResponse(request, 200));
          if (timerJ > 0) {
            clock.tick(timerJ - 1);
            assert.equal(tx.state, TransactionState.Completed);
          }
          clock.tick(Math.min(1, timerJ));
          assert.equal(tx.state, TransactionState.Terminated);
          assert.equal(tx.outcome, 'completed');
          assert.equal(clock.pending, 0);
        });
      });
    }
  });

  describe('RFC 3261 §17.2.4 Handling Transport Errors', () => {
    for (const status of [100, 200]) {
      it(`a failed ${status} SHOULD be reported to the TU, and the transaction terminated`, async () => {
        const { tx, transport, request, user, clock } = start('tcp');
        transport.failNext(new TransportError('FLOW_GONE', 'closed'));
        tx.respond(makeResponse(request, status));
        await flush();
        assert.equal(user.transportErrors.length, 1);
        assert.equal(user.transportErrors[0]!.transaction, tx);
        assert.equal(tx.state, TransactionState.Terminated);
        assert.equal(clock.pending, 0);
      });
    }
  });

  describe('misuse', () => {
    for (const method of ['INVITE', 'ACK']) {
      it(`refuses ${method}`, () => {
        const { context } = harness();
        assert.throws(
          () =>
            new NonInviteServerTransaction(
              makeRequest(method),
              flowFrom('udp'),
              new SpyTransactionUser(),
              context,
            ),
          (e: unknown) => e instanceof TransactionError && e.code === 'ERR_SIP_TRANSACTION_METHOD',
        );
      });
    }

    it('stateTransition() refuses a transition Figure 8 does not have', () => {
      const { tx } = start('udp');
      const machine = tx as unknown as { stateTransition(to: TransactionState): void };
      for (const to of [TransactionState.Confirmed, TransactionState.Accepted, TransactionState.Calling]) {
        assert.throws(() => machine.stateTransition(to), { code: 'ERR_SIP_TRANSACTION_STATE' });
      }
    });
  });
});
