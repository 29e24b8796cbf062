import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Headers, type SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import {
  InviteServerTransaction,
  NonInviteServerTransaction,
  newBranch,
  TransactionError,
  TransactionLayer,
  TransactionState,
} from '../../../src/sip/transaction/index.ts';
import { TransportError } from '../../../src/sip/transport/types.ts';
import { FakeClock, flush } from './fake-clock.ts';
import { destination, layerHarness as setup, T1, T4 } from './harness.ts';
import { again, makeRequest, makeResponse } from './messages.ts';
import { SpyTransport } from './spy-transport.ts';
import { SpyClientUser, SpyTransactionUser } from './spy-users.ts';

/** A request of ours, with our Via and a fresh branch on top, as the TU builds it. */
function ourRequest(method: string): SipRequest {
  return makeRequest(method, { branch: newBranch(), sentBy: '192.0.2.1:5060' });
}

describe('TransactionLayer', () => {
  describe('RFC 3261 §17.2.3 Matching Requests to Server Transactions', () => {
    it('a new request creates a server transaction handed to the TU with the request', () => {
      const { transport, user, layer, udp } = setup();
      const invite = makeRequest('INVITE');
      const options = makeRequest('OPTIONS');
      transport.inject(invite, udp);
      transport.inject(options, udp);
      assert.equal(user.requests.length, 2);
      assert.ok(user.requests[0]!.transaction instanceof InviteServerTransaction);
      assert.ok(user.requests[1]!.transaction instanceof NonInviteServerTransaction);
      assert.equal(user.requests[0]!.request, invite);
      assert.deepEqual(layer.stats(), { clientTransactions: 0, serverTransactions: 2 });
    });

    it('a retransmission (same branch, sent-by and method) matches: absorbed and answered, not passed up', () => {
      const { transport, user, layer, udp } = setup();
      const invite = makeRequest('INVITE');
      transport.inject(invite, udp);
      user.requests[0]!.transaction.respond(makeResponse(invite, 180));
      transport.inject(again(invite), udp);
      assert.equal(user.requests.length, 1);
      assert.deepEqual(transport.summary, ['180', '180']);
      assert.equal(layer.size, 1);
    });

    it('the same branch from another sent-by, or with another method, is another transaction', () => {
      const { transport, user, layer, udp } = setup();
      transport.inject(makeRequest('OPTIONS', { branch: 'z9hG4bKsame' }), udp);
      transport.inject(makeRequest('OPTIONS', { branch: 'z9hG4bKsame', sentBy: '198.51.100.8:5060' }), udp);
      transport.inject(makeRequest('INFO', { branch: 'z9hG4bKsame' }), udp);
      assert.equal(user.requests.length, 3);
      assert.equal(layer.size, 3);
    });

    it('sent-by hosts compare case-insensitively', () => {
      const { transport, user, udp } = setup();
      transport.inject(makeRequest('OPTIONS', { branch: 'z9hG4bKcase', sentBy: 'UA.ims.test' }), udp);
      transport.inject(makeRequest('OPTIONS', { branch: 'z9hG4bKcase', sentBy: 'ua.IMS.test' }), udp);
      assert.equal(user.requests.length, 1);
    });

    it('the ACK for a non-2xx matches the INVITE server transaction (method ACK matches INVITE) and is absorbed', () => {
      const { transport, user, udp } = setup();
      const invite = makeRequest('INVITE');
      transport.inject(invite, udp);
      const tx = user.requests[0]!.transaction;
      const busy = makeResponse(invite, 486, 'x9');
      tx.respond(busy);
      transport.inject(
        makeRequest('ACK', { branch: invite.topVia.branch, callId: invite.callId, toTag: 'x9' }),
        udp,
      );
      assert.equal(tx.state, TransactionState.Confirmed);
      assert.equal(user.acks.length, 0);
    });

    it('the ACK for a 2xx (its own branch, RFC 3261 §17.1.1.3) matches nothing and is passed to the TU', () => {
      const { transport, user, udp, layer } = setup();
      const invite = makeRequest('INVITE');
      transport.inject(invite, udp);
      user.requests[0]!.transaction.respond(makeResponse(invite, 200, 'x9'));
      const ack = makeRequest('ACK', { callId: invite.callId, toTag: 'x9' });
      transport.inject(ack, udp);
      assert.equal(user.acks.length, 1);
      assert.equal(user.acks[0]!.ack, ack);
      assert.equal(user.acks[0]!.transaction, undefined);
      assert.equal(layer.size, 1, 'an ACK creates no transaction');
    });

    it('an ACK with the INVITE branch in Accepted is passed to the TU with the transaction (RFC 6026 §7.1)', () => {
      const { transport, user, udp } = setup();
      const invite = makeRequest('INVITE');
      transport.inject(invite, udp);
      const tx = user.requests[0]!.transaction;
      tx.respond(makeResponse(invite, 200, 'x9'));
      transport.inject(
        makeRequest('ACK', { branch: invite.topVia.branch, callId: invite.callId, toTag: 'x9' }),
        udp,
      );
      assert.equal(user.acks[0]?.transaction, tx);
    });

    it('retransmitted INVITEs after the 2xx are absorbed in Accepted, not seen as new requests (RFC 6026 §1)', () => {
      const { transport, user, udp, clock } = setup();
      const invite = makeRequest('INVITE');
      transport.inject(invite, udp);
      user.requests[0]!.transaction.respond(makeResponse(invite, 200));
      clock.tick(10 * T1);
      transport.inject(again(invite), udp);
      assert.equal(user.requests.length, 1);
      assert.deepEqual(transport.summary, ['200']);
    });

    describe('RFC 2543 fallback (no magic cookie)', () => {
      for (const branch of ['', 'abc123']) {
        const label = branch ? `branch=${branch}` : 'no branch';
        it(`${label}: a retransmission matches by Request-URI, tags, Call-ID, CSeq and top Via`, () => {
          const { transport, user, udp, layer } = setup();
          const invite = makeRequest('INVITE', { branch, callId: 'old@2543' });
          transport.inject(invite, udp);
          const tx = user.requests[0]!.transaction;
          assert.equal(tx.id.startsWith('2543'), true);
          tx.respond(makeResponse(invite, 180, 'b2'));
          transport.inject(again(invite), udp);
          assert.equal(user.requests.length, 1);
          assert.deepEqual(transport.summary, ['180', '180']);
          // Another CSeq is another transaction.
          transport.inject(makeRequest('INVITE', { branch, callId: 'old@2543', cseq: 2 }), udp);
          assert.equal(user.requests.length, 2);
          assert.equal(layer.size, 2);
        });

        it(`${label}: the ACK matches when its To tag is the one of the response sent`, () => {
          const { transport, user, udp } = setup();
          const invite = makeRequest('INVITE', { branch, callId: 'ack@2543' });
          transport.inject(invite, udp);
          const tx = user.requests[0]!.transaction;
          tx.respond(makeResponse(invite, 486, 'b2'));
          // Wrong To tag: not this transaction's ACK, passed to the TU.
          transport.inject(makeRequest('ACK', { branch, callId: 'ack@2543', toTag: 'other' }), udp);
          assert.equal(tx.state, TransactionState.Completed);
          assert.equal(user.acks.length, 1);
          transport.inject(makeRequest('ACK', { branch, callId: 'ack@2543', toTag: 'b2' }), udp);
          assert.equal(tx.state, TransactionState.Confirmed);
          assert.equal(user.acks.length, 1);
        });
      }

      it('a request with another top Via is another transaction', () => {
        const { transport, user, udp } = setup();
        transport.inject(makeRequest('OPTIONS', { branch: '', callId: 'v@2543' }), udp);
        transport.inject(
          makeRequest('OPTIONS', { branch: '', callId: 'v@2543', sentBy: '198.51.100.9' }),
          udp,
        );
        assert.equal(user.requests.length, 2);
      });
    });
  });

  describe('RFC 3261 §17.1.3 Matching Responses to Client Transactions', () => {
    it('sendRequest() starts a client transaction; its responses (branch + CSeq method) reach its TU', () => {
      const { transport, layer, udp } = setup();
      const request = ourRequest('OPTIONS');
      const tu = new SpyClientUser();
      const tx = layer.sendRequest(request, destination('udp'), tu);
      assert.equal(transport.sent[0]!.message, request);
      assert.equal(layer.stats().clientTransactions, 1);
      transport.inject(makeResponse(request, 200), udp);
      assert.deepEqual(tu.events, ['response 200']);
      assert.equal(tx.state, TransactionState.Completed);
    });

    it('response retransmissions are absorbed by the client transaction', () => {
      const { transport, layer, udp } = setup();
      const request = ourRequest('REGISTER');
      const tu = new SpyClientUser();
      layer.sendRequest(request, destination('udp'), tu);
      const ok = makeResponse(request, 200);
      transport.inject(ok, udp);
      transport.inject(again(ok), udp);
      assert.deepEqual(tu.events, ['response 200']);
    });

    it('a CANCEL shares the INVITE branch but is its own client transaction (CSeq method)', () => {
      const { transport, layer, udp } = setup();
      const invite = ourRequest('INVITE');
      const inviteTu = new SpyClientUser();
      layer.sendRequest(invite, destination('udp'), inviteTu);
      const cancel = makeRequest('CANCEL', { branch: invite.topVia.branch, callId: invite.callId });
      const cancelTu = new SpyClientUser();
      layer.sendRequest(cancel, destination('udp'), cancelTu);
      transport.inject(makeResponse(cancel, 200), udp);
      transport.inject(makeResponse(invite, 487), udp);
      assert.deepEqual(cancelTu.events, ['response 200']);
      assert.deepEqual(inviteTu.events, ['response 487']);
      assert.deepEqual(transport.summary, ['INVITE', 'CANCEL', 'ACK']);
    });

    it('a response matching no transaction is passed to the TU as stray (a proxy forwards a stray 2xx)', () => {
      const { transport, layer, user, udp, clock } = setup();
      const invite = ourRequest('INVITE');
      const tu = new SpyClientUser();
      layer.sendRequest(invite, destination('udp'), tu);
      transport.inject(makeResponse(invite, 200, 'f1'), udp);
      clock.tick(64 * T1);
      assert.equal(layer.size, 0);
      const late = makeResponse(invite, 200, 'f2');
      transport.inject(late, udp);
      transport.inject(makeResponse(makeRequest('OPTIONS'), 200), udp);
      assert.equal(user.strays.length, 2);
      assert.equal(user.strays[0], late);
      assert.deepEqual(tu.events, ['response 200']);
    });

    it('sendRequest() refuses ACK, a branch without the magic cookie, and a branch already in use', () => {
      const { layer } = setup();
      const tu = new SpyClientUser();
      const err = (code: string) => (e: unknown) => e instanceof TransactionError && e.code === code;
      assert.throws(
        () => layer.sendRequest(ourRequest('ACK'), destination('udp'), tu),
        err('ERR_SIP_TRANSACTION_METHOD'),
      );
      assert.throws(
        () => layer.sendRequest(makeRequest('OPTIONS', { branch: 'old' }), destination('udp'), tu),
        err('ERR_SIP_TRANSACTION_BRANCH'),
      );
      const request = ourRequest('OPTIONS');
      layer.sendRequest(request, destination('udp'), tu);
      assert.throws(
        () => layer.sendRequest(request, destination('udp'), tu),
        err('ERR_SIP_TRANSACTION_EXISTS'),
      );
      assert.equal(layer.size, 1);
    });
  });

  describe('RFC 3261 §17.1.4, §17.2.4 transport errors through the layer', () => {
    it('a failed request send: the TU is notified and the transaction leaves the table', async () => {
      const { transport, layer, records } = setup();
      transport.failNext(new TransportError('CONNECT_FAILED', 'refused'));
      const tu = new SpyClientUser();
      layer.sendRequest(ourRequest('MESSAGE'), destination('tcp'), tu);
      await flush();
      assert.deepEqual(tu.events, ['transport-error CONNECT_FAILED']);
      assert.equal(layer.size, 0);
      assert.deepEqual(records, [
        { role: 'client', method: 'MESSAGE', finalStatus: undefined, outcome: 'transport-error' },
      ]);
    });

    it('a failed response send: the TU is notified and the server transaction leaves the table', async () => {
      const { transport, layer, user, udp } = setup();
      const request = makeRequest('SUBSCRIBE');
      transport.inject(request, udp);
      transport.failNext(new TransportError('SEND_FAILED', 'EPERM'));
      user.requests[0]!.transaction.respond(makeResponse(request, 200));
      await flush();
      assert.equal(user.transportErrors.length, 1);
      assert.equal(layer.size, 0);
    });
  });

  describe('timers, events and robustness', () => {
    it('T1/T2/T4 come from the options; bad values are refused', () => {
      const transport = new SpyTransport();
      const user = new SpyTransactionUser();
      const layer = new TransactionLayer({ transport, user, timerValues: { T1: 100 } });
      assert.deepEqual(layer.timerValues, { T1: 100, T2: 4000, T4: 5000 });
      for (const bad of [{ T1: 0 }, { T2: -1 }, { T4: Number.NaN }, { T1: 5000, T2: 4000 }]) {
        assert.throws(() => new TransactionLayer({ transport, user, timerValues: bad }), {
          code: 'ERR_SIP_TRANSACTION_OPTIONS',
        });
      }
    });

    it('with T1 = 100 ms, Timer F is 6.4 s', () => {
      const clock = new FakeClock();
      const transport = new SpyTransport();
      const layer = new TransactionLayer({
        transport,
        user: new SpyTransactionUser(),
        timers: clock,
        timerValues: { T1: 100 },
      });
      const tu = new SpyClientUser();
      layer.sendRequest(ourRequest('OPTIONS'), destination('udp'), tu);
      clock.tick(6399);
      assert.equal(tu.timeouts.length, 0);
      clock.tick(1);
      assert.equal(tu.timeouts.length, 1);
    });

    it('publishes created and terminated records (role, method, final status, outcome) for metrics', () => {
      const { transport, layer, user, udp, clock, records } = setup();
      let created = 0;
      layer.on('created', () => created++);
      const request = makeRequest('INVITE');
      transport.inject(request, udp);
      user.requests[0]!.transaction.respond(makeResponse(request, 486));
      const tu = new SpyClientUser();
      layer.sendRequest(ourRequest('OPTIONS'), destination('udp'), tu);
      clock.tick(64 * T1 + T4);
      assert.equal(created, 2);
      assert.deepEqual(
        records.sort((a, b) => a.method.localeCompare(b.method)),
        [
          { role: 'server', method: 'INVITE', finalStatus: 486, outcome: 'timeout' },
          { role: 'client', method: 'OPTIONS', finalStatus: undefined, outcome: 'timeout' },
        ],
      );
    });

    it('drops a message without the headers needed to match it', () => {
      const { transport, layer, user, udp } = setup();
      // The parser refuses it (RFC 3261 §8.1.1); built by hand, it checks the layer's own guard.
      const noVia = new SipResponse(
        200,
        'OK',
        Headers.from([
          ['Call-ID', 'x'],
          ['CSeq', '1 OPTIONS'],
        ]),
      );
      transport.inject(noVia, udp);
      assert.equal(user.strays.length, 0);
      assert.equal(layer.size, 0);
    });

    it('a TU that throws does not break the layer', () => {
      const { transport, layer, user, udp } = setup();
      user.answer = () => {
        throw new Error('TU bug');
      };
      const request = makeRequest('OPTIONS');
      assert.doesNotThrow(() => transport.inject(request, udp));
      assert.equal(layer.size, 1);
      user.requests[0]!.transaction.respond(makeResponse(request, 500));
    });

    it('dispose() clears every timer and empties the tables', () => {
      const { transport, layer, udp, clock } = setup();
      transport.inject(makeRequest('INVITE'), udp);
      layer.sendRequest(ourRequest('INVITE'), destination('udp'), new SpyClientUser());
      assert.ok(clock.pending > 0);
      layer.dispose();
      assert.equal(layer.size, 0);
      assert.equal(clock.pending, 0);
    });
  });
});
