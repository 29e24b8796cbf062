import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultPrivateIdentity,
  isE164,
  isPrivateIdentity,
  isWildcarded,
  matchesWildcard,
  normalizePublicIdentity,
  privateIdentityRealm,
  publicIdentityScheme,
  wildcardPattern,
} from '../../src/ims/identity.ts';
import { IdentityError } from '../../src/ims/identity-error.ts';

describe('public identities (TS 23.003 §13.4)', () => {
  it('normalises a SIP URI: scheme and host lowercased, user kept, escapes reduced, parameters dropped', () => {
    assert.equal(normalizePublicIdentity('SIP:Alice@IMS.Test'), 'sip:Alice@ims.test');
    assert.equal(normalizePublicIdentity('sip:%61lice@ims.test'), 'sip:alice@ims.test');
    assert.equal(
      normalizePublicIdentity('sip:+12015550123@ims.test;user=phone'),
      'sip:+12015550123@ims.test',
    );
    assert.equal(normalizePublicIdentity('sip:alice@ims.test:5070'), 'sip:alice@ims.test:5070');
    assert.equal(normalizePublicIdentity('sips:bob@ims.test?subject=x'), 'sips:bob@ims.test');
    assert.equal(normalizePublicIdentity('  sip:alice@ims.test '), 'sip:alice@ims.test');
  });

  it('normalises a tel URI to a global number without visual separators (RFC 3966 §5.1.4)', () => {
    assert.equal(normalizePublicIdentity('tel:+1-201-555-0123'), 'tel:+12015550123');
    assert.equal(normalizePublicIdentity('TEL:+44 (20) 7946.0018'.replace(/ /g, '')), 'tel:+442079460018');
    assert.equal(normalizePublicIdentity('tel:+12015550123;ext=12'), 'tel:+12015550123;ext=12');
  });

  it('refuses local tel numbers, non-E.164 numbers, other schemes and broken URIs', () => {
    for (const bad of [
      'tel:5550123;phone-context=ims.test',
      'tel:+0123',
      'mailto:a@b',
      'alice@ims.test',
      'sip:',
      'sip:a:pw@h',
    ]) {
      assert.throws(() => normalizePublicIdentity(bad), IdentityError, bad);
    }
  });

  it('IdentityError carries the identity and a stable code', () => {
    try {
      normalizePublicIdentity('tel:123;phone-context=x.test');
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof IdentityError);
      assert.equal(err.code, 'ERR_IMS_IDENTITY');
      assert.equal(err.identity, 'tel:123;phone-context=x.test');
      assert.match(err.message, /global number/);
    }
  });

  it('knows the scheme of an identity', () => {
    assert.equal(publicIdentityScheme('SIP:a@b'), 'sip');
    assert.equal(publicIdentityScheme('tel:+1'), 'tel');
    assert.equal(publicIdentityScheme('sips:a@b'), 'sips');
    assert.equal(publicIdentityScheme('mailto:a@b'), undefined);
  });
});

describe('E.164 (ITU-T E.164, RFC 3966 global numbers)', () => {
  it('accepts + and 2..15 digits not starting with 0', () => {
    assert.ok(isE164('+12015550123'));
    assert.ok(isE164('+491234567890123'));
    assert.ok(!isE164('+4912345678901234'), '16 digits');
    assert.ok(!isE164('12015550123'), 'no +');
    assert.ok(!isE164('+0201'), 'leading 0');
    assert.ok(!isE164('+1-201'), 'separators');
  });
});

describe('private identities (TS 23.003 §13.3)', () => {
  it('derives the default IMPI from a SIP IMPU (ARCHITECTURE.md §7)', () => {
    assert.equal(defaultPrivateIdentity('sip:alice@ims.test'), 'alice@ims.test');
    assert.equal(defaultPrivateIdentity('sip:Alice@IMS.TEST;user=phone'), 'Alice@ims.test');
  });

  it('forms an IMPI for a tel IMPU only with a realm', () => {
    assert.equal(defaultPrivateIdentity('tel:+1-201-555-0123', 'ims.test'), '+12015550123@ims.test');
    assert.throws(() => defaultPrivateIdentity('tel:+12015550123'), IdentityError);
    assert.throws(() => defaultPrivateIdentity('sip:ims.test'), IdentityError);
    assert.throws(() => defaultPrivateIdentity('sip:chat!.*!@ims.test'), IdentityError);
  });

  it('checks the NAI form and gives its realm', () => {
    assert.ok(isPrivateIdentity('alice@ims.test'));
    assert.ok(isPrivateIdentity('001010000000001@ims.mnc001.mcc001.3gppnetwork.org'));
    for (const bad of ['alice', '@ims.test', 'alice@', 'al ice@ims.test', 'alice@ims..test', 'a@-b.test'])
      assert.ok(!isPrivateIdentity(bad), bad);
    assert.equal(privateIdentityRealm('alice@ims.test'), 'ims.test');
    assert.equal(privateIdentityRealm('alice'), undefined);
  });
});

describe('wildcarded identities (TS 23.003 §13.5)', () => {
  it('recognises the !regex! part', () => {
    assert.ok(isWildcarded('sip:chatlist!.*!@ims.test'));
    assert.ok(!isWildcarded('sip:chatlist@ims.test'));
    assert.ok(!isWildcarded('sip:chat!list@ims.test'));
  });

  it('normalises around the wildcard and checks the regular expression', () => {
    assert.equal(normalizePublicIdentity('SIP:chatlist!.*!@IMS.Test'), 'sip:chatlist!.*!@ims.test');
    assert.equal(normalizePublicIdentity('tel:+1555!.*!'), 'tel:+1555!.*!');
    assert.throws(() => normalizePublicIdentity('sip:chat!(!@ims.test'), /not a valid regular expression/);
    assert.throws(() => normalizePublicIdentity('sip:chat!.*!@'), IdentityError);
  });

  it('matches the whole identity: literal text outside the delimiters, regex inside', () => {
    const psi = 'sip:chatlist!.*!@ims.test';
    assert.ok(matchesWildcard(psi, 'sip:chatlist1@ims.test'));
    assert.ok(matchesWildcard(psi, 'sip:chatlist@ims.test'));
    assert.ok(!matchesWildcard(psi, 'sip:chatlist1@ims.test.evil'));
    assert.ok(!matchesWildcard(psi, 'sip:xchatlist1@ims.test'));
    assert.ok(matchesWildcard('sip:user!\\d{3}!-conf@ims.test', 'sip:user123-conf@ims.test'));
    assert.ok(!matchesWildcard('sip:user!\\d{3}!-conf@ims.test', 'sip:user1234-conf@ims.test'));
    assert.ok(matchesWildcard('tel:+1555!.*!', 'tel:+15550100'));
    // The '.' of the host is literal, not "any character".
    assert.ok(!matchesWildcard(psi, 'sip:chatlist1@imsxtest'));
  });

  it('caches compiled patterns', () => {
    assert.equal(wildcardPattern('sip:a!.*!@b.test'), wildcardPattern('sip:a!.*!@b.test'));
  });
});
