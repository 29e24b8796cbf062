/**
 * Normalisation and validation of a whole subscription, as provisioning gives it. Every issue
 * names its field (`privateIdentities[0].k`) and says why; nothing stops at the first one.
 */

import {
  IdentityType,
  isPrivateIdentity,
  isWildcarded,
  normalizePublicIdentity,
  privateIdentityRealm,
} from '../../ims/identity.ts';
import { validateInitialFilterCriteriaList } from '../../ims/ifc/model.ts';
import { at, isHex, isPrintable, isUnsigned, type ValidationIssue } from '../../ims/validation.ts';
import { parseSipUri } from '../../sip/message/uri.ts';
import {
  AKA_SCHEMES,
  AUTHENTICATION_SCHEMES,
  DEFAULT_AMF,
  isPsi,
  MAX_SQN,
  type NewSubscription,
  type PrivateIdentity,
  type PublicIdentity,
} from './model.ts';

const HEX_FIELDS = ['k', 'opc', 'op', 'amf', 'ha1Md5', 'ha1Sha256'] as const;
/** Hex digits of each secret: K and AMF (TS 33.102 §6.3.7), OP and OPc (TS 35.206 §2), HA1 (RFC 7616). */
export const SECRET_HEX_DIGITS = { k: 32, opc: 32, op: 32, amf: 4, ha1Md5: 32, ha1Sha256: 64 } as const;
/** RFC 6733 §4.3.1 DiameterURI, loosely: scheme aaa or aaas and an authority. */
const DIAMETER_URI = /^aaas?:\/\/[^\s/]+(?:[;/?]\S*)?$/;

