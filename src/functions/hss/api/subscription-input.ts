/**
 * From request bodies to the subscriber model: the short form of ARCHITECTURE.md §7 through
 * `newSubscription`, the whole model with `{ "set": true }` secrets taken from the stored
 * subscription, and the credentials of one private identity. Issues are named after the
 * fields of the request, not of the model it became (`k`, not `privateIdentities[0].k`).
 */
import {
  defaultPrivateIdentity,
  normalizePublicIdentity,
  privateIdentityRealm,
} from '../../../ims/identity.ts';
import type { ValidationIssue } from '../../../ims/validation.ts';
import { StoreError } from '../../../store/store-error.ts';
import type { NewSubscription, PrivateIdentity, Subscription } from '../model.ts';
import { newSubscription, type SubscriberOptions } from '../subscriber-defaults.ts';
import { ApiError, fromStoreError, parseOr400 } from './api-error.ts';
import { generatePassword } from './generated-password.ts';
import { SECRET_FIELDS, SubscriptionInput } from './model-schemas.ts';
import {
  type PrivateIdentityCredentials,
  SubscriberInput,
  type SubscriberInput as SubscriberInputType,
} from './resource-schemas.ts';

/** Renames a field of the model to the field of the request it came from. */
export type FieldNames = (modelField: string) => string;

export interface SubscriptionRequest {
  subscription: NewSubscription;
  fieldNames: FieldNames;
  /** True for the short form (a body with `impu`). */
  shortForm: boolean;
  /** The password the HSS made up (a create in the short form without password or k): shown once. */
  generatedPassword?: string;
}

/** How a body becomes a subscription, beyond what the body says. */
export interface ShortFormDefaults {
  /** The HSS's home realm: the IMPI of a tel IMPU defaults to `<number>@<homeRealm>`. */
  homeRealm?: string | undefined;
  /** Make up a password when neither a password nor k is given (creates; a PUT must say). */
  generatePassword?: boolean;
}

const sameNames: FieldNames = (f) => f;

const SHORT_FORM_FIELDS: [RegExp, string][] = [
  [/^privateIdentities\[0\]\.(k|opc|op|amf|impi)$/, '$1'],
  [/^privateIdentities\[0\]\.(ha1Md5|ha1Sha256)$/, 'password'],
  [/^privateIdentities\[0\]\.digestRealm$/, 'realm'],
  [/^publicIdentities\[0\]\.impu$/, 'impu'],
  [/^publicIdentities\[0\]\.displayName$/, 'displayName'],
  [/^publicIdentities\[1\]\.impu$/, 'tel'],
  [/^implicitRegistrationSets\[0\]\.publicIdentities\[1\]$/, 'tel'],
  [/^serviceProfiles\[0\]\.initialFilterCriteria/, 'initialFilterCriteria'],
];

const shortFormNames: FieldNames = (field) => {
  for (const [re, name] of SHORT_FORM_FIELDS) if (re.test(field)) return field.replace(re, name);
  return field;
};

/** A tel IMPU and its SIP form (publicIdentities[1] and [0]) are both the request's `impu`. */
const telImpuNames: FieldNames = (field) =>
  shortFormNames(field.replace(/^publicIdentities\[1\]\.impu$/, 'publicIdentities[0].impu'));

/** Field names relative to one part of the subscription (`publicIdentities[2].`), others as they are. */
export function scopedNames(prefix: string, rename: FieldNames = sameNames): FieldNames {
  return (field) => (field.startsWith(prefix) ? rename(field.slice(prefix.length)) : field);
}

/** A StoreError (INVALID, CONFLICT) with its fields renamed, as the API's error. */
export function renameFields(err: unknown, names: FieldNames): unknown {
  if (!(err instanceof StoreError) || (err.code !== 'INVALID' && err.code !== 'CONFLICT')) return err;
  const issues = err.issues.map((i) => ({ field: names(i.field), message: i.message }));
  if (err.code === 'INVALID') return ApiError.unprocessable(issues);
  if (err.field === undefined) return fromStoreError(err);
  const field = names(err.field);
  return new ApiError(409, `${field}: ${err.message}`, { issues, field });
}

