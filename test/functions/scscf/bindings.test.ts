/** Binding updates of a REGISTER (RFC 3261 §10.3, RFC 5626 §6) as pure functions, and PPR for a stranger. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExperimentalResultCode } from '../../../src/diameter/result-code.ts';
import { contactValue, planBindings, type RegisterData } from '../../../src/functions/scscf/bindings.ts';
import { pushProfile } from '../../../src/functions/scscf/cx-ppr.ts';
import type { RegEventNotifier } from '../../../src/functions/scscf/reg-event-notifier.ts';
import { silentLogger } from '../../../src/log/logger.ts';
import { parseMessage, type SipRequest } from '../../../src/sip/message/index.ts';
import { MemoryRegistrationStore } from '../../../src/store/registrations/index.ts';

const limits = { minExpires: 60, maxExpires: 3600, defaultExpires: 600 };

function data(contacts: string[], extra: Partial<RegisterData> & { expires?: number } = {}): RegisterData {
  const text =
    'REGISTER sip:ims.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\nFrom: <sip:a@ims.test>;tag=1\r\n' +
    `To: <sip:a@ims.test>\r\nCall-ID: c1\r\nCSeq: 1 REGISTER\r\n${contacts.map((c) => `Contact: ${c}\r\n`).join('')}Content-Length: 0\r\n\r\n`;
  const request = parseMessage(Buffer.from(text)) as SipRequest;
  return { contacts: request.contacts, expires: undefined, callId: 'c1', cseq: 1, path: [], ...extra };
}

describe('planBindings (RFC 3261 §10.3)', () => {
  it('expiry from the contact parameter, else Expires, else the default; clamped to the maximum', () => {
    const p = planBindings(
      [],
      data(['<sip:u@h1>;expires=120', '<sip:u@h2>', '<sip:u@h3>;expires=99999']),
      limits,
      0,
    );
    assert.ok(p.ok);
    assert.deepEqual(
      p.bindings.map((b) => b.expiresAt / 1000),
      [120, 600, 3600],
    );
    const h = planBindings([], data(['<sip:u@h1>'], { expires: 300 }), limits, 0);
    assert.ok(h.ok && h.bindings[0]!.expiresAt === 300_000);
  });

  it('423 below the minimum, except 0; nothing changes', () => {
    const p = planBindings([], data(['<sip:u@h1>;expires=30']), limits, 0);
    assert.deepEqual(p, {
      ok: false,
      status: 423,
      reason: 'Interval Too Brief',
      headers: [['Min-Expires', '60']],
    });
  });

  it('refresh keeps the id and registeredAt; the same Call-ID with an older CSeq is refused', () => {
    const first = planBindings([], data(['<sip:u@h1>']), limits, 1000);
    assert.ok(first.ok);
    const refreshed = planBindings(first.bindings, data(['<sip:u@h1>'], { cseq: 2 }), limits, 5000);
    assert.ok(refreshed.ok);
    assert.equal(refreshed.bindings[0]!.id, first.bindings[0]!.id);
    assert.equal(refreshed.bindings[0]!.registeredAt, 1000);
    assert.equal(refreshed.changes[0]!.event, 'refreshed');
    const old = planBindings(refreshed.bindings, data(['<sip:u@h1>'], { cseq: 1 }), limits, 6000);
    assert.equal(old.ok, false);
    const otherCall = planBindings(
      refreshed.bindings,
      data(['<sip:u@h1>'], { callId: 'c2', cseq: 1 }),
      limits,
      6000,
    );
    assert.ok(otherCall.ok);
  });

  it('contact params kept without expires and echoed with the remaining expiry', () => {
    const p = planBindings(
      [],
      data(['<sip:u@h1>;+sip.instance="<urn:uuid:1>";reg-id=2;expires=120']),
      limits,
      0,
    );
    assert.ok(p.ok);
    assert.equal(p.bindings[0]!.params, ';+sip.instance="<urn:uuid:1>";reg-id=2');
    assert.equal(
      contactValue(p.bindings[0]!, 20_000),
      '<sip:u@h1>;+sip.instance="<urn:uuid:1>";reg-id=2;expires=100',
    );
  });

  it('no Contact is a query; expires=0 removes only its binding', () => {
    const p = planBindings([], data(['<sip:u@h1>', '<sip:u@h2>']), limits, 0);
    assert.ok(p.ok);
    const q = planBindings(p.bindings, data([]), limits, 0);
    assert.ok(q.ok && q.query && q.bindings.length === 2);
    const r = planBindings(p.bindings, data(['<sip:u@h1>;expires=0'], { cseq: 2 }), limits, 0);
    assert.ok(r.ok);
    assert.deepEqual(
      r.bindings.map((b) => b.contact),
      ['sip:u@h2'],
    );
    assert.deepEqual(
      r.changes.map((c) => [c.state, c.event]),
      [['terminated', 'unregistered']],
    );
  });
});

describe('PPR at the S-CSCF', () => {
  it('for a user not served here: DIAMETER_ERROR_USER_UNKNOWN', async () => {
    const store = await MemoryRegistrationStore.open({ logger: silentLogger });
    const notifier = { changed() {} } as unknown as RegEventNotifier;
    const answer = await pushProfile(
      { userName: 'ghost@ims.test' } as Parameters<typeof pushProfile>[0],
      store,
      notifier,
      silentLogger,
    );
    assert.deepEqual(answer, {
      experimentalResult: {
        vendorId: 10415,
        experimentalResultCode: ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN,
      },
    });
    await store.close();
  });
});
