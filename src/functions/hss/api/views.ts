/**
 * What the API returns of stored data. The store hands out secrets (the Cx application needs
 * them); the API never does: each secret present becomes `{ "set": true }`.
 */
import {
  implicitRegistrationSetOf,
  type PrivateIdentity,
  type RegistrationState,
  type Subscription,
} from '../model.ts';
import { SECRET_FIELDS } from './model-schemas.ts';

export type SecretMarker = { set: true };

/** A copy of `subscription` whose K, OPc, OP and HA1 values are replaced by `{ "set": true }`. */
export function redactSubscription(subscription: Subscription): Record<string, unknown> {
  return { ...subscription, privateIdentities: subscription.privateIdentities.map(redactPrivateIdentity) };
}

/** A copy of `pi` whose secrets are replaced by `{ "set": true }`. */
export function redactPrivateIdentity(pi: PrivateIdentity): Record<string, unknown> {
  const out: Record<string, unknown> = { ...pi };
  for (const f of SECRET_FIELDS) if (out[f] !== undefined) out[f] = { set: true } satisfies SecretMarker;
  return out;
}

/** True when an S-CSCF holds the user's profile (REGISTERED or UNREGISTERED): a change needs a PPR. */
export function servedByScscf(subscription: Subscription): boolean {
  return (
    subscription.serverAssignment !== undefined &&
    subscription.publicIdentities.some((p) => (p.registrationState ?? 'NOT_REGISTERED') !== 'NOT_REGISTERED')
  );
}

/** The registration view of `impu` (the stored spelling) in its subscription. */
export function registrationOf(subscription: Subscription, impu: string) {
  const state = (s: RegistrationState | undefined): RegistrationState => s ?? 'NOT_REGISTERED';
  const own = subscription.publicIdentities.find((p) => p.impu === impu);
  return {
    impu,
    subscriptionId: subscription.id,
    registrationState: state(own?.registrationState),
    implicitRegistrationSet: implicitRegistrationSetOf(subscription, impu),
    ...(subscription.serverAssignment ? { serverAssignment: subscription.serverAssignment } : {}),
    publicIdentities: subscription.publicIdentities.map((p) => ({
      impu: p.impu,
      registrationState: state(p.registrationState),
      registeredPrivateIdentities: p.registeredPrivateIdentities ?? [],
    })),
  };
}
