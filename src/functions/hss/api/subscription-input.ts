/**
 * From request bodies to the subscriber model: the short form of ARCHITECTURE.md §7 through
 * `newSubscription`, the whole model with `{ "set": true }` secrets taken from the stored
 * subscription, and the credentials of one private identity. Issues are named after the
 * fields of the request, not of the model it became (`k`, not `privateIdentities[0].k`).
 */
import { normalizePublicIdentity } from '../../../ims/identity.ts';
import type { ValidationIssue } from '../../../ims/validation.ts';
import { StoreError } from '../../../store/store-error.ts';
import type { NewSubscription, PrivateIdentity, Subscription } from '../model.ts';
import { newSubscription, type SubscriberOptions } from '../subscriber-defaults.ts';
import { ApiError, fromStoreError, parseOr400 } from './api-error.ts';
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
): void {
  if (c.password === undefined && c.k === undefined)
    issues.push({ field: 'password', message: 'give a password (SIP Digest) or k (AKA), or both' });
  if (c.k === undefined)
    for (const f of ['opc', 'op', 'amf'] as const)
      if (c[f] !== undefined) issues.push({ field: f, message: 'is for AKA: give k as well' });
}

/** The subscription of the short form, with ARCHITECTURE.md §7 defaults. Throws a 422. */
export function fromShortForm(input: SubscriberInputType): NewSubscription {
  const issues: ValidationIssue[] = [];
  normalizeOrIssue(input.impu, 'impu', issues);
  if (input.tel !== undefined)
    normalizeOrIssue(input.tel.startsWith('tel:') ? input.tel : `tel:${input.tel}`, 'tel', issues);
  checkCredentials(input, issues);
  if (issues.length > 0) throw ApiError.unprocessable(issues);
  const options: SubscriberOptions = { impu: input.impu };
  for (const f of ['impi', 'password', 'realm', 'k', 'opc', 'op', 'amf', 'tel', 'displayName'] as const)
    if (input[f] !== undefined) options[f] = input[f];
  if (input.initialFilterCriteria !== undefined)
    options.initialFilterCriteria = input.initialFilterCriteria as SubscriberOptions['initialFilterCriteria'];
  try {
    return newSubscription(options);
  } catch (err) {
    // The IMPU and tel were checked above: what is left is deriving the IMPI.
    throw ApiError.unprocessable([{ field: 'impi', message: `${(err as Error).message}: give impi` }]);
  }
}

/**
 * The subscription a POST or PUT body describes: the short form (a body with `impu`) or the
 * whole model. `stored` (PUT) provides the secrets a `{ "set": true }` keeps.
 */
export function subscriptionFromBody(body: unknown, stored?: Subscription): SubscriptionRequest {
  const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
  if (isObject && 'impu' in body && !('publicIdentities' in body)) {
    const input = parseOr400(SubscriberInput, body);
    const subscription = fromShortForm(input);
    if (stored !== undefined) subscription.id = stored.id;
    return { subscription, fieldNames: shortFormNames, shortForm: true };
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
