import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  RedirectCache,
  RedirectHostUsage,
  type RedirectKeys,
  requestUsers,
} from '../../../src/diameter/routing/redirect-cache.ts';

const CX = 16777216;
const SH = 16777217;

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const keys = (over: Partial<RedirectKeys> = {}): RedirectKeys => ({
  applicationId: CX,
  sessionId: 'icscf;1;1',
  destinationRealm: 'ims.test',
  users: ['alice@ims.test', 'sip:alice@ims.test'],
  ...over,
});

describe('redirect route cache (RFC 6733 §6.13 Redirect-Host-Usage, §6.14 Redirect-Max-Cache-Time)', () => {
  it('DONT_CACHE, an unknown usage and a missing or zero max cache time cache nothing', () => {
    const cache = new RedirectCache();
    assert.equal(cache.store(RedirectHostUsage.DONT_CACHE, keys(), 'hss1', 60), false);
    assert.equal(cache.store(99, keys(), 'hss1', 60), false);
    assert.equal(cache.store(RedirectHostUsage.ALL_REALM, keys(), 'hss1', undefined), false);
    assert.equal(cache.store(RedirectHostUsage.ALL_REALM, keys(), 'hss1', 0), false);
    assert.equal(cache.size, 0);
    assert.equal(cache.lookup(keys()), undefined);
  });

  it('each usage matches the requests it names', () => {
    const cases: [number, Partial<RedirectKeys>, Partial<RedirectKeys>][] = [
      [RedirectHostUsage.ALL_SESSION, {}, { sessionId: 'icscf;1;2' }],
      [RedirectHostUsage.ALL_USER, { sessionId: 'other', applicationId: SH }, { users: ['bob@ims.test'] }],
      [RedirectHostUsage.ALL_REALM, { applicationId: SH, users: [] }, { destinationRealm: 'other.test' }],
      [RedirectHostUsage.REALM_AND_APPLICATION, { users: [] }, { applicationId: SH }],
      [RedirectHostUsage.ALL_APPLICATION, { destinationRealm: 'x.test', users: [] }, { applicationId: SH }],
    ];
    for (const [usage, same, different] of cases) {
      const cache = new RedirectCache();
      assert.ok(cache.store(usage, keys(), 'hss1', 60), `usage ${usage} stored`);
      assert.equal(cache.lookup(keys(same)), 'hss1', `usage ${usage} matches`);
      assert.equal(cache.lookup(keys({ ...same, ...different })), undefined, `usage ${usage} does not match`);
    }
  });

  it('realms are compared without case', () => {
    const cache = new RedirectCache();
    cache.store(RedirectHostUsage.ALL_REALM, keys({ destinationRealm: 'IMS.Test' }), 'hss1', 60);
    assert.equal(cache.lookup(keys({ destinationRealm: 'ims.TEST' })), 'hss1');
  });

  it('ALL_USER is stored under every identity of the user, so a LIR finds what a UAR cached', () => {
    const cache = new RedirectCache();
    cache.store(RedirectHostUsage.ALL_USER, keys(), 'hss1', 60);
    assert.equal(cache.lookup(keys({ users: ['sip:alice@ims.test'] })), 'hss1');
    assert.equal(cache.lookup(keys({ users: ['alice@ims.test'] })), 'hss1');
  });

  it('ALL_HOST is keyed by the redirect agent and looked up by the next hop', () => {
    const cache = new RedirectCache();
    assert.equal(cache.store(RedirectHostUsage.ALL_HOST, keys(), 'hss1', 60), false, 'no agent, no key');
    assert.ok(cache.store(RedirectHostUsage.ALL_HOST, keys(), 'hss1', 60, 'SLF.ims.test'));
    assert.equal(cache.lookup(keys()), undefined);
    assert.equal(cache.lookupHost('slf.ims.test'), 'hss1');
    assert.equal(cache.lookupHost('dra.ims.test'), undefined);
  });

  it('precedence: ALL_SESSION, ALL_USER, REALM_AND_APPLICATION, ALL_REALM, ALL_APPLICATION', () => {
    const cache = new RedirectCache();
    const order = [
      RedirectHostUsage.ALL_APPLICATION,
      RedirectHostUsage.ALL_REALM,
      RedirectHostUsage.REALM_AND_APPLICATION,
      RedirectHostUsage.ALL_USER,
      RedirectHostUsage.ALL_SESSION,
    ];
    // Stored from the lowest precedence up: each new one must win over those before it.
    for (const usage of order) {
      cache.store(usage, keys(), `hss-${usage}`, 60);
      assert.equal(cache.lookup(keys()), `hss-${usage}`);
    }
    // Stored the other way round, the highest still wins.
    const reversed = new RedirectCache();
    for (const usage of [...order].reverse()) reversed.store(usage, keys(), `hss-${usage}`, 60);
    assert.equal(reversed.lookup(keys()), `hss-${RedirectHostUsage.ALL_SESSION}`);
  });

  it('entries expire after Redirect-Max-Cache-Time seconds', () => {
    const c = clock();
    const cache = new RedirectCache(100, c.now);
    cache.store(RedirectHostUsage.ALL_USER, keys(), 'hss1', 30);
    c.advance(29_999);
    assert.equal(cache.lookup(keys()), 'hss1');
    c.advance(1);
    assert.equal(cache.lookup(keys()), undefined);
    assert.equal(cache.size, 0, 'expired entries are dropped on lookup');
  });

  it('forgetTarget drops every entry pointing at a host that is gone; the size is bounded', () => {
    const cache = new RedirectCache(3);
    cache.store(RedirectHostUsage.ALL_USER, keys(), 'HSS1', 60);
    cache.store(RedirectHostUsage.ALL_REALM, keys(), 'hss2', 60);
    cache.forgetTarget('hss1');
    assert.equal(cache.lookup(keys()), 'hss2');
    assert.equal(cache.size, 1);
    for (let i = 0; i < 10; i++)
      cache.store(RedirectHostUsage.ALL_SESSION, keys({ sessionId: `s${i}` }), 'h', 60);
    assert.ok(cache.size <= 3);
    assert.equal(cache.lookup(keys({ sessionId: 's9' })), 'h', 'the newest entries stay');
  });

  it('requestUsers reads User-Name, Public-Identity and Sh User-Identity', () => {
    assert.deepEqual(requestUsers({ userName: 'alice@ims.test', publicIdentity: 'sip:alice@ims.test' }), [
      'alice@ims.test',
      'sip:alice@ims.test',
    ]);
    assert.deepEqual(requestUsers({ publicIdentity: ['sip:a@ims.test', 'tel:+1'] }), [
      'sip:a@ims.test',
      'tel:+1',
    ]);
    assert.deepEqual(requestUsers({ userIdentity: { publicIdentity: 'sip:b@ims.test' } }), [
      'sip:b@ims.test',
    ]);
    assert.deepEqual(requestUsers({ userIdentity: { msisdn: Buffer.from([0x21, 0x43]) } }), ['msisdn:2143']);
    assert.deepEqual(requestUsers({ sessionId: 'x' }), []);
  });
});