function normalizeOrIssue(text: string, field: string, issues: ValidationIssue[]): string | undefined {
  try {
    return normalizePublicIdentity(text);
  } catch (err) {
    issues.push({ field, message: (err as Error).message });
    return undefined;
  }
}

/** Credentials checks shared by the short form and the private-identity resource. */
function checkCredentials(
  c: { password?: string | undefined; k?: unknown; opc?: unknown; op?: unknown; amf?: unknown },
  issues: ValidationIssue[],
  passwordOptional = false,
): void {
  if (c.password === undefined && c.k === undefined && !passwordOptional)
    issues.push({ field: 'password', message: 'give a password (SIP Digest) or k (AKA), or both' });
  if (c.k === undefined)
    for (const f of ['opc', 'op', 'amf'] as const)
      if (c[f] !== undefined) issues.push({ field: f, message: 'is for AKA: give k as well' });
}

export interface ShortFormSubscription {
  subscription: NewSubscription;
  generatedPassword?: string;
  /** The IMPU was a tel URI: it is the second public identity, after its SIP form. */
  telImpu: boolean;
}

/**
 * The subscription of the short form, with the ARCHITECTURE.md §7 defaults: the IMPI derived
 * from the IMPU (a tel IMPU's number at the home realm), and, when `defaults.generatePassword`
 * and neither a password nor k is given, SIP Digest with a password the HSS makes up (returned
 * here, its HA1 stored). Throws a 422.
 */
export function fromShortForm(
  input: SubscriberInputType,
  defaults: ShortFormDefaults = {},
): ShortFormSubscription {
  const issues: ValidationIssue[] = [];
  const impu = normalizeOrIssue(input.impu, 'impu', issues);
  if (input.tel !== undefined)
    normalizeOrIssue(input.tel.startsWith('tel:') ? input.tel : `tel:${input.tel}`, 'tel', issues);
  checkCredentials(input, issues, defaults.generatePassword === true);
  if (issues.length > 0) throw ApiError.unprocessable(issues);
  const options: SubscriberOptions = { impu: input.impu };
  for (const f of ['impi', 'password', 'realm', 'k', 'opc', 'op', 'amf', 'tel', 'displayName'] as const)
    if (input[f] !== undefined) options[f] = input[f];
  if (input.initialFilterCriteria !== undefined)
    options.initialFilterCriteria = input.initialFilterCriteria as SubscriberOptions['initialFilterCriteria'];
  let telImpu = false;
  if (impu?.startsWith('tel:')) {
    // A tel IMPU alone: its IMPI is the number at the home realm (or the realm given), and,
    // TS 23.228 §4.3.3.2 asking for a SIP URI per user, its SIP form at that realm is the
    // default public identity, the tel URI registered with it (its "tel" of the short form).
    const realm =
      input.realm ??
      defaults.homeRealm ??
      (input.impi !== undefined ? privateIdentityRealm(input.impi) : undefined);
    if (realm === undefined)
      throw ApiError.unprocessable([
        { field: 'impi', message: 'a tel identity needs a realm to form an IMPI: give impi' },
      ]);
    if (input.tel !== undefined)
      throw ApiError.unprocessable([
        {
          field: 'tel',
          message: 'the IMPU is a tel URI already: give a SIP IMPU with tel, or the tel URI alone',
        },
      ]);
    const number = impu.slice('tel:'.length).split(';')[0];
    options.impi ??= defaultPrivateIdentity(impu, realm);
    options.impu = `sip:${number}@${realm};user=phone`;
    options.tel = impu;
    telImpu = true;
  }
  let generatedPassword: string | undefined;
  if (defaults.generatePassword && input.password === undefined && input.k === undefined) {
    generatedPassword = generatePassword();
    options.password = generatedPassword;
  }
  let subscription: NewSubscription;
  try {
    subscription = newSubscription(options);
  } catch (err) {
    // The IMPU and tel were checked above: what is left is deriving the IMPI.
    throw ApiError.unprocessable([{ field: 'impi', message: `${(err as Error).message}: give impi` }]);
  }
  return { subscription, telImpu, ...(generatedPassword !== undefined ? { generatedPassword } : {}) };
}

