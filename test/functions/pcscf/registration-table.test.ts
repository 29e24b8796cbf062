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
