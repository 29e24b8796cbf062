import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SipResponse } from '../../../src/sip/message/index.ts';
import {
  InviteServerTransaction,
  TransactionError,
  TransactionState,
} from '../../../src/sip/transaction/index.ts';
import { TransportError } from '../../../src/sip/transport/types.ts';
import { flush } from './fake-clock.ts';
import { harness, T1, T2, T4, TRANSPORTS } from './harness.ts';
import { again, makeRequest, makeResponse } from './messages.ts';
import { flowFrom } from './spy-transport.ts';
import { SpyTransactionUser } from './spy-users.ts';

function start(protocol: 'udp' | 'tcp' = 'udp', extra: string[] = []) {
  const h = harness();
  const user = new SpyTransactionUser();
  const request = makeRequest('INVITE', { transport: protocol.toUpperCase(), extra });
  const flow = flowFrom(protocol);
  const tx = new InviteServerTransaction(request, flow, user, h.context);
  const ack = (response: SipResponse) =>
    makeRequest('ACK', {
      branch: request.topVia.branch,
      transport: protocol.toUpperCase(),
      callId: request.callId,
      toTag: response.to.tag,
    });
  return { ...h, user, request, flow, tx, ack };
}

describe('InviteServerTransaction', () => {
  describe('RFC 3261 §17.2.1 INVITE Server Transaction (Figure 7, RFC 6026 Figure 5)', () => {
    for (const t of TRANSPORTS) {
      describe(`over ${t.via}`, () => {
        it('enters Proceeding when constructed for a request', () => {
          const { tx, transport } = start(t.protocol);
          assert.equal(tx.state, TransactionState.Proceeding);
          assert.deepEqual(transport.summary, []);
        });

        it('MUST generate a 100 (Trying) when the TU has not answered within 200 ms', () => {
          const { tx, transport, clock, request, flow } = start(t.protocol, ['Timestamp: 54.3']);
          clock.tick(199);
          assert.deepEqual(transport.summary, []);
          clock.tick(1);
          assert.deepEqual(transport.summary, ['100']);
          const trying = transport.sent[0]!.message as SipResponse;
          assert.equal(transport.sent[0]!.requestFlow, flow);
          // RFC 3261 §8.2.6: Via, From, To, Call-ID, CSeq copied; Timestamp copied into a 100.
          for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Timestamp']) {
            assert.equal(trying.headers.get(name), request.headers.get(name), name);
          }
          assert.equal(tx.state, TransactionState.Proceeding);
        });

        it('sends no 100 (Trying) when the TU answers within 200 ms', () => {
          const { tx, transport, clock, request } = start(t.protocol);
          clock.tick(150);
          tx.respond(makeResponse(request, 180));
          clock.tick(1000);
          assert.deepEqual(transport.summary, ['180']);
        });

        it('each provisional response of the TU MUST be passed to the transport in Proceeding', () => {
          const { tx, transport, request } = start(t.protocol);
          assert.equal(tx.respond(makeResponse(request, 180)), true);
          assert.equal(tx.respond(makeResponse(request, 183)), true);
          assert.deepEqual(transport.summary, ['180', '183']);
          assert.equal(tx.state, TransactionState.Proceeding);
        });

        it('a retransmitted INVITE in Proceeding MUST get the most recent provisional response again', () => {
          const { tx, transport, request, flow } = start(t.protocol);
          tx.receiveRequest(again(request), flow);
          assert.deepEqual(transport.summary, [], 'nothing to resend yet');
          tx.respond(makeResponse(request, 180));
          tx.respond(makeResponse(request, 183));
          tx.receiveRequest(again(request), flow);
          assert.deepEqual(transport.summary, ['180', '183', '183']);
        });

        it('a 300-699 response from the TU MUST move Proceeding to Completed and be sent', () => {
          const { tx, transport, request } = start(t.protocol);
          assert.equal(tx.respond(makeResponse(request, 486)), true);
          assert.equal(tx.state, TransactionState.Completed);
          assert.deepEqual(transport.summary, ['486']);
          assert.equal(tx.finalStatus, 486);
        });

        it('Completed: a retransmitted INVITE SHOULD get the final response again', () => {
          const { tx, transport, request, flow } = start(t.protocol);
          tx.respond(makeResponse(request, 486));
          tx.receiveRequest(again(request), flow);
          assert.deepEqual(transport.summary, ['486', '486']);
        });

        it('Completed: further responses from the TU are discarded', () => {
          const { tx, transport, request } = start(t.protocol);
          tx.respond(makeResponse(request, 486));
          assert.equal(tx.respond(makeResponse(request, 200)), false);
          assert.equal(tx.respond(makeResponse(request, 180)), false);
          assert.deepEqual(transport.summary, ['486']);
        });

        it('Timer H (64*T1) fires in Completed: MUST enter Terminated and indicate the failure to the TU', () => {
          const { tx, user, clock, request } = start(t.protocol);
          tx.respond(makeResponse(request, 404));
          clock.tick(64 * T1 - 1);
          assert.equal(tx.state, TransactionState.Completed);
          clock.tick(1);
          assert.deepEqual(user.timeouts, [tx]);
          assert.equal(tx.state, TransactionState.Terminated);
          assert.equal(tx.outcome, 'timeout');
          assert.equal(clock.pending, 0);
        });

        const timerI = t.reliable ? 0 : T4;
        it(`an ACK in Completed MUST move to Confirmed; Timer I (${timerI} ms) then MUST move to Terminated`, () => {
          const { tx, user, clock, request, flow, transport, ack } = start(t.protocol);
          const busy = makeResponse(request, 486);
          tx.respond(busy);
          tx.receiveRequest(ack(busy), flow);
          assert.equal(tx.state, TransactionState.Confirmed);
          // The purpose of the "Confirmed" state is to absorb any additional ACK messages.
          tx.receiveRequest(ack(busy), flow);
          tx.receiveRequest(again(request), flow);
          assert.equal(user.acks.length, 0);
          if (timerI > 0) {
            clock.tick(timerI - 1);
            assert.equal(tx.state, TransactionState.Confirmed);
          }
          clock.tick(Math.min(1, timerI));
          assert.equal(tx.state, TransactionState.Terminated);
          assert.equal(tx.outcome, 'completed');
          assert.deepEqual(transport.summary, ['486']);
          assert.equal(clock.pending, 0);
        });
      });
    }

    it('over UDP, Timer G: the final response is retransmitted at T1, 2T1, 4T1... capped at T2, until Timer H', () => {
      const { tx, transport, clock, request } = start('udp');
      tx.respond(makeResponse(request, 500));
      const at: number[] = [];
      while (clock.now < 64 * T1) {
        const before = transport.sent.length;
        clock.tick(100);
        if (transport.sent.length > before) at.push(clock.now);
      }
      assert.deepEqual(at, [
        500,
        1500,
        3500,
        7500,
        7500 + T2,
        7500 + 2 * T2,
        7500 + 3 * T2,
        7500 + 4 * T2,
        7500 + 5 * T2,
        31500,
      ]);
      assert.equal(tx.state, TransactionState.Terminated);
    });

    it('over TCP, Timer G is not set: the final response is not retransmitted', () => {
      const { tx, transport, clock, request } = start('tcp');
      tx.respond(makeResponse(request, 500));
      clock.tick(64 * T1 - 1);
      assert.deepEqual(transport.summary, ['500']);
    });

    it('an ACK stops the retransmissions: Timer G is ignored in Confirmed', () => {
      const { tx, transport, clock, request, flow, ack } = start('udp');
      const busy = makeResponse(request, 486);
      tx.respond(busy);
      clock.tick(T1);
      tx.receiveRequest(ack(busy), flow);
      clock.tick(64 * T1);
      assert.deepEqual(transport.summary, ['486', '486']);
    });
  });

  describe('RFC 6026 §7.1 / §8.5-8.7 Accepted state', () => {
    for (const t of TRANSPORTS) {
      it(`over ${t.via}: a 2xx from the TU in Proceeding MUST be sent and move to Accepted; Timer L (64*T1) ends it`, () => {
        const { tx, transport, clock, request } = start(t.protocol);
        assert.equal(tx.respond(makeResponse(request, 200)), true);
        assert.equal(tx.state, TransactionState.Accepted);
        assert.deepEqual(transport.summary, ['200']);
        clock.tick(64 * T1 - 1);
        assert.equal(tx.state, TransactionState.Accepted);
        assert.deepEqual(transport.summary, ['200'], 'MUST NOT generate 2xx retransmissions on its own');
        clock.tick(1);
        assert.equal(tx.state, TransactionState.Terminated);
        assert.equal(tx.finalStatus, 200);
        assert.equal(clock.pending, 0);
      });
    }

    it('2xx retransmissions from the TU in Accepted MUST be passed to the transport', () => {
      const { tx, transport, request } = start('udp');
      const ok = makeResponse(request, 200);
      tx.respond(ok);
      assert.equal(tx.respond(ok), true);
      assert.equal(tx.respond(ok), true);
      assert.deepEqual(transport.summary, ['200', '200', '200']);
    });

    it('non-2xx responses from the TU in Accepted are discarded', () => {
      const { tx, transport, request } = start('udp');
      tx.respond(makeResponse(request, 200));
      assert.equal(tx.respond(makeResponse(request, 486)), false);
      assert.equal(tx.respond(makeResponse(request, 180)), false);
      assert.deepEqual(transport.summary, ['200']);
    });

    it('retransmitted INVITEs in Accepted MUST be absorbed without being passed to the TU', () => {
      const { tx, transport, request, flow, user } = start('udp');
      tx.respond(makeResponse(request, 200));
      tx.receiveRequest(again(request), flow);
      tx.receiveRequest(again(request), flow);
      assert.deepEqual(transport.summary, ['200']);
      assert.equal(user.requests.length, 0);
    });

    it('an ACK matching the transaction in Accepted MUST be passed to the TU', () => {
      const { tx, request, flow, user, ack } = start('udp');
      const ok = makeResponse(request, 200);
      tx.respond(ok);
      const theAck = ack(ok);
      tx.receiveRequest(theAck, flow);
      assert.equal(user.acks.length, 1);
      assert.equal(user.acks[0]!.ack, theAck);
      assert.equal(user.acks[0]!.transaction, tx);
      assert.equal(tx.state, TransactionState.Accepted);
    });
  });

  describe('RFC 3261 §17.2.4 Handling Transport Errors', () => {
    it('Proceeding: a failed provisional response SHOULD be reported to the TU, then Terminated', async () => {
      const { tx, transport, request, user, clock } = start('tcp');
      transport.failNext(new TransportError('FLOW_GONE', 'closed'));
      tx.respond(makeResponse(request, 180));
      await flush();
      assert.equal(user.transportErrors[0]?.error.code, 'FLOW_GONE');
      assert.equal(user.transportErrors[0]?.transaction, tx);
      assert.equal(tx.state, TransactionState.Terminated);
      assert.equal(tx.outcome, 'transport-error');
      assert.equal(clock.pending, 0);
    });

    it('Completed: a failed retransmission SHOULD be reported to the TU, then Terminated', async () => {
      const { tx, transport, request, user, clock } = start('udp');
      tx.respond(makeResponse(request, 503 as number));
      transport.failNext(new TransportError('SEND_FAILED', 'EHOSTUNREACH'));
      clock.tick(T1);
      await flush();
      assert.equal(user.transportErrors.length, 1);
      assert.equal(tx.state, TransactionState.Terminated);
      assert.equal(clock.pending, 0);
    });

    it('Accepted: a failed 2xx is reported to the TU and the transaction stays (RFC 6026 Figure 5)', async () => {
      const { tx, transport, request, user, flow } = start('tcp');
      transport.failNext(new TransportError('FLOW_GONE', 'closed'));
      tx.respond(makeResponse(request, 200));
      await flush();
      assert.equal(user.transportErrors.length, 1);
      assert.equal(tx.state, TransactionState.Accepted);
      tx.receiveRequest(again(request), flow);
      assert.deepEqual(transport.summary, ['200'], 'still absorbing retransmitted INVITEs');
    });
  });

  describe('misuse', () => {
    it('refuses a request other than INVITE and a status outside 100-699', () => {
      const { context } = harness();
      const user = new SpyTransactionUser();
      assert.throws(
        () => new InviteServerTransaction(makeRequest('OPTIONS'), flowFrom('udp'), user, context),
        (e: unknown) => e instanceof TransactionError && e.code === 'ERR_SIP_TRANSACTION_METHOD',
      );
      const { tx, request } = start('udp');
      const bad = makeResponse(request, 200);
      bad.status = 99;
      assert.throws(() => tx.respond(bad), { code: 'ERR_SIP_TRANSACTION_STATUS' });
    });

    it('stateTransition() refuses a transition the figure does not have', () => {
      const { tx } = start('udp');
      const machine = tx as unknown as { stateTransition(to: TransactionState): void };
      for (const to of [TransactionState.Confirmed, TransactionState.Calling, TransactionState.Trying]) {
        assert.throws(() => machine.stateTransition(to), { code: 'ERR_SIP_TRANSACTION_STATE' });
      }
    });
  });
});
