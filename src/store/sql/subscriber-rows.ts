/**
 * The mapping between the subscriber model and the rows of the SQL schema (migrations.ts), and
 * the checks made before anything is written. Shared by both backends.
 *
 * DEVIATION: ARCHITECTURE.md lets store/ take only the HSS model's types; this store also runs
 * the model's normalisation and validation (functions/hss) and the identity rules of ims/
 * (wildcard matching, normal form), because INVALID, CONFLICT on the normal form and TS 23.003
 * §13.5 lookups must hold inside the store's transaction, whoever calls it.
 */
import { randomUUID } from 'node:crypto';
import type {
  NewSubscription,
  PrivateIdentity,
  PublicIdentity,
  RegistrationState,
  ServerAssignment,
  Subscription,
} from '../../functions/hss/model.ts';
import { normalizeSubscription, validateSubscription } from '../../functions/hss/subscription-validation.ts';
import { isWildcarded, normalizePublicIdentity } from '../../ims/identity.ts';
import { StoreError } from '../store-error.ts';
import type { SqlParam } from './sql-driver.ts';

export interface SubscriptionRow {
  seq: number;
  id: string;
  data: string;
  scscf_name: string | null;
  scscf_host: string | null;
  scscf_realm: string | null;
}

export interface PrivateIdentityRow {
  impi: string;
  data: string;
  sqn: number;
}

export interface PublicIdentityRow {
  impu: string;
  data: string;
  registration_state: RegistrationState;
  registered_impis: string;
}

/** Provisioned subscription-level data, the JSON of `subscription.data`. */
type SubscriptionData = Pick<
  Subscription,
  'serviceProfiles' | 'implicitRegistrationSets' | 'serverCapabilities' | 'chargingInformation'
>;

/** Normalises and validates; assigns an id when there is none. Throws StoreError INVALID. */
export function prepareSubscription(input: NewSubscription, id?: string): Subscription {
  const normalized = normalizeSubscription(id === undefined ? input : { ...input, id });
  const issues = validateSubscription(normalized);
  if (issues.length > 0) throw StoreError.invalid(issues);
  normalized.id ??= randomUUID();
  return normalized as Subscription;
}

export function subscriptionData(sub: Subscription): string {
  const data: SubscriptionData = { serviceProfiles: sub.serviceProfiles };
  if (sub.implicitRegistrationSets !== undefined)
    data.implicitRegistrationSets = sub.implicitRegistrationSets;
  if (sub.serverCapabilities !== undefined) data.serverCapabilities = sub.serverCapabilities;
  if (sub.chargingInformation !== undefined) data.chargingInformation = sub.chargingInformation;
  return JSON.stringify(data);
}

/** The parameters of an INSERT INTO private_identity (impi, subscription_seq, position, data, sqn). */
export function privateIdentityParams(pi: PrivateIdentity, seq: number, position: number): SqlParam[] {
  const { impi, sqn, ...data } = pi;
  return [impi, seq, position, JSON.stringify(data), sqn ?? 0];
}

/** The parameters of an INSERT INTO public_identity (impu, subscription_seq, position, wildcard, data). */
export function publicIdentityParams(pu: PublicIdentity, seq: number, position: number): SqlParam[] {
  const { impu, registrationState: _s, registeredPrivateIdentities: _r, ...data } = pu;
  return [impu, seq, position, isWildcarded(impu) ? 1 : 0, JSON.stringify(data)];
}

export function toServerAssignment(row: SubscriptionRow): ServerAssignment | undefined {
  if (row.scscf_name === null) return undefined;
  const sa: ServerAssignment = { scscfName: row.scscf_name };
  if (row.scscf_host !== null) sa.diameterHost = row.scscf_host;
  if (row.scscf_realm !== null) sa.diameterRealm = row.scscf_realm;
  return sa;
}

export function toSubscription(
  row: SubscriptionRow,
  privateRows: PrivateIdentityRow[],
  publicRows: PublicIdentityRow[],
): Subscription {
  const data = JSON.parse(row.data) as SubscriptionData;
  const sub: Subscription = {
    id: row.id,
    privateIdentities: privateRows.map((r) => ({ impi: r.impi, ...JSON.parse(r.data), sqn: Number(r.sqn) })),
    publicIdentities: publicRows.map((r) => ({
      impu: r.impu,
      ...JSON.parse(r.data),
      registrationState: r.registration_state,
      registeredPrivateIdentities: JSON.parse(r.registered_impis) as string[],
    })),
    serviceProfiles: data.serviceProfiles,
  };
  if (data.implicitRegistrationSets !== undefined)
    sub.implicitRegistrationSets = data.implicitRegistrationSets;
  if (data.serverCapabilities !== undefined) sub.serverCapabilities = data.serverCapabilities;
  if (data.chargingInformation !== undefined) sub.chargingInformation = data.chargingInformation;
  const sa = toServerAssignment(row);
  if (sa !== undefined) sub.serverAssignment = sa;
  return sub;
}

/** The stored spelling of an identity given by a caller, or undefined when it is not one. */
export function lookupForm(impu: string): string | undefined {
  try {
    return normalizePublicIdentity(impu);
  } catch {
    return undefined;
  }
}

/** `?, ?, ?` for an IN list of `n` values. */
export function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

/** A LIKE pattern matching `text` anywhere, with LIKE's own characters escaped by '\'. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Opaque page cursor: the last subscription sequence number of the page. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString();
  const seq = /^s[0-9]{1,15}$/.test(text) ? Number(text.slice(1)) : Number.NaN;
  if (!Number.isSafeInteger(seq))
    throw new StoreError('INVALID', 'not a cursor of this store', { field: 'cursor' });
  return seq;
}
