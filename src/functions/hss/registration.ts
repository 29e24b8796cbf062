/**
 * The registration bookkeeping of TS 29.228 §6.1.2 (Server-Assignment) as a pure function over
 * a RegistrationView, to run inside `SubscriberStore.updateRegistration` so that the state of
 * every IMPU of the set and the S-CSCF name change together.
 */
import type { ImpuRegistration, RegistrationState, RegistrationView, ServerAssignment } from './model.ts';

export interface RegistrationChange {
  /** The state the IMPUs go to (for NOT_REGISTERED with an IMPI: unless other IMPIs remain). */
  state: RegistrationState;
  /** The IMPI registering or de-registering; absent: all of them (administrative de-registration). */
  privateIdentity?: string;
  /** The S-CSCF now serving the subscription (REGISTERED, UNREGISTERED). */
  serverAssignment?: ServerAssignment;
  /** TS 29.229 *_DEREGISTRATION_STORE_SERVER_NAME: keep the S-CSCF name once nothing is registered. */
  keepServerName?: boolean;
}

/**
 * The view after `change` is applied to `impus` (usually an implicit registration set):
 * - REGISTERED: each IMPU is REGISTERED and records the IMPI;
 * - UNREGISTERED: each IMPU is UNREGISTERED (S-CSCF assigned for unregistered services);
 * - NOT_REGISTERED: the IMPI (or every IMPI) is removed; an IMPU still registered by another
 *   IMPI stays REGISTERED (TS 29.228 §6.1.2.1, shared public identities).
 * The S-CSCF assignment is set when given, and cleared when no public identity of the
 * subscription is REGISTERED or UNREGISTERED any more, unless `keepServerName`.
 */
export function applyRegistration(
  view: RegistrationView,
  impus: readonly string[],
  change: RegistrationChange,
): RegistrationView {
  const targets = new Set(impus);
  const publicIdentities = view.publicIdentities.map((r): ImpuRegistration => {
    if (!targets.has(r.impu)) return r;
    const impi = change.privateIdentity;
    switch (change.state) {
      case 'REGISTERED': {
        const registered =
          impi === undefined || r.registeredPrivateIdentities.includes(impi)
            ? r.registeredPrivateIdentities
            : [...r.registeredPrivateIdentities, impi];
        return { impu: r.impu, registrationState: 'REGISTERED', registeredPrivateIdentities: registered };
      }
      case 'UNREGISTERED':
        return { impu: r.impu, registrationState: 'UNREGISTERED', registeredPrivateIdentities: [] };
      default: {
        const remaining = impi === undefined ? [] : r.registeredPrivateIdentities.filter((p) => p !== impi);
        return remaining.length > 0 && r.registrationState === 'REGISTERED'
          ? { impu: r.impu, registrationState: 'REGISTERED', registeredPrivateIdentities: remaining }
          : { impu: r.impu, registrationState: 'NOT_REGISTERED', registeredPrivateIdentities: [] };
      }
    }
  });
  const next: RegistrationView = { subscriptionId: view.subscriptionId, publicIdentities };
  const assignment = change.serverAssignment ?? view.serverAssignment;
  const inUse = publicIdentities.some((r) => r.registrationState !== 'NOT_REGISTERED');
  if (assignment !== undefined && (inUse || change.keepServerName)) next.serverAssignment = assignment;
  return next;
}
