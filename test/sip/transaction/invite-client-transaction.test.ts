import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SipRequest } from '../../../src/sip/message/index.ts';
import {
  InviteClientTransaction,
  newBranch,
  TransactionError,
  TransactionState,
} from '../../../src/sip/transaction/index.ts';
import { TransportError } from '../../../src/sip/transport/types.ts';
import { flush } from './fake-clock.ts';
import { destination, harness, T1, TRANSPORTS } from './harness.ts';
import { again, makeRequest, makeResponse } from './messages.ts';
import { SpyClientUser } from './spy-users.ts';

function start(protocol: 'udp' | 'tcp' = 'udp', invite?: SipRequest) {
  const h = harness();
  const user = new SpyClientUser();
  const request =
    invite ??
    makeRequest('INVITE', {
      branch: newBranch(),
      transport: protocol.toUpperCase(),
      sentBy: '192.0.2.1:5060',
    });
  const tx = new InviteClientTransaction(request, destination(protocol), user, h.context);
  return { ...h, user, request, tx };
}

describe('InviteClientTransaction', () => {
  describe('RFC 3261 §17.1.1.2 Formal Description (Figure 5)', () => {
    for (const t of TRANSPORTS) {
      describe(`over ${t.via}`, () => {
        it('MUST enter Calling and pass the INVITE to the transport layer', async () => {
          const { tx, transport, request } = start(t.protocol);
          assert.equal(tx.state, TransactionState.Calling);
          assert.deepEqual(transport.summary, ['INVITE']);
          assert.equal(transport.sent[0]!.message, request);
          assert.deepEqual(transport.sent[0]!.destination, destination(t.protocol));
          await flush();
          assert.equal(tx.flow?.protocol, t.protocol);
        });

        it('Timer B fires after 64*T1 in Calling: SHOULD inform the TU of the timeout, enter Terminated', () => {
          const { tx, user, clock } = start(t.protocol);
          clock.tick(64 * T1 - 1);
          assert.equal(tx.state, TransactionState.Calling);
          clock.tick(1);
          assert.equal(user.timeouts.length, 1);
          assert.equal(tx.state, TransactionState.Terminated);
          assert.equal(tx.outcome, 'timeout');
          assert.equal(clock.pending, 0);
        });

        it('MUST transition to Proceeding on 1xx and pass every provisional response to the TU', () => {
          const { tx, user, request } = start(t.protocol);
          tx.receiveResponse(makeResponse(request, 100));
          assert.equal(tx.state, TransactionState.Proceeding);
          tx.receiveResponse(makeResponse(request, 180));
          tx.receiveResponse(makeResponse(request, 183));
          assert.deepEqual(user.events, ['response 100', 'response 180', 'response 183']);
          assert.equal(tx.state, TransactionState.Proceeding);
        });

        it('Timer B has no effect once in Proceeding (the TU cancels a ringing INVITE)', () => {
          const { tx, user, clock, request } = start(t.protocol);
          tx.receiveResponse(makeResponse(request, 180));
          clock.tick(3 * 64 * T1);
          assert.equal(tx.state, TransactionState.Proceeding);
          assert.equal(user.timeouts.length, 0);
          assert.equal(clock.pending, 0);
        });

        for (const from of ['Calling', 'Proceeding']) {
          it(`MUST transition to Completed on 300-699 in ${from}, pass it to the TU and send an ACK`, () => {
            const { tx, user, transport, request } = start(t.protocol);
            if (from === 'Proceeding') tx.receiveResponse(makeResponse(request, 180));
            tx.receiveResponse(makeResponse(request, 486));
            assert.equal(tx.state, TransactionState.Completed);
            assert.equal(user.responses.at(-1)?.status, 486);
            assert.deepEqual(transport.summary, ['INVITE', 'ACK']);
            assert.equal(tx.finalStatus, 486);
          });
        }

        it('Completed: a retransmitted final response MUST cause the ACK to be re-sent, MUST NOT reach the TU', () => {
          const { tx, user, transport, request } = start(t.protocol);
          const busy = makeResponse(request, 486);
          tx.receiveResponse(busy);
          tx.receiveResponse(again(busy));
          tx.receiveResponse(again(busy));
          assert.deepEqual(transport.summary, ['INVITE', 'ACK', 'ACK', 'ACK']);
          assert.equal(transport.sent[1]!.message, transport.sent[2]!.message);
          assert.deepEqual(user.events, ['response 486']);
        });

        const timerD = t.reliable ? 0 : 32_000;
        it(`Timer D (${timerD} ms over ${t.via}) MUST move Completed to Terminated`, () => {
          const { tx, clock, request } = start(t.protocol);
          tx.receiveResponse(makeResponse(request, 603));
          if (timerD > 0) {
            clock.tick(timerD - 1);
            assert.equal(tx.state, TransactionState.Completed);
          }
          clock.tick(Math.min(timerD, 1));
          assert.equal(tx.state, TransactionState.Terminated);
          assert.equal(tx.outcome, 'completed');
          assert.equal(clock.pending, 0);
        });
      });
    }

    it('over UDP, MUST start Timer A with T1 and retransmit at T1, 2T1, 4T1... until Timer B', () => {
      const { transport, clock, tx, user } = start('udp');
      const sentAt: number[] = [];
      for (let ms = 0; ms <= 64 * T1; ms += 100) {
        const before = transport.sent.length;
        clock.tick(ms === 0 ? 0 : 100);
        if (transport.sent.length > before) sentAt.push(clock.now);
      }
      // Sends at 500, 1500, 3500, 7500, 15500, 31500 ms; Timer B at 32000 ms.
      assert.deepEqual(sentAt, [500, 1500, 3500, 7500, 15500, 31500]);
      assert.ok(transport.summary.every((m) => m === 'INVITE'));
      assert.equal(tx.state, TransactionState.Terminated);
      assert.equal(user.timeouts.length, 1);
    });

    it('over TCP, Timer A is not started: no retransmission', () => {
      const { transport, clock } = start('tcp');
      clock.tick(64 * T1 - 1);
      assert.deepEqual(transport.summary, ['INVITE']);
    });

    it('SHOULD NOT retransmit once in Proceeding', () => {
      const { transport, clock, tx, request } = start('udp');
      clock.tick(T1);
      tx.receiveResponse(makeResponse(request, 100));
      clock.tick(10 * 64 * T1);
      assert.deepEqual(transport.summary, ['INVITE', 'INVITE']);
    });

    it('retransmissions stop when the transport moved the request to TCP (RFC 3261 §18.1.1)', async () => {
      const h = harness();
      h.transport.switchTo = 'tcp';
      const request = makeRequest('INVITE', { branch: newBranch() });
      const tx = new InviteClientTransaction(request, destination('udp'), new SpyClientUser(), h.context);
      await flush();
      h.clock.tick(10 * T1);
      assert.deepEqual(h.transport.summary, ['INVITE']);
      tx.receiveResponse(makeResponse(request, 404));
      assert.equal(h.transport.sent[1]!.destination?.protocol, 'tcp', 'ACK over the transport used');
      h.clock.tick(0);
      assert.equal(tx.state, TransactionState.Terminated, 'Timer D is zero over TCP');
    });

    it('Timer D is 64*T1 when T1 is raised above 500 ms (it must outlast the server Timer H)', () => {
      const h = harness({ T1: 1000, T2: 4000 });
      const request = makeRequest('INVITE', { branch: newBranch() });
      const tx = new InviteClientTransaction(request, destination('udp'), new SpyClientUser(), h.context);
      tx.receiveResponse(makeResponse(request, 500));
      h.clock.tick(63_999);
      assert.equal(tx.state, TransactionState.Completed);
      h.clock.tick(1);
      assert.equal(tx.state, TransactionState.Terminated);
    });
  });

  describe('RFC 3261 §17.1.1.3 Construction of the ACK Request', () => {
    it('ACK: same Request-URI, Call-ID, From, CSeq number, top Via only, Route; To of the response', () => {
      const invite = makeRequest('INVITE', {
        branch: newBranch(),
        uri: 'sip:bob@ims.test;transport=udp',
        routes: ['<sip:pcscf.ims.test;lr>', '<sip:scscf.ims.test;lr>'],
        lowerVias: ['SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKlower'],
        extra: ['Subject: lunch'],
      });
      const { tx, transport } = start('udp', invite);
      const response = makeResponse(invite, 404, 'callee-tag');
      tx.receiveResponse(response);
      const ack = transport.sent[1]!.message as SipRequest;
      assert.equal(ack.method, 'ACK');
      assert.equal(ack.uriText, invite.uriText);
      assert.equal(ack.callId, invite.callId);
      assert.equal(ack.headers.get('From'), invite.headers.get('From'));
      assert.deepEqual(ack.cseq, { seq: invite.cseq.seq, method: 'ACK' });
      assert.deepEqual(ack.headers.values('Via'), [invite.headers.values('Via')[0]]);
      assert.deepEqual(ack.headers.values('Route'), invite.headers.values('Route'));
      assert.equal(ack.headers.get('To'), response.headers.get('To'));
      assert.equal(ack.to.tag, 'callee-tag');
      assert.equal(ack.headers.get('Subject'), undefined);
      assert.equal(ack.body.length, 0);
    });

    it('The ACK MUST be sent to the same address, port, and transport as the original request', () => {
      const { tx, transport, request } = start('tcp');
      tx.receiveResponse(makeResponse(request, 480));
      assert.deepEqual(transport.sent[1]!.destination, transport.sent[0]!.destination);
    });
  });

  describe('RFC 6026 §7.2 / §8.4 Accepted state', () => {
    for (const t of TRANSPORTS) {
      for (const from of ['Calling', 'Proceeding']) {
        it(`over ${t.via}: 2xx in ${from} MUST be passed to the TU and transition to Accepted, no ACK`, () => {
          const { tx, user, transport, request } = start(t.protocol);
          if (from === 'Proceeding') tx.receiveResponse(makeResponse(request, 183));
          tx.receiveResponse(makeResponse(request, 200));
          assert.equal(tx.state, TransactionState.Accepted);
          assert.equal(user.responses.at(-1)?.status, 200);
          assert.deepEqual(transport.summary, ['INVITE']);
        });
      }

      it(`over ${t.via}: further 2xx (retransmitted or from other forks) MUST be passed up to the TU`, () => {
        const { tx, user, transport, request } = start(t.protocol);
        const ok = makeResponse(request, 200, 'fork1');
        tx.receiveResponse(ok);
        tx.receiveResponse(again(ok));
        tx.receiveResponse(makeResponse(request, 200, 'fork2'));
        assert.deepEqual(user.events, ['response 200', 'response 200', 'response 200']);
        assert.equal(user.responses[2]!.to.tag, 'fork2');
        assert.deepEqual(
          transport.summary,
          ['INVITE'],
          'the client transaction MUST NOT generate an ACK to a 2xx',
        );
      });

      it(`over ${t.via}: Timer M (64*T1, for any transport) MUST move Accepted to Terminated`, () => {
        const { tx, clock, request } = start(t.protocol);
        clock.tick(T1 + 1);
        tx.receiveResponse(makeResponse(request, 200));
        clock.tick(64 * T1 - 1);
        assert.equal(tx.state, TransactionState.Accepted);
        clock.tick(1);
        assert.equal(tx.state, TransactionState.Terminated);
        assert.equal(tx.finalStatus, 200);
        assert.equal(clock.pending, 0);
      });
    }

    it('in Accepted, non-2xx responses are absorbed', () => {
      const { tx, user, request } = start('udp');
      tx.receiveResponse(makeResponse(request, 200));
      tx.receiveResponse(makeResponse(request, 180));
      tx.receiveResponse(makeResponse(request, 486));
      assert.deepEqual(user.events, ['response 200']);
    });

    it('2xx stops the INVITE retransmissions (Timer A) and Timer B', () => {
      const { tx, transport, clock, user, request } = start('udp');
      tx.receiveResponse(makeResponse(request, 200));
      clock.tick(64 * T1);
      assert.deepEqual(transport.summary, ['INVITE']);
      assert.equal(user.timeouts.length, 0);
    });
  });

  describe('RFC 3261 §17.1.4 Handling Transport Errors', () => {
    for (const t of TRANSPORTS) {
      it(`over ${t.via}: a failed INVITE send SHOULD be reported to the TU, then Terminated`, async () => {
        const h = harness();
        h.transport.failNext(new TransportError('CONNECT_FAILED', 'refused'));
        const user = new SpyClientUser();
        const request = makeRequest('INVITE', { branch: newBranch() });
        const tx = new InviteClientTransaction(request, destination(t.protocol), user, h.context);
        await flush();
        assert.deepEqual(user.events, ['transport-error CONNECT_FAILED']);
        assert.equal(tx.state, TransactionState.Terminated);
        assert.equal(tx.outcome, 'transport-error');
        assert.equal(h.clock.pending, 0);
      });
    }

    it('a failed retransmission terminates the transaction', async () => {
      const { tx, transport, clock, user } = start('udp');
      transport.failNext(new TransportError('SEND_FAILED', 'EHOSTUNREACH'));
      clock.tick(T1);
      await flush();
      assert.deepEqual(user.events, ['transport-error SEND_FAILED']);
      assert.equal(tx.state, TransactionState.Terminated);
      assert.equal(clock.pending, 0);
    });

    it('a failed ACK send in Completed is reported to the TU and terminates the transaction', async () => {
      const { tx, transport, user, clock, request } = start('udp');
      transport.failNext(new TransportError('SEND_FAILED', 'gone'));
      tx.receiveResponse(makeResponse(request, 486));
      await flush();
      assert.deepEqual(user.events, ['response 486', 'transport-error SEND_FAILED']);
      assert.equal(tx.state, TransactionState.Terminated);
      assert.equal(clock.pending, 0);
    });

    it('a send that throws instead of rejecting is reported the same way, asynchronously', async () => {
      const h = harness();
      h.transport.send = () => {
        throw new Error('boom');
      };
      const user = new SpyClientUser();
      const tx = new InviteClientTransaction(
        makeRequest('INVITE', { branch: newBranch() }),
        destination('udp'),
        user,
        h.context,
      );
      assert.equal(tx.state, TransactionState.Calling);
      await flush();
      assert.deepEqual(user.events, ['transport-error SEND_FAILED']);
      assert.equal(tx.state, TransactionState.Terminated);
    });
  });

  describe('misuse', () => {
    it('refuses a request other than INVITE, and a branch without the magic cookie', () => {
      const { context } = harness();
      const user = new SpyClientUser();
      assert.throws(
        () => new InviteClientTransaction(makeRequest('BYE'), destination('udp'), user, context),
        (e: unknown) => e instanceof TransactionError && e.code === 'ERR_SIP_TRANSACTION_METHOD',
      );
      assert.throws(
        () =>
          new InviteClientTransaction(
            makeRequest('INVITE', { branch: '1234' }),
            destination('udp'),
            user,
            context,
          ),
        (e: unknown) => e instanceof TransactionError && e.code === 'ERR_SIP_TRANSACTION_BRANCH',
      );
    });

    it('stateTransition() refuses a transition Figure 5 does not have', () => {
      const { tx, clock } = start('udp');
      const machine = tx as unknown as { stateTransition(to: TransactionState): void };
      assert.throws(() => machine.stateTransition(TransactionState.Confirmed), {
        code: 'ERR_SIP_TRANSACTION_STATE',
      });
      clock.tick(64 * T1);
      assert.equal(tx.state, TransactionState.Terminated);
      assert.throws(() => machine.stateTransition(TransactionState.Proceeding), {
        code: 'ERR_SIP_TRANSACTION_STATE',
      });
    });
  });
});
