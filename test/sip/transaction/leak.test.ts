import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Headers, SipRequest, SipResponse } from '../../../src/sip/message/index.ts';
import {
  type ClientTransactionUser,
  newBranch,
  type ServerTransaction,
  TransactionLayer,
  type TransactionRecord,
  type TransactionUser,
} from '../../../src/sip/transaction/index.ts';
import type { Flow } from '../../../src/sip/transport/types.ts';
import { FakeClock, flush } from './fake-clock.ts';
import { destination, T1, T4 } from './harness.ts';
import { flowFrom, SpyTransport } from './spy-transport.ts';

const N = 10_000;

/** Counting TUs: the spies of the other tests would keep 100,000 messages alive. */
class CountingUser implements TransactionUser, ClientTransactionUser {
  requests = 0;
  acks = 0;
  strays = 0;
  responses = 0;
  timeouts = 0;
  transportErrors = 0;
  answer: (request: SipRequest, transaction: ServerTransaction) => void = () => {};
  onRequest(request: SipRequest, transaction: ServerTransaction): void {
    this.requests++;
    this.answer(request, transaction);
  }
  onCancel(): void {}
  onAck(): void {
    this.acks++;
  }
  onStrayResponse(): void {
    this.strays++;
  }
  onResponse(): void {
    this.responses++;
  }
  onTimeout(): void {
    this.timeouts++;
  }
  onTransportError(): void {
    this.transportErrors++;
  }
}

/** Cheaper than parsing: the load here is in the transaction layer, not the parser. */
function request(method: string, i: number, via: string): SipRequest {
  return new SipRequest(
    method,
    'sip:bob@ims.test',
    Headers.from([
      ['Via', via],
      ['Max-Forwards', '70'],
      ['From', `<sip:alice@ims.test>;tag=f${i}`],
      ['To', '<sip:bob@ims.test>'],
      ['Call-ID', `leak-${method}-${i}`],
      ['CSeq', `1 ${method}`],
    ]),
  );
}

function response(req: SipRequest, status: number): SipResponse {
  const h = new Headers();
  for (const name of ['Via', 'From', 'Call-ID', 'CSeq']) h.append(name, req.headers.get(name)!);
  h.append('To', `${req.headers.get('To')};tag=t`);
  return new SipResponse(status, status === 200 ? 'OK' : 'Busy Here', h);
}

function ack(invite: SipRequest, branch: string): SipRequest {
  const a = request('ACK', 0, `SIP/2.0/UDP 198.51.100.7:5060;branch=${branch}`);
  a.headers.set('Call-ID', invite.callId);
  a.headers.set('From', invite.headers.get('From')!);
  a.headers.set('To', `${invite.headers.get('To')};tag=t`);
  return a;
}

describe('no leak: 10,000 transactions of each kind through the layer', () => {
  it('every table is empty and no timer is pending once Timers D/K/I/J/L/M (and H) have run', async () => {
    const clock = new FakeClock();
    const transport = new SpyTransport();
    transport.record = false;
    const user = new CountingUser();
    const layer = new TransactionLayer({ transport, user, timers: clock });
    const outcomes = new Map<string, number>();
    layer.on('terminated', (r: TransactionRecord) =>
      outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1),
    );
    const udp: Flow = flowFrom('udp');
    const tcp: Flow = flowFrom('tcp');
    const clientUser = new CountingUser();

    // The TU answers INVITEs 200 / 486 in turn, everything else 200.
    user.answer = (req, tx) => {
      const i = Number(req.callId.split('-')[2]);
      tx.respond(response(req, req.method === 'INVITE' && i % 2 === 1 ? 486 : 200));
    };

    for (let i = 0; i < N; i++) {
      const flow = i % 4 === 3 ? tcp : udp;
      const proto = flow.protocol === 'udp' ? 'UDP' : 'TCP';
      const dest = destination(flow.protocol);

      // INVITE client: 200 (Accepted, Timer M) or 486 (Completed, ACK, Timer D).
      const invite = request('INVITE', i, `SIP/2.0/${proto} 192.0.2.1:5060;branch=${newBranch()}`);
      layer.sendRequest(invite, dest, clientUser);
      transport.inject(response(invite, 180), flow);
      transport.inject(response(invite, i % 2 === 0 ? 200 : 486), flow);

      // Non-INVITE client: 200 (Completed, Timer K).
      const options = request('OPTIONS', i, `SIP/2.0/${proto} 192.0.2.1:5060;branch=${newBranch()}`);
      layer.sendRequest(options, dest, clientUser);
      transport.inject(response(options, 200), flow);

      // INVITE server: answered 200 (Accepted, Timer L) or 486; the 486 is ACKed (Confirmed,
      // Timer I) or, every tenth, never ACKed (Timer H).
      const branch = `z9hG4bKin${i}`;
      const incoming = request('INVITE', i, `SIP/2.0/${proto} 198.51.100.7:5060;branch=${branch}`);
      transport.inject(incoming, flow);
      transport.inject(incoming, flow); // a retransmission
      if (i % 2 === 1 && i % 10 !== 9) transport.inject(ack(incoming, branch), flow);

      // Non-INVITE server: 200 (Completed, Timer J).
      transport.inject(request('MESSAGE', i, `SIP/2.0/${proto} 198.51.100.7:5060;branch=z9hG4bKm${i}`), flow);
    }
    await flush();
    assert.equal(layer.size, 4 * N);
    assert.equal(user.requests, 2 * N);

    // Past the longest: Timer D (32 s), H/J/L/M (64*T1 = 32 s), K/I (T4 = 5 s).
    clock.tick(64 * T1 + T4 + 1);
    await flush();

    assert.deepEqual(layer.stats(), { clientTransactions: 0, serverTransactions: 0 });
    assert.equal(layer.size, 0);
    assert.equal(clock.pending, 0);
    // Every transaction ended; only the unacknowledged 486s on Timer H (reported to the TU).
    assert.deepEqual(Object.fromEntries(outcomes), { completed: 4 * N - N / 10, timeout: N / 10 });
    assert.equal(user.timeouts, N / 10);
    assert.equal(clientUser.timeouts + clientUser.transportErrors + user.transportErrors, 0);
    // Per INVITE client: 180 and the final; per OPTIONS: 200. Nothing stray, no ACK passed up.
    assert.equal(clientUser.responses, 3 * N);
    assert.equal(user.strays + user.acks, 0);
  });
});
