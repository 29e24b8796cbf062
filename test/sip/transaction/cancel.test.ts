import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NonInviteServerTransaction } from '../../../src/sip/transaction/index.ts';
import { layerHarness as setup } from './harness.ts';
import { again, makeRequest, makeResponse } from './messages.ts';

describe('TransactionLayer', () => {
  describe('RFC 3261 §9.2 CANCEL', () => {
    it('a CANCEL gets its own server transaction and comes with the INVITE server transaction it matches', () => {
      const { transport, user, udp, layer } = setup();
      const invite = makeRequest('INVITE');
      transport.inject(invite, udp);
      const inviteTx = user.requests[0]!.transaction;
      const cancel = makeRequest('CANCEL', { branch: invite.topVia.branch, callId: invite.callId });
      transport.inject(cancel, udp);
      assert.equal(user.requests.length, 1, 'not passed as a new request');
      assert.equal(user.cancels.length, 1);
      const { transaction, target } = user.cancels[0]!;
      assert.equal(target, inviteTx);
      assert.equal(layer.findCancelTarget(cancel), inviteTx);
      assert.ok(transaction instanceof NonInviteServerTransaction);
      assert.equal(layer.size, 2);
      // The TU answers the CANCEL, then 487 on the INVITE.
      transaction.respond(makeResponse(cancel, 200));
      inviteTx.respond(makeResponse(invite, 487));
      transport.inject(again(cancel), udp);
      assert.deepEqual(transport.summary, ['200', '487', '200']);
      assert.equal(user.cancels.length, 1, 'a retransmitted CANCEL is absorbed');
    });

    it('a CANCEL matching no INVITE comes with no target', () => {
      const { transport, user, udp } = setup();
      transport.inject(makeRequest('CANCEL'), udp);
      assert.equal(user.cancels.length, 1);
      assert.equal(user.cancels[0]!.target, undefined);
    });

    it('a CANCEL from another sent-by does not match', () => {
      const { transport, user, udp } = setup();
      const invite = makeRequest('INVITE');
      transport.inject(invite, udp);
      transport.inject(makeRequest('CANCEL', { branch: invite.topVia.branch, sentBy: '203.0.113.66' }), udp);
      assert.equal(user.cancels[0]!.target, undefined);
    });

    it('RFC 2543 CANCEL matches by Request-URI, tags, Call-ID, CSeq number and top Via', () => {
      const { transport, user, udp } = setup();
      const invite = makeRequest('INVITE', { branch: '', callId: 'c@2543' });
      transport.inject(invite, udp);
      transport.inject(makeRequest('CANCEL', { branch: '', callId: 'c@2543' }), udp);
      assert.equal(user.cancels[0]!.target, user.requests[0]!.transaction);
    });
  });
});
