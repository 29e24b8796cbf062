/**
 * The P-CSCF's registration table: found by flow and identity through indexes that follow
 * saves, re-registrations with a changed implicit set, removals and expiry.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { RegistrationTable } from '../../../src/functions/pcscf/registration-table.ts';
import type { Flow } from '../../../src/sip/transport/types.ts';

const flow = (port: number): Flow =>
  ({
    protocol: 'udp',
    local: { host: '127.0.0.1', port: 5060 },
    remote: { host: '127.0.0.1', port },
  }) as Flow;
const later = () => [{ uri: 'sip:ue@10.0.0.1', expiresAt: Date.now() + 60_000 }];

describe('P-CSCF RegistrationTable', () => {
  let table: RegistrationTable;
  afterEach(() => table.dispose());

  it('a contact registered again over another flow leaves the old flow; * takes every flow', () => {
    const removed: string[] = [];
    table = new RegistrationTable(1000, (r, why) => removed.push(`${r.flow.remote.port} ${why}`));
    const update = (uris: string[]) => ({
      associatedUris: ['sip:dave@ims.test'],
      serviceRoute: [],
      contacts: uris.map((uri) => ({ uri, expiresAt: Date.now() + 60_000 })),
    });
    table.save(flow(40000), 'sip:dave@ims.test', update(['sip:dave@10.0.0.1:5072', 'sip:dave@10.0.0.9']));
    table.save(flow(40100), 'sip:erin@ims.test', update(['sip:dave@10.0.0.1:5072']));
    // The phone restarts and registers the same contact from a new port.
    table.releaseElsewhere(flow(40001), 'sip:dave@IMS.test', ['sip:dave@10.0.0.1:5072']);
    table.save(flow(40001), 'sip:dave@ims.test', update(['sip:dave@10.0.0.1:5072']));
    assert.deepEqual(
      table.find(flow(40000), 'sip:dave@ims.test')?.contacts.map((c) => c.uri),
      ['sip:dave@10.0.0.9'],
    );
    assert.equal(table.size, 3);
    table.releaseElsewhere(flow(40002), 'sip:dave@ims.test', ['sip:dave@10.0.0.9']);
    assert.deepEqual(removed, ['40000 re-registered over another flow']);
    assert.equal(table.find(flow(40000), 'sip:dave@ims.test'), undefined);
    // Another identity's registration with an equal contact is not touched.
    assert.equal(table.find(flow(40100), 'sip:erin@ims.test')?.contacts.length, 1);
    table.releaseElsewhere(flow(40003), 'sip:dave@ims.test', '*');
    assert.equal(table.find(flow(40001), 'sip:dave@ims.test'), undefined);
    assert.equal(removed[1], '40001 de-registered over another flow');
    assert.equal(table.size, 1);
  });

  it('many users over one flow: each found by its identities; removal re-points shared ones', () => {
    const removed: string[] = [];
    table = new RegistrationTable(1000, (r) => removed.push(r.impu));
    const shared = flow(40000);
    for (let i = 0; i < 2000; i++)
      table.save(shared, `sip:user${i}@ims.test`, {
        associatedUris: [
          `sip:user${i}@ims.test`,
          `tel:+1555${String(i).padStart(4, '0')}`,
          'sip:team@ims.test',
        ],
        serviceRoute: ['<sip:orig@scscf.ims.test;lr>'],
        contacts: later(),
      });
    assert.equal(table.size, 2000);
    assert.equal(table.onFlow(shared).length, 2000);
    assert.equal(table.onFlowWithIdentity(shared, 'tel:+15551234')?.impu, 'sip:user1234@ims.test');
    assert.equal(
      table.onFlowWithIdentity(shared, 'sip:user77@IMS.test;transport=udp')?.impu,
      'sip:user77@ims.test',
    );
    assert.equal(table.find(shared, 'sip:user5@ims.test')?.impu, 'sip:user5@ims.test');
    assert.equal(table.find(flow(40001), 'sip:user5@ims.test'), undefined);
    // An identity several users share: the oldest holder, then the next once it goes.
    assert.equal(table.onFlowWithIdentity(shared, 'sip:team@ims.test')?.impu, 'sip:user0@ims.test');
    assert.equal(table.withIdentity('sip:team@ims.test').length, 2000);
    table.remove(table.find(shared, 'sip:user0@ims.test')!, 'test');
    assert.equal(table.onFlowWithIdentity(shared, 'sip:team@ims.test')?.impu, 'sip:user1@ims.test');
    assert.equal(table.onFlowWithIdentity(shared, 'sip:user0@ims.test'), undefined);
    assert.deepEqual(removed, ['sip:user0@ims.test']);
    assert.equal(table.size, 1999);
  });

  it('a re-registration with another implicit set moves the identity index; de-registration empties it', () => {
    table = new RegistrationTable(1000);
    const f = flow(40002);
    table.save(f, 'sip:ann@ims.test', {
      associatedUris: ['sip:ann@ims.test', 'tel:+100'],
      serviceRoute: [],
      contacts: later(),
    });
    assert.equal(table.withIdentity('tel:+100').length, 1);
    table.save(f, 'sip:ann@ims.test', {
      associatedUris: ['sip:ann@ims.test', 'tel:+200'],
      serviceRoute: [],
      contacts: later(),
    });
    assert.equal(table.withIdentity('tel:+100').length, 0);
    assert.equal(table.onFlowWithIdentity(f, 'tel:+200')?.impu, 'sip:ann@ims.test');
    assert.equal(table.size, 1);
    assert.equal(
      table.save(f, 'sip:ann@ims.test', { associatedUris: [], serviceRoute: [], contacts: [] }),
      undefined,
    );
    assert.equal(table.size, 0);
    assert.equal(table.onFlow(f).length, 0);
    assert.equal(table.withIdentity('sip:ann@ims.test').length, 0);
  });
});

describe('P-CSCF RegistrationTable expiry (fake time)', () => {
  it('a registration goes when its last contact expired plus the grace period, not before, and not after a removal', (t) => {
    t.mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    const removed: string[] = [];
    const table = new RegistrationTable(1000, (r, why) => removed.push(`${r.impu} ${why}`));
    const at = (s: number) => 1_000_000 + s * 1000;
    table.save(flow(41000), 'sip:a@ims.test', {
      associatedUris: [],
      serviceRoute: [],
      contacts: [
        { uri: 'sip:a@10.0.0.1', expiresAt: at(60) },
        { uri: 'sip:a@10.0.0.2', expiresAt: at(120) },
      ],
    });
    table.save(flow(41001), 'sip:b@ims.test', {
      associatedUris: [],
      serviceRoute: [],
      contacts: [{ uri: 'sip:b@10.0.0.3', expiresAt: at(30) }],
    });
    table.save(flow(41002), 'sip:c@ims.test', {
      associatedUris: [],
      serviceRoute: [],
      contacts: [{ uri: 'sip:c@10.0.0.4', expiresAt: at(10) }],
    });
    // c is de-registered before it expires: its expiry must not fire.
    table.remove(table.find(flow(41002), 'sip:c@ims.test')!, 'de-registered');
    t.mock.timers.tick(30_900);
    assert.deepEqual(removed, ['sip:c@ims.test de-registered']);
    t.mock.timers.tick(200); // 31.1 s: b's contact expired at 30 s, grace 1 s
    assert.deepEqual(removed, ['sip:c@ims.test de-registered', 'sip:b@ims.test expired']);
    t.mock.timers.tick(30_000); // 61.1 s: a registration lasts as long as its last contact
    assert.equal(table.find(flow(41000), 'sip:a@ims.test')?.contacts.length, 2);
    // A re-registration before the end moves the expiry later.
    table.save(flow(41000), 'sip:a@ims.test', {
      associatedUris: [],
      serviceRoute: [],
      contacts: [{ uri: 'sip:a@10.0.0.2', expiresAt: at(300) }],
    });
    t.mock.timers.tick(100_000); // 161.1 s
    assert.equal(removed.length, 2);
    t.mock.timers.tick(140_000); // 301.1 s
    assert.deepEqual(removed.at(-1), 'sip:a@ims.test expired');
    assert.equal(table.size, 0);
    table.dispose();
  });
});
