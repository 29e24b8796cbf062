import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Dialog, DialogRequestError, DialogState } from '../../../src/sip/dialog/dialog.ts';
import { parseMessage, type SipRequest, type SipResponse } from '../../../src/sip/message/index.ts';

const text = (lines: string[]) => Buffer.from(`${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`);

const INVITE = parseMessage(
  text([
    'INVITE sip:bob@ims.test SIP/2.0',
    'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1',
    'Max-Forwards: 70',
    'From: "Alice" <sip:alice@ims.test>;tag=a1',
    'To: <sip:bob@ims.test>',
    'Call-ID: call-1',
    'CSeq: 10 INVITE',
    'Contact: <sip:alice@10.0.0.1:5060>',
    'Record-Route: <sip:p2.ims.test;lr>, <sip:p1.ims.test;lr>',
  ]),
) as SipRequest;

const OK = parseMessage(
  text([
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1',
    'From: "Alice" <sip:alice@ims.test>;tag=a1',
    'To: <sip:bob@ims.test>;tag=b1',
    'Call-ID: call-1',
    'CSeq: 10 INVITE',
    'Contact: <sip:bob@10.0.0.2:5062>',
    'Record-Route: <sip:p2.ims.test;lr>, <sip:p1.ims.test;lr>',
  ]),
) as SipResponse;

describe('Dialog (RFC 3261 §12)', () => {
  describe('§12.1.2 UAC', () => {
    it('takes the route set from Record-Route in reverse and the remote target from Contact', () => {
      const d = Dialog.fromUacResponse(INVITE, OK);
      assert.equal(d.state, DialogState.Confirmed);
      assert.deepEqual(d.id, { callId: 'call-1', localTag: 'a1', remoteTag: 'b1' });
      assert.deepEqual(
        d.routeSet.map((r) => r.uriText),
        ['sip:p1.ims.test;lr', 'sip:p2.ims.test;lr'],
      );
      assert.equal(d.remoteTarget.toString(), 'sip:bob@10.0.0.2:5062');
      assert.equal(d.localSeq, 10);
    });

    it('§12.2.1.1 builds a BYE to the remote target with the route set and the next CSeq', () => {
      const d = Dialog.fromUacResponse(INVITE, OK);
      const request = d.createRequest('BYE');
      // The transaction layer adds the Via; the parser needs one (RFC 3261 §8.1.1).
      request.headers.prepend('Via', 'SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1');
      const bye = parseMessage(request.toBuffer()) as SipRequest;
      assert.equal(bye.uriText, 'sip:bob@10.0.0.2:5062');
      assert.deepEqual(
        bye.routes.map((r) => r.uriText),
        ['sip:p1.ims.test;lr', 'sip:p2.ims.test;lr'],
      );
      assert.deepEqual(bye.cseq, { seq: 11, method: 'BYE' });
      assert.equal(bye.from.tag, 'a1');
      assert.equal(bye.to.tag, 'b1');
      assert.equal(bye.callId, 'call-1');
    });

    it('ACK takes the INVITE CSeq number', () => {
      const d = Dialog.fromUacResponse(INVITE, OK);
      assert.deepEqual(d.createRequest('ACK', { cseq: 10 }).cseq, { seq: 10, method: 'ACK' });
      assert.equal(d.localSeq, 10);
    });

    it('§12.2.1.1 with a strict router first: its URI is the Request-URI, the target the last Route', () => {
      const strict = parseMessage(
        Buffer.from(OK.toBuffer().toString().replace('<sip:p1.ims.test;lr>', '<sip:p1.ims.test>')),
      );
      const d = Dialog.fromUacResponse(INVITE, strict as SipResponse);
      const bye = d.createRequest('BYE');
      assert.equal(bye.uriText, 'sip:p1.ims.test');
      assert.deepEqual(
        bye.routes.map((r) => r.uriText),
        ['sip:p2.ims.test;lr', 'sip:bob@10.0.0.2:5062'],
      );
    });
  });

  describe('§12.1.1 UAS', () => {
    it('keeps Record-Route in order and answers out-of-order CSeq with 500', () => {
      const d = Dialog.fromUasRequest(INVITE, 'b1', true);
      assert.deepEqual(
        d.routeSet.map((r) => r.uriText),
        ['sip:p2.ims.test;lr', 'sip:p1.ims.test;lr'],
      );
      assert.equal(d.remoteTarget.toString(), 'sip:alice@10.0.0.1:5060');
      assert.equal(d.localUri.tag, 'b1');
      const reinvite = parseMessage(
        text([
          'INVITE sip:bob@10.0.0.2:5062 SIP/2.0',
          'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK2',
          'From: <sip:alice@ims.test>;tag=a1',
          'To: <sip:bob@ims.test>;tag=b1',
          'Call-ID: call-1',
          'CSeq: 11 INVITE',
          'Contact: <sip:alice@10.9.9.9:5070>',
        ]),
      ) as SipRequest;
      d.receiveRequest(reinvite);
      assert.equal(d.remoteSeq, 11);
      assert.equal(d.remoteTarget.toString(), 'sip:alice@10.9.9.9:5070');
      const old = parseMessage(
        Buffer.from(reinvite.toBuffer().toString().replace('CSeq: 11 INVITE', 'CSeq: 9 INVITE')),
      ) as SipRequest;
      assert.throws(
        () => d.receiveRequest(old),
        (e: unknown) => e instanceof DialogRequestError && e.status === 500,
      );
    });

    it('BYE terminates the dialog', () => {
      const d = Dialog.fromUasRequest(INVITE, 'b1', true);
      d.receiveRequest(d.createRequest('BYE'));
      assert.equal(d.state, DialogState.Terminated);
    });
  });
});
