import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMessage, SipParseError, StreamFramer } from '../../../src/sip/message/index.ts';

const one = (body: string) =>
  `MESSAGE sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nl: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

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

  it('loses framing on a missing Content-Length or an oversized message, then refuses more', () => {
    const f = new StreamFramer();
    assert.throws(() => f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n')), SipParseError);
    assert.throws(() => f.push(Buffer.from(one('x'))), /already lost/);
    const small = new StreamFramer(100);
    assert.throws(() => small.push(Buffer.from(one('x'.repeat(200)))), /too large/);
    const noEnd = new StreamFramer(100);
    assert.throws(() => noEnd.push(Buffer.alloc(200, 65)), /too large/);
  });

  it('rejects conflicting Content-Length values', () => {
    const f = new StreamFramer();
    assert.throws(
      () => f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab')),
      /conflicting/,
    );
  });
});
