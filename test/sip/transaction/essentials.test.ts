import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestEssentials, SentResponse } from '../../../src/sip/message/index.ts';
import {
  InviteClientTransaction,
  InviteServerTransaction,
  NonInviteClientTransaction,
  NonInviteServerTransaction,
  newBranch,
  TransactionState,
} from '../../../src/sip/transaction/index.ts';
import { destination, harness } from './harness.ts';
import { again, makeRequest, makeResponse } from './messages.ts';
import { flowFrom } from './spy-transport.ts';
import { SpyClientUser, SpyTransactionUser } from './spy-users.ts';

const ESSENTIAL = ['Via', 'Route', 'From', 'To', 'Call-ID', 'CSeq'];
const keys = (h: Iterable<{ key: string }>) => [...h].map((f) => f.key);

describe('what a transaction keeps while it only absorbs retransmissions', () => {
  it('requestEssentials keeps method, Request-URI, Via, Route, From, To, Call-ID, CSeq and drops the rest', () => {
    const request = makeRequest('REGISTER', {
      routes: ['<sip:scscf.ims.test;lr>'],
      lowerVias: ['SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKlow'],
      extra: ['Authorization: Digest username="alice"', 'Expires: 600'],
    });
    request.body = Buffer.from('x');
    const kept = requestEssentials(request);
    assert.equal(kept.method, 'REGISTER');
    assert.equal(kept.uriText, request.uriText);
    assert.deepEqual(keys(kept.headers), ['Via', 'Via', 'Route', 'From', 'To', 'Call-ID', 'CSeq']);
    assert.equal(kept.body.length, 0);
    assert.equal(kept.cseq.seq, request.cseq.seq);
    assert.equal(kept.vias[1]!.branch, 'z9hG4bKlow');
  });

  it('SentResponse sends exactly the bytes of the response and reads its identifying headers', () => {
    const request = makeRequest('REGISTER');
    const response = makeResponse(request, 200);
    response.headers.append('Contact', '<sip:alice@198.51.100.7>;expires=600');
    response.body = Buffer.from('hello');
    const sent = SentResponse.of(response);
    assert.deepEqual(sent.toBuffer(), response.toBuffer());
    assert.equal(sent.status, 200);
    assert.equal(sent.reason, response.reason);
    assert.equal(sent.to.tag, response.to.tag);
    assert.ok(keys(sent.headers).every((k) => ESSENTIAL.includes(k)));
    assert.equal(SentResponse.of(sent), sent);
  });

  it('non-INVITE server over UDP: Completed keeps the essentials and answers retransmissions byte for byte', () => {
    const h = harness();
    const request = makeRequest('REGISTER', { extra: ['Expires: 600'] });
    const tx = new NonInviteServerTransaction(request, flowFrom('udp'), new SpyTransactionUser(), h.context);
    const response = makeResponse(request, 200);
    response.headers.append('Contact', '<sip:alice@198.51.100.7>;expires=600');
    tx.respond(response);
    assert.equal(tx.state, TransactionState.Completed);
    assert.deepEqual(keys(tx.request.headers), ['Via', 'From', 'To', 'Call-ID', 'CSeq']);
    assert.equal(tx.method, 'REGISTER');
    assert.ok(tx.response instanceof SentResponse);
    tx.receiveRequest(again(request), flowFrom('udp'));
    assert.deepEqual(h.transport.summary, ['200', '200']);
    assert.deepEqual(h.transport.sent[1]!.message.toBuffer(), response.toBuffer());
  });

  it('non-INVITE server over TCP: terminated at once, nothing to compact', () => {
    const h = harness();
    const request = makeRequest('OPTIONS', { transport: 'TCP' });
    const tx = new NonInviteServerTransaction(request, flowFrom('tcp'), new SpyTransactionUser(), h.context);
    const response = makeResponse(request, 200);
    tx.respond(response);
    assert.equal(tx.request, request);
    assert.equal(tx.response, response);
  });

  it('INVITE server over UDP: a 486 is retransmitted on Timer G from the bytes sent', () => {
    const h = harness();
    const request = makeRequest('INVITE', { extra: ['Content-Type: application/sdp'] });
    const tx = new InviteServerTransaction(request, flowFrom('udp'), new SpyTransactionUser(), h.context);
    const busy = makeResponse(request, 486);
    tx.respond(busy);
    assert.equal(tx.state, TransactionState.Completed);
    assert.ok(!keys(tx.request.headers).includes('Content-Type'));
    h.clock.tick(500);
    assert.deepEqual(h.transport.summary, ['486', '486']);
    assert.deepEqual(h.transport.sent[1]!.message.toBuffer(), busy.toBuffer());
  });

  it('non-INVITE client over UDP: Completed lets go of its TU, which hears of nothing more', () => {
    const h = harness();
    const user = new SpyClientUser();
    const request = makeRequest('SUBSCRIBE', { branch: newBranch(), extra: ['Event: reg'] });
    const tx = new NonInviteClientTransaction(request, destination('udp'), user, h.context);
    tx.receiveResponse(makeResponse(request, 200));
    assert.equal(tx.state, TransactionState.Completed);
    assert.notEqual(tx.user, user);
    assert.ok(!keys(tx.request.headers).includes('Event'));
    tx.receiveResponse(makeResponse(request, 200));
    assert.deepEqual(user.events, ['response 200']);
  });

  it('INVITE client over UDP: after a 486 the ACK retransmitted for its retransmission keeps the Route', () => {
    const h = harness();
    const user = new SpyClientUser();
    const request = makeRequest('INVITE', { branch: newBranch(), routes: ['<sip:pcscf.ims.test;lr>'] });
    const tx = new InviteClientTransaction(request, destination('udp'), user, h.context);
    const busy = makeResponse(request, 486);
    tx.receiveResponse(busy);
    tx.receiveResponse(busy);
    assert.deepEqual(h.transport.summary, ['INVITE', 'ACK', 'ACK']);
    const ack = h.transport.sent[2]!.message;
    assert.equal(ack.headers.get('Route'), '<sip:pcscf.ims.test;lr>');
    assert.equal(tx.user, user, 'an INVITE client transaction keeps its TU (RFC 3261 §17.1.4)');
  });
});
