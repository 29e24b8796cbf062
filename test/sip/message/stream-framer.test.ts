import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type FramerEvent,
  parseMessage,
  SipParseError,
  StreamFramer,
} from '../../../src/sip/message/index.ts';

/** The headers every request needs (RFC 3261 §8.1.1), without Content-Length. */
const HEAD =
  'MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c1\r\nCSeq: 1 MESSAGE\r\n';

const one = (body: string) => `${HEAD}l: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('StreamFramer (RFC 3261 §18.3, RFC 5626 §4.4.1)', () => {
  it('cuts back-to-back messages and bodies split across chunks', () => {
    const wire = Buffer.from(one('hello') + one('') + one('wörld'));
    for (const size of [1, 7, 64, wire.length]) {
      const f = new StreamFramer();
      const got: string[] = [];
      for (let i = 0; i < wire.length; i += size) {
        for (const e of f.push(wire.subarray(i, i + size))) {
          if (e.type === 'message') got.push(parseMessage(e.data, { stream: true }).body.toString());
        }
      }
      assert.deepEqual(got, ['hello', '', 'wörld'], `chunk size ${size}`);
      assert.equal(f.buffered, 0);
    }
  });

  it('reports CRLFCRLF pings and CRLF pongs', () => {
    const f = new StreamFramer();
    assert.deepEqual(f.push(Buffer.from('\r\n\r\n')), [{ type: 'ping' }]);
    assert.deepEqual(f.push(Buffer.from('\r\n')), [{ type: 'pong' }]);
    const events = f.push(Buffer.from(`\r\n\r\n${one('x')}`));
    assert.deepEqual(
      events.map((e) => e.type),
      ['ping', 'message'],
    );
  });

  it('a ping split across two reads is still a ping', () => {
    const f = new StreamFramer();
    assert.deepEqual(f.push(Buffer.from('\r\n')), [{ type: 'pong' }]);
    assert.deepEqual(f.push(Buffer.from('\r\n')), [{ type: 'ping' }]);
  });

  it('reads a folded Content-Length', () => {
    const f = new StreamFramer();
    const events = f.push(Buffer.from(`${HEAD}Content-Length:\r\n 2\r\n\r\nhi`));
    assert.equal(events.length, 1);
    assert.equal(
      events[0]?.type === 'message' && parseMessage(events[0].data, { stream: true }).body.toString(),
      'hi',
    );
  });

  const errorOf = (events: FramerEvent[]) => {
    const last = events[events.length - 1];
    return last?.type === 'error' ? last.error : undefined;
  };

  it('loses framing on a missing Content-Length or an oversized message, then refuses more', () => {
    const f = new StreamFramer();
    assert.ok(
      errorOf(f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n'))) instanceof SipParseError,
    );
    assert.match(errorOf(f.push(Buffer.from(one('x'))))?.reason ?? '', /already lost/);
    assert.match(
      errorOf(new StreamFramer(200).push(Buffer.from(one('x'.repeat(200)))))?.reason ?? '',
      /too large/i,
    );
    assert.match(errorOf(new StreamFramer(100).push(Buffer.alloc(200, 65)))?.reason ?? '', /too large/i);
  });

  it('gives the header bytes with the error when they were complete: enough to answer 513 or 400', () => {
    const big = new StreamFramer(200).push(Buffer.from(one('x'.repeat(200))));
    const last = big[big.length - 1];
    assert.ok(last?.type === 'error');
    assert.equal(last.error.status, 513);
    assert.equal(last.head?.toString(), one('').replace(/l: 0\r\n\r\n$/, 'l: 200\r\n\r\n'));
    const noLength = new StreamFramer().push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n'));
    const err = noLength[0];
    assert.ok(err?.type === 'error');
    assert.equal(err.error.status, 400);
    assert.equal(err.head?.toString(), 'OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n');
    // Headers never ending within the limit: nothing to answer with.
    const endless = new StreamFramer(100).push(Buffer.alloc(200, 65));
    assert.equal(endless[0]?.type === 'error' && endless[0].head, undefined);
  });

  it('gives the complete messages before a framing error', () => {
    const events = new StreamFramer().push(
      Buffer.from(`${one('ok')}OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n`),
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['message', 'error'],
    );
  });

  it('rejects conflicting Content-Length values', () => {
    const f = new StreamFramer();
    const events = f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab'));
    assert.match(errorOf(events)?.reason ?? '', /conflicting/);
  });
});
