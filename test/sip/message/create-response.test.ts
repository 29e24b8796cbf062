import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createResponse, parseMessage, type SipRequest } from '../../../src/sip/message/index.ts';

const request = parseMessage(
  Buffer.from(
    [
      'INVITE sip:bob@ims.test SIP/2.0',
      'Via: SIP/2.0/UDP p1.ims.test;branch=z9hG4bK2',
      'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;received=192.0.2.1',
      'From: <sip:alice@ims.test>;tag=a1',
      'To: <sip:bob@ims.test>',
      'Call-ID: c1',
      'CSeq: 4 INVITE',
      'Timestamp: 54',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  ),
) as SipRequest;

describe('createResponse (RFC 3261 §8.2.6)', () => {
  it('copies Via in order, From, To, Call-ID, CSeq, and adds a To tag', () => {
    const r = parseMessage(createResponse(request, 486, { toTag: 'x9' }).toBuffer());
    assert.ok(!r.isRequest);
    assert.equal(r.startLine(), 'SIP/2.0 486 Busy Here');
    assert.deepEqual(
      r.vias.map((v) => v.branch),
      ['z9hG4bK2', 'z9hG4bK1'],
    );
    assert.equal(r.vias[1]?.received, '192.0.2.1');
    assert.equal(r.from.tag, 'a1');
    assert.equal(r.to.tag, 'x9');
    assert.equal(r.callId, 'c1');
    assert.deepEqual(r.cseq, { seq: 4, method: 'INVITE' });
    assert.equal(r.headers.has('Timestamp'), false);
  });

  it('100 Trying has no To tag and copies Timestamp', () => {
    const r = createResponse(request, 100);
    assert.equal(r.to.tag, undefined);
    assert.equal(r.headers.get('Timestamp'), '54');
    assert.equal(r.reason, 'Trying');
  });

  it('keeps an existing To tag, adds headers and a body', () => {
    const inDialog = parseMessage(
      Buffer.from(request.toString().replace('To: <sip:bob@ims.test>', 'To: <sip:bob@ims.test>;tag=b7')),
    ) as SipRequest;
    const r = createResponse(inDialog, 200, {
      headers: [['Contact', '<sip:bob@10.0.0.2>']],
      body: Buffer.from('v=0\r\n'),
      contentType: 'application/sdp',
    });
    assert.equal(r.to.tag, 'b7');
    assert.equal(r.headers.get('Contact'), '<sip:bob@10.0.0.2>');
    assert.equal(parseMessage(r.toBuffer()).body.toString(), 'v=0\r\n');
    assert.equal(r.contentType?.essence, 'application/sdp');
  });
});