/**
 * The subscription a POST or PUT body describes: the short form (a body with `impu`) or the
 * whole model. `stored` (PUT) provides the secrets a `{ "set": true }` keeps; without it (a
 * create) a short form without credentials gets a generated password.
 */
export function subscriptionFromBody(
  body: unknown,
  stored?: Subscription,
  defaults: Pick<ShortFormDefaults, 'homeRealm'> = {},
): SubscriptionRequest {
  const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
  if (isObject && 'impu' in body && !('publicIdentities' in body)) {
    const input = parseOr400(SubscriberInput, body);
    const { subscription, generatedPassword, telImpu } = fromShortForm(input, {
      homeRealm: defaults.homeRealm,
      generatePassword: stored === undefined,
    });
    if (stored !== undefined) subscription.id = stored.id;
    return {
      subscription,
      fieldNames: telImpu ? telImpuNames : shortFormNames,
      shortForm: true,
      ...(generatedPassword !== undefined ? { generatedPassword } : {}),
    };
  }
  if (!isObject)
    throw ApiError.badRequest([{ field: '', message: 'must be a JSON object (SubscriptionRequest)' }]);
  const input = parseOr400(SubscriptionInput, body);
  return { subscription: keepSecrets(input, stored), fieldNames: sameNames, shortForm: false };
}

/** Replaces each `{ "set": true }` by the stored secret of the same IMPI. Throws a 422. */
function keepSecrets(input: SubscriptionInput, stored: Subscription | undefined): NewSubscription {
  const issues: ValidationIssue[] = [];
  const privateIdentities = (input.privateIdentities ?? []).map((pi, i) => {
    const out: Record<string, unknown> = { ...pi };
    const old = stored?.privateIdentities.find((p) => p.impi === pi.impi);
    for (const f of SECRET_FIELDS) {
      if (typeof pi[f] !== 'object') continue;
      const kept = old?.[f];
      if (kept !== undefined) out[f] = kept;
      else
        issues.push({
          field: `privateIdentities[${i}].${f}`,
          message: stored
            ? `no stored value to keep: ${pi.impi} has no ${f}`
            : '{ "set": true } keeps a stored value on update: give the value',
        });
    }
    return out as unknown as PrivateIdentity;
  });
  if (issues.length > 0) throw ApiError.unprocessable(issues);
  const sub = { ...input, privateIdentities } as NewSubscription;
  if (stored !== undefined) {
    if (input.id !== undefined && input.id !== stored.id)
      throw ApiError.unprocessable([
        { field: 'id', message: `is ${stored.id}: a subscription keeps its id` },
      ]);
    sub.id = stored.id;
  }
  return sub;
}

/**
 * A private identity from its credentials, as `ims subscriber add` would make it; `{ "set": true }`
 * keeps the stored K, OPc or OP of `stored`. `impu` is any public identity of the subscription.
 * Throws a 422 with the fields of the credentials.
 */
export function privateIdentityFromCredentials(
  c: PrivateIdentityCredentials,
  impi: string,
  impu: string,
  stored: PrivateIdentity | undefined,
): PrivateIdentity {
  const issues: ValidationIssue[] = [];
  checkCredentials(c, issues);
  const secret = (f: 'k' | 'opc' | 'op'): string | undefined => {
    const v = c[f];
    if (typeof v !== 'object') return v;
    const kept = stored?.[f];
    if (kept === undefined)
      issues.push({ field: f, message: `no stored value to keep: ${impi} has no ${f}` });
    return kept;
  };
  const options: SubscriberOptions = { impu, impi };
  const k = secret('k');
  const opc = secret('opc');
  const op = secret('op');
  if (issues.length > 0) throw ApiError.unprocessable(issues);
  if (k !== undefined) options.k = k;
  if (opc !== undefined) options.opc = opc;
  if (op !== undefined) options.op = op;
  if (c.password !== undefined) options.password = c.password;
  if (c.realm !== undefined) options.realm = c.realm;
  if (c.amf !== undefined) options.amf = c.amf;
  const pi = newSubscription(options).privateIdentities[0]!;
  if (c.publicIdentities !== undefined) pi.publicIdentities = c.publicIdentities;
  if (stored?.sqn !== undefined) pi.sqn = stored.sqn;
  return pi;
}
