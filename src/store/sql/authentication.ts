/**
 * `updateAuthentication`: the read-modify-write of a MAR (TS 29.228 §6.3.1) in one transaction,
 * so that the HSS answers a MAR with one store call. It reads the private identity (SQN_HE), the
 * S-CSCF assignment of its subscription and the registration of the public identity asked
 * about; it writes the new SQN_HE and, when it changed, the S-CSCF assignment.
 */
import type { RegistrationState, ServerAssignment } from '../../functions/hss/model.ts';
import { MAX_SQN } from '../../functions/hss/model.ts';
import { StoreError } from '../store-error.ts';
import type { AuthenticationState, AuthenticationUpdate } from '../subscriber-store.ts';
import { checkRegistrationView } from './registration-check.ts';
import type { SqlDriver } from './sql-driver.ts';
import { lookupForm, type SubscriptionRow, toServerAssignment } from './subscriber-rows.ts';

interface AuthenticationRow extends Pick<SubscriptionRow, 'scscf_name' | 'scscf_host' | 'scscf_realm'> {
  impi: string;
  data: string;
  sqn: number;
  seq: number;
  subscription_id: string;
}

interface PublicIdentityStateRow {
  impu: string;
  seq: number;
  registration_state: RegistrationState;
  registered_impis: string;
}

export function updateAuthentication<T>(
  driver: SqlDriver,
  impi: string,
  impu: string,
  fn: (state: AuthenticationState) => AuthenticationUpdate<T>,
): Promise<T> {
  const key = lookupForm(impu);
  return driver.transaction(async (tx) => {
    // Both rows locked: the SQN is read-modify-write, and the S-CSCF name may be rewritten.
    const row = await tx.get<AuthenticationRow>(
      'SELECT p.impi, p.data, p.sqn, p.subscription_seq AS seq, s.id AS subscription_id,' +
        ' s.scscf_name, s.scscf_host, s.scscf_realm FROM private_identity p' +
        ` JOIN subscription s ON s.seq = p.subscription_seq WHERE p.impi = ?${driver.lockClause('p, s')}`,
      [impi],
    );
    if (row === undefined)
      throw new StoreError('NOT_FOUND', `no private identity ${impi}`, { field: 'impi' });
    const seq = Number(row.seq);
    const sqn = Number(row.sqn);
    const state: AuthenticationState = {
      impi: row.impi,
      ...JSON.parse(row.data),
      sqn,
      subscriptionId: row.subscription_id,
    };
    const current = toServerAssignment({ ...row, seq, id: row.subscription_id, data: '' });
    if (current !== undefined) state.serverAssignment = current;
    const pu =
      key === undefined
        ? undefined
        : await tx.get<PublicIdentityStateRow>(
            'SELECT impu, subscription_seq AS seq, registration_state, registered_impis FROM public_identity WHERE impu = ?',
            [key],
          );
    if (pu !== undefined && Number(pu.seq) === seq)
      state.publicIdentity = {
        impu: pu.impu,
        registrationState: pu.registration_state,
        registeredPrivateIdentities: JSON.parse(pu.registered_impis) as string[],
      };

    const update = fn(state);
    if (
      update === null ||
      typeof update !== 'object' ||
      typeof (update as { then?: unknown }).then === 'function'
    )
      throw new StoreError('INVALID', 'updateAuthentication: fn must synchronously return { sqn?, result }');
    if (update.sqn !== undefined && update.sqn !== sqn) {
      if (!Number.isSafeInteger(update.sqn) || update.sqn < 0 || update.sqn > MAX_SQN)
        throw new StoreError('INVALID', `SQN ${update.sqn} is not 0..2^48-1`, { field: 'sqn' });
      await tx.run('UPDATE private_identity SET sqn = ? WHERE impi = ?', [update.sqn, row.impi]);
    }
    if (update.serverAssignment !== undefined) {
      const sa = checkedAssignment(row.subscription_id, update.serverAssignment);
      if (JSON.stringify(sa) !== JSON.stringify(current))
        await tx.run(
          'UPDATE subscription SET scscf_name = ?, scscf_host = ?, scscf_realm = ? WHERE seq = ?',
          [sa.scscfName, sa.diameterHost ?? null, sa.diameterRealm ?? null, seq],
        );
    }
    return update.result;
  });
}

/** The assignment as `updateRegistration` would store it (INVALID when it is not one). */
function checkedAssignment(subscriptionId: string, sa: ServerAssignment): ServerAssignment {
  const view = { subscriptionId, publicIdentities: [] };
  const checked = checkRegistrationView(view, { ...view, serverAssignment: sa }).serverAssignment;
  if (checked === undefined)
    throw new StoreError('INVALID', 'updateAuthentication: serverAssignment', { field: 'serverAssignment' });
  return checked;
}