function tryNormalize(impu: unknown): unknown {
  if (typeof impu !== 'string') return impu;
  try {
    return normalizePublicIdentity(impu);
  } catch {
    return impu;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * A copy in stored form: public identities normalised wherever they appear, hex lowercased,
 * defaults filled in (AMF for AKA, SQN 0, digest realm, identity type, empty lists), runtime fields
 * other than SQN dropped. Values of the wrong type are left for `validateSubscription` to report.
 */
export function normalizeSubscription(input: NewSubscription): NewSubscription {
  if (!isObject(input)) return input;
  const sub = structuredClone(input) as NewSubscription;
  delete sub.serverAssignment;
  if (Array.isArray(sub.privateIdentities))
    for (const pi of sub.privateIdentities as PrivateIdentity[]) {
      if (!isObject(pi)) continue;
      for (const f of HEX_FIELDS) if (typeof pi[f] === 'string') pi[f] = pi[f].toLowerCase();
      const aka = Array.isArray(pi.allowedSchemes) && pi.allowedSchemes.some((s) => AKA_SCHEMES.includes(s));
      if (aka && pi.amf === undefined) pi.amf = DEFAULT_AMF;
      pi.sqn ??= 0;
      if ((pi.ha1Md5 !== undefined || pi.ha1Sha256 !== undefined) && pi.digestRealm === undefined)
        pi.digestRealm = typeof pi.impi === 'string' ? privateIdentityRealm(pi.impi) : undefined;
      if (pi.digestRealm === undefined) delete pi.digestRealm;
      if (Array.isArray(pi.publicIdentities))
        pi.publicIdentities = pi.publicIdentities.map(tryNormalize) as string[];
    }
  if (Array.isArray(sub.publicIdentities))
    for (const pu of sub.publicIdentities as PublicIdentity[]) {
      if (!isObject(pu)) continue;
      pu.impu = tryNormalize(pu.impu) as string;
      pu.identityType ??= IdentityType.PUBLIC_USER_IDENTITY;
      delete pu.registrationState;
      delete pu.registeredPrivateIdentities;
    }
  if (Array.isArray(sub.serviceProfiles))
    for (const sp of sub.serviceProfiles) {
      if (!isObject(sp)) continue;
      sp.initialFilterCriteria ??= [];
      sp.sharedIfcSetIds ??= [];
    }
  if (Array.isArray(sub.implicitRegistrationSets))
    for (const irs of sub.implicitRegistrationSets)
      if (isObject(irs) && Array.isArray(irs.publicIdentities))
        irs.publicIdentities = irs.publicIdentities.map(tryNormalize) as string[];
  return sub;
}

/** Checks a normalised subscription; an empty list means it may be stored. */
export function validateSubscription(sub: NewSubscription): ValidationIssue[] {
  if (!isObject(sub)) return [{ field: '', message: 'must be an object' }];
  const issues: ValidationIssue[] = [];
  const add = (field: string, message: string): void => {
    issues.push({ field, message });
  };
  if (sub.id !== undefined && !isPrintable(sub.id, 128))
    add('id', 'must be a non-empty string of at most 128 characters');

  const profileIds = new Map<string, number>();
  if (!Array.isArray(sub.serviceProfiles) || sub.serviceProfiles.length === 0)
    add('serviceProfiles', 'at least one service profile is required');
  else
    sub.serviceProfiles.forEach((sp, i) => {
      const p = at('serviceProfiles', i);
      if (!isObject(sp)) {
        add(p, 'must be an object');
        return;
      }
      if (!isPrintable(sp.id, 128)) add(at(p, 'id'), 'must be a non-empty string of at most 128 characters');
      else if (profileIds.has(sp.id))
        add(at(p, 'id'), `duplicate of serviceProfiles[${profileIds.get(sp.id)}].id`);
      else profileIds.set(sp.id, i);
      issues.push(
        ...validateInitialFilterCriteriaList(sp.initialFilterCriteria, at(p, 'initialFilterCriteria')),
      );
      checkUnsignedList(sp.sharedIfcSetIds ?? [], at(p, 'sharedIfcSetIds'), issues, true);
      if (sp.subscribedMediaProfileId !== undefined && !isUnsigned(sp.subscribedMediaProfileId, 0xffffffff))
        add(at(p, 'subscribedMediaProfileId'), 'must be an integer 0..4294967295');
    });

  const impus = new Map<string, { index: number; type: IdentityType }>();
  const usedProfiles = new Set<string>();
  let userIdentities = 0;
  let sipUserIdentities = 0;
  if (!Array.isArray(sub.publicIdentities) || sub.publicIdentities.length === 0)
    add('publicIdentities', 'at least one public identity is required');
  else
    sub.publicIdentities.forEach((pu, i) => {
      const p = at('publicIdentities', i);
      if (!isObject(pu)) {
        add(p, 'must be an object');
        return;
      }
      const type = pu.identityType;
      if (!Object.values(IdentityType).includes(type))
        add(at(p, 'identityType'), 'must be 0..4 (TS 29.228 Annex E tIdentityType)');
      if (typeof pu.impu !== 'string') add(at(p, 'impu'), 'is required');
      else {
        try {
          normalizePublicIdentity(pu.impu);
          const wildcard = isWildcarded(pu.impu);
          if (wildcard && type !== IdentityType.WILDCARDED_PSI && type !== IdentityType.WILDCARDED_IMPU)
            add(
              at(p, 'identityType'),
              'a wildcarded identity must be WILDCARDED_PSI (2) or WILDCARDED_IMPU (4)',
            );
          if (!wildcard && (type === IdentityType.WILDCARDED_PSI || type === IdentityType.WILDCARDED_IMPU))
            add(at(p, 'impu'), 'a wildcarded identity holds a !regex! part (TS 23.003 §13.5)');
          const first = impus.get(pu.impu);
          if (first !== undefined) add(at(p, 'impu'), `duplicate of publicIdentities[${first.index}].impu`);
          else impus.set(pu.impu, { index: i, type });
          if (!isPsi(type)) {
            userIdentities++;
            if (pu.impu.startsWith('sip')) sipUserIdentities++;
          }
        } catch (err) {
          add(at(p, 'impu'), (err as Error).message);
        }
      }
      if (pu.barringIndication !== undefined && typeof pu.barringIndication !== 'boolean')
        add(at(p, 'barringIndication'), 'must be true or false');
      if (pu.displayName !== undefined && !isPrintable(pu.displayName, 256))
        add(at(p, 'displayName'), 'must be a non-empty string of at most 256 characters');
      if (pu.aliasIdentityGroupId !== undefined && !isPrintable(pu.aliasIdentityGroupId, 128))
        add(at(p, 'aliasIdentityGroupId'), 'must be a non-empty string of at most 128 characters');
      if (typeof pu.serviceProfileId !== 'string' || !profileIds.has(pu.serviceProfileId))
        add(at(p, 'serviceProfileId'), 'must name a service profile of this subscription');
      else usedProfiles.add(pu.serviceProfileId);
    });
  // TS 23.228 §4.3.3.2: each IMS user has at least one public user identity in SIP URI form.
  if (userIdentities > 0 && sipUserIdentities === 0)
    add('publicIdentities', 'at least one public user identity must be a SIP URI (TS 23.228 §4.3.3.2)');
  for (const [id, i] of profileIds)
    if (!usedProfiles.has(id)) add(at(at('serviceProfiles', i), 'id'), 'is not used by any public identity');

  validatePrivateIdentities(sub, impus, userIdentities, issues);
  validateImplicitRegistrationSets(sub, impus, issues);

  if (sub.serverCapabilities !== undefined) {
    const sc = sub.serverCapabilities;
    if (!isObject(sc)) add('serverCapabilities', 'must be an object');
    else {
      checkUnsignedList(sc.mandatoryCapabilities, 'serverCapabilities.mandatoryCapabilities', issues);
      checkUnsignedList(sc.optionalCapabilities, 'serverCapabilities.optionalCapabilities', issues);
      if (!Array.isArray(sc.serverNames))
        add('serverCapabilities.serverNames', 'must be an array of SIP URIs');
      else
        sc.serverNames.forEach((name, i) => {
          if (!isSipUri(name)) add(at('serverCapabilities.serverNames', i), 'must be a SIP URI');
        });
    }
  }
  if (sub.chargingInformation !== undefined) {
    if (!isObject(sub.chargingInformation)) add('chargingInformation', 'must be an object');
    else
      for (const [k, v] of Object.entries(sub.chargingInformation))
        if (v !== undefined && (typeof v !== 'string' || !DIAMETER_URI.test(v)))
          add(
            at('chargingInformation', k),
            'must be a DiameterURI (aaa://host or aaas://host, RFC 6733 §4.3.1)',
          );
  }
  return issues;
}

function validatePrivateIdentities(
  sub: NewSubscription,
  impus: Map<string, { index: number; type: IdentityType }>,
  userIdentities: number,
  issues: ValidationIssue[],
): void {
  const add = (field: string, message: string): void => {
    issues.push({ field, message });
  };
  if (!Array.isArray(sub.privateIdentities)) {
    add('privateIdentities', 'must be an array');
    return;
  }
  // TS 23.228 §4.3.3.1: a user has a private identity; only PSIs (hosted by an AS) do without.
  if (sub.privateIdentities.length === 0 && userIdentities > 0)
    add('privateIdentities', 'at least one private identity is required (only PSIs may do without)');
  const seen = new Map<string, number>();
  sub.privateIdentities.forEach((pi, i) => {
    const p = at('privateIdentities', i);
    if (!isObject(pi)) {
      add(p, 'must be an object');
      return;
    }
    if (typeof pi.impi !== 'string' || !isPrivateIdentity(pi.impi))
      add(at(p, 'impi'), 'must be an NAI username@realm (TS 23.003 §13.3)');
    else if (seen.has(pi.impi))
      add(at(p, 'impi'), `duplicate of privateIdentities[${seen.get(pi.impi)}].impi`);
    else seen.set(pi.impi, i);
    const schemes = Array.isArray(pi.allowedSchemes) ? pi.allowedSchemes : [];
    if (!Array.isArray(pi.allowedSchemes) || schemes.length === 0)
      add(at(p, 'allowedSchemes'), `must list at least one of ${AUTHENTICATION_SCHEMES.join(', ')}`);
    schemes.forEach((s, j) => {
      if (!AUTHENTICATION_SCHEMES.includes(s))
        add(at(at(p, 'allowedSchemes'), j), `must be one of ${AUTHENTICATION_SCHEMES.join(', ')}`);
      else if (schemes.indexOf(s) !== j) add(at(at(p, 'allowedSchemes'), j), 'is listed twice');
    });
    for (const f of HEX_FIELDS)
      if (pi[f] !== undefined && !isHex(pi[f], SECRET_HEX_DIGITS[f]))
        add(at(p, f), `must be ${SECRET_HEX_DIGITS[f]} hex digits`);
    if (pi.opc !== undefined && pi.op !== undefined) add(at(p, 'op'), 'give OPc or OP, not both');
    const aka = schemes.find((s) => AKA_SCHEMES.includes(s));
    if (aka !== undefined) {
      if (pi.k === undefined) add(at(p, 'k'), `is required by scheme ${aka}`);
      if (pi.opc === undefined && pi.op === undefined)
        add(at(p, 'opc'), `OPc or OP is required by scheme ${aka}`);
    }
    if (schemes.includes('MD5') && pi.ha1Md5 === undefined) add(at(p, 'ha1Md5'), 'is required by scheme MD5');
    if (schemes.includes('SHA-256') && pi.ha1Sha256 === undefined)
      add(at(p, 'ha1Sha256'), 'is required by scheme SHA-256');
    if (pi.sqn !== undefined && !isUnsigned(pi.sqn, MAX_SQN))
      add(at(p, 'sqn'), `must be an integer 0..${MAX_SQN} (48 bits, TS 33.102 §6.3.2)`);
    if (pi.digestRealm !== undefined && !isPrintable(pi.digestRealm, 255))
      add(at(p, 'digestRealm'), 'must be a non-empty string');
    if (pi.publicIdentities !== undefined) {
      if (!Array.isArray(pi.publicIdentities)) add(at(p, 'publicIdentities'), 'must be an array');
      else
        pi.publicIdentities.forEach((impu, j) => {
          const found = impus.get(impu);
          if (found === undefined)
            add(at(at(p, 'publicIdentities'), j), 'must be a public identity of this subscription');
          else if (isPsi(found.type))
            add(at(at(p, 'publicIdentities'), j), 'a PSI is not registered by a user');
        });
    }
  });
}

function validateImplicitRegistrationSets(
  sub: NewSubscription,
  impus: Map<string, { index: number; type: IdentityType }>,
  issues: ValidationIssue[],
): void {
  const add = (field: string, message: string): void => {
    issues.push({ field, message });
  };
  if (sub.implicitRegistrationSets === undefined) return;
  if (!Array.isArray(sub.implicitRegistrationSets)) {
    add('implicitRegistrationSets', 'must be an array');
    return;
  }
  const ids = new Set<string>();
  const member = new Map<string, number>();
  sub.implicitRegistrationSets.forEach((irs, i) => {
    const p = at('implicitRegistrationSets', i);
    if (!isObject(irs)) {
      add(p, 'must be an object');
      return;
    }
    if (!isPrintable(irs.id, 128)) add(at(p, 'id'), 'must be a non-empty string of at most 128 characters');
    else if (ids.has(irs.id)) add(at(p, 'id'), 'is used by another set');
    else ids.add(irs.id);
    if (!Array.isArray(irs.publicIdentities) || irs.publicIdentities.length === 0) {
      add(at(p, 'publicIdentities'), 'must list at least one public identity');
      return;
    }
    irs.publicIdentities.forEach((impu, j) => {
      const f = at(at(p, 'publicIdentities'), j);
      const found = impus.get(impu);
      if (found === undefined) {
        add(f, 'must be a public identity of this subscription');
        return;
      }
      if (isPsi(found.type)) add(f, 'a PSI is not part of an implicit registration set');
      const other = member.get(impu);
      if (other !== undefined) add(f, `already in implicitRegistrationSets[${other}]`);
      else member.set(impu, i);
    });
    // TS 23.228 §4.3.3.2: each implicit registration set holds at least one SIP URI.
    if (!irs.publicIdentities.some((impu) => typeof impu === 'string' && impu.startsWith('sip')))
      add(at(p, 'publicIdentities'), 'an implicit registration set must hold at least one SIP URI');
  });
}

function checkUnsignedList(list: unknown, field: string, issues: ValidationIssue[], distinct = false): void {
  if (!Array.isArray(list)) {
    issues.push({ field, message: 'must be an array of integers' });
    return;
  }
  list.forEach((n, i) => {
    if (!isUnsigned(n, 0xffffffff))
      issues.push({ field: at(field, i), message: 'must be an integer 0..4294967295' });
    else if (distinct && list.indexOf(n) !== i)
      issues.push({ field: at(field, i), message: 'is listed twice' });
  });
}

function isSipUri(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    parseSipUri(text);
    return true;
  } catch {
    return false;
  }
}
