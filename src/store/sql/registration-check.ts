import type { ImpuRegistration, RegistrationState, RegistrationView } from '../../functions/hss/model.ts';
import { isPrintable } from '../../ims/validation.ts';
import { StoreError } from '../store-error.ts';

const STATES: readonly RegistrationState[] = ['NOT_REGISTERED', 'REGISTERED', 'UNREGISTERED'];

/**
 * What `updateRegistration` writes, from what its function returned: the entries it gives
 * replace those of the same IMPU, the others stay; anything not of this subscription, or not a
 * valid state, is refused (INVALID) and nothing is written.
 */
export function checkRegistrationView(current: RegistrationView, next: RegistrationView): RegistrationView {
  const invalid = (field: string, message: string) =>
    new StoreError('INVALID', `updateRegistration: ${field} ${message}`, { field });
  if (next === null || typeof next !== 'object' || typeof (next as { then?: unknown }).then === 'function')
    throw invalid('result', 'must be a RegistrationView returned synchronously');
  if (next.subscriptionId !== current.subscriptionId) throw invalid('subscriptionId', 'must not change');
  const given = new Map<string, ImpuRegistration>();
  (Array.isArray(next.publicIdentities) ? next.publicIdentities : []).forEach((r, i) => {
    const field = `publicIdentities[${i}]`;
    if (!current.publicIdentities.some((c) => c.impu === r?.impu))
      throw invalid(`${field}.impu`, 'is not of this subscription');
    if (!STATES.includes(r.registrationState))
      throw invalid(`${field}.registrationState`, `must be one of ${STATES.join(', ')}`);
    if (
      !Array.isArray(r.registeredPrivateIdentities) ||
      !r.registeredPrivateIdentities.every((p) => typeof p === 'string')
    )
      throw invalid(`${field}.registeredPrivateIdentities`, 'must be an array of IMPIs');
    given.set(r.impu, {
      impu: r.impu,
      registrationState: r.registrationState,
      registeredPrivateIdentities: [...new Set(r.registeredPrivateIdentities)],
    });
  });
  const result: RegistrationView = {
    subscriptionId: current.subscriptionId,
    publicIdentities: current.publicIdentities.map((c) => given.get(c.impu) ?? c),
  };
  const sa = next.serverAssignment;
  if (sa !== undefined) {
    if (sa === null || typeof sa !== 'object' || !isPrintable(sa.scscfName, 1024))
      throw invalid('serverAssignment.scscfName', 'must be a non-empty string');
    for (const f of ['diameterHost', 'diameterRealm'] as const)
      if (sa[f] !== undefined && !isPrintable(sa[f], 255))
        throw invalid(`serverAssignment.${f}`, 'must be a non-empty string');
    result.serverAssignment = {
      scscfName: sa.scscfName,
      ...(sa.diameterHost !== undefined ? { diameterHost: sa.diameterHost } : {}),
      ...(sa.diameterRealm !== undefined ? { diameterRealm: sa.diameterRealm } : {}),
    };
  }
  return result;
}
