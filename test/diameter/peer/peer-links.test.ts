import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { PeerConnection } from '../../../src/diameter/peer/peer-connection.ts';
import { type LinkRole, PeerLinks } from '../../../src/diameter/peer/peer-links.ts';
import { PeerState } from '../../../src/diameter/peer/peer-state.ts';

/** A PeerConnection stand-in: emits what a real one would, records close(). */
class FakeConnection extends EventEmitter {
  closed = false;
  close(): void {
    this.closed = true;
  }
}
const fake = () => new FakeConnection();
const conn = (f: FakeConnection) => f as unknown as PeerConnection;

function links() {
  const messages: [PeerConnection, Buffer][] = [];
  const closes: [PeerConnection, LinkRole][] = [];
  const l = new PeerLinks({
    onMessage: (conn, bytes) => messages.push([conn, bytes]),
    onClose: (conn, role) => closes.push([conn, role]),
  });
  return { l, messages, closes };
}

describe('peer links: the initiator and responder connections (RFC 6733 §5.6)', () => {
  it('the active connection follows the state: responder in R-Open, initiator in I-Open', () => {
    const { l } = links();
    const i = fake();
    const r = fake();
    l.attach(conn(i), 'initiator');
    l.attach(conn(r), 'responder');
    assert.equal(l.active(PeerState.ROpen), conn(r));
    assert.equal(l.active(PeerState.IOpen), conn(i));
    assert.equal(l.active(PeerState.Closing), conn(i));
    assert.equal(l.active(PeerState.WaitReturns), undefined);
  });

  it('a dropped or replaced connection reports nothing more', () => {
    const { l, messages, closes } = links();
    const old = fake();
    l.attach(conn(old), 'responder');
    l.drop('responder');
    assert.equal(old.closed, true);
    assert.equal(l.responder, undefined);
    old.emit('message', Buffer.from('x'));
    old.emit('close', undefined);
    assert.equal(messages.length, 0);
    assert.equal(closes.length, 0);

    const current = fake();
    l.attach(conn(current), 'responder');
    current.emit('message', Buffer.from('y'));
    current.emit('close', undefined);
    assert.equal(messages.length, 1);
    assert.deepEqual(closes, [[conn(current), 'responder']]);
    assert.equal(l.responder, undefined, 'forgotten before the peer hears of it');
  });
});
