/**
 * The rows of one subscription (subscription, private_identity, public_identity): how they are
 * written, read back and replaced, and which identities are already taken.
 */
import type { Subscription } from '../../functions/hss/model.ts';
import { StoreError } from '../store-error.ts';
import type { SqlDriver, SqlExecutor } from './sql-driver.ts';
import {
  type PrivateIdentityRow,
  type PublicIdentityRow,
  placeholders,
  privateIdentityParams,
  publicIdentityParams,
  type SubscriptionRow,
  subscriptionData,
  toSubscription,
} from './subscriber-rows.ts';

export const SUBSCRIPTION_COLUMNS = 'seq, id, data, scscf_name, scscf_host, scscf_realm';
const INSERT_PRIVATE =
  'INSERT INTO private_identity (impi, subscription_seq, position, data, sqn) VALUES (?, ?, ?, ?, ?)';
const INSERT_PUBLIC =
  'INSERT INTO public_identity (impu, subscription_seq, position, wildcard, data) VALUES (?, ?, ?, ?, ?)';

export class SubscriptionTables {
  constructor(private readonly driver: SqlDriver) {}

  /**
   * Makes the identity rows of subscription `seq` those of `sub`: kept ones are updated in
   * place (their SQN and registration columns untouched), new ones inserted, others deleted.
   */
  async replaceIdentities(tx: SqlExecutor, seq: number, sub: Subscription): Promise<void> {
    const oldImpis = new Set(
      (
        await tx.all<{ impi: string }>('SELECT impi FROM private_identity WHERE subscription_seq = ?', [seq])
      ).map((r) => r.impi),
    );
    for (const [i, pi] of sub.privateIdentities.entries()) {
      const [impi, , position, data, sqn] = privateIdentityParams(pi, seq, i);
      // The SQN of a kept IMPI is runtime state: provisioning never moves it.
      if (oldImpis.delete(pi.impi))
        await tx.run('UPDATE private_identity SET position = ?, data = ? WHERE impi = ?', [
          position!,
          data!,
          impi!,
        ]);
      else await tx.run(INSERT_PRIVATE, [impi!, seq, position!, data!, sqn!]);
    }
    for (const impi of oldImpis) await tx.run('DELETE FROM private_identity WHERE impi = ?', [impi]);
    const oldImpus = new Set(
      (
        await tx.all<{ impu: string }>('SELECT impu FROM public_identity WHERE subscription_seq = ?', [seq])
      ).map((r) => r.impu),
    );
    for (const [i, pu] of sub.publicIdentities.entries()) {
      const params = publicIdentityParams(pu, seq, i);
      if (oldImpus.delete(pu.impu))
        await tx.run('UPDATE public_identity SET position = ?, wildcard = ?, data = ? WHERE impu = ?', [
          params[2]!,
          params[3]!,
          params[4]!,
          pu.impu,
        ]);
      else await tx.run(INSERT_PUBLIC, params);
    }
    for (const impu of oldImpus) await tx.run('DELETE FROM public_identity WHERE impu = ?', [impu]);
  }

  /**
   * Writes the rows of a new (prepared) subscription; returns its sequence number. When an
   * identity row fails where the transaction survives it (SQLite), the rows written for this
   * subscription are removed before the error is thrown, so the transaction may go on.
   */
  async insert(tx: SqlExecutor, sub: Subscription): Promise<number> {
    const now = Date.now();
    const row = await tx.get<{ seq: number }>(
      'INSERT INTO subscription (id, data, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING seq',
      [sub.id, subscriptionData(sub), now, now],
    );
    const seq = Number(row!.seq);
    try {
      for (const [i, pi] of sub.privateIdentities.entries())
        await tx.run(INSERT_PRIVATE, privateIdentityParams(pi, seq, i));
      for (const [i, pu] of sub.publicIdentities.entries())
        await tx.run(INSERT_PUBLIC, publicIdentityParams(pu, seq, i));
    } catch (err) {
      // ON DELETE CASCADE takes the identity rows already written.
      if (this.driver.statementRollback) await tx.run('DELETE FROM subscription WHERE seq = ?', [seq]);
      throw err;
    }
    return seq;
  }

  async load(tx: SqlExecutor, seq: number): Promise<Subscription | undefined> {
    const row = await tx.get<SubscriptionRow>(
      `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscription WHERE seq = ?`,
      [seq],
    );
    if (row === undefined) return undefined;
    const privateRows = await tx.all<PrivateIdentityRow>(
      'SELECT impi, data, sqn FROM private_identity WHERE subscription_seq = ? ORDER BY position',
      [seq],
    );
    const publicRows = await tx.all<PublicIdentityRow>(
      'SELECT impu, data, registration_state, registered_impis FROM public_identity WHERE subscription_seq = ? ORDER BY position',
      [seq],
    );
    return toSubscription(row, privateRows, publicRows);
  }

  /** CONFLICT, naming the field, when an identity or the id of `sub` belongs to another subscription. */
  async checkIdentitiesFree(tx: SqlExecutor, sub: Subscription, ownSeq: number | undefined): Promise<void> {
    const taken = (rows: { key: string; seq: number; id: string }[], key: string) =>
      rows.find((r) => r.key === key && Number(r.seq) !== ownSeq);
    const idRow = await tx.get<{ seq: number }>('SELECT seq FROM subscription WHERE id = ?', [sub.id]);
    if (idRow !== undefined && Number(idRow.seq) !== ownSeq)
      throw new StoreError('CONFLICT', `subscription id ${sub.id} is taken`, { field: 'id' });
    const impis = sub.privateIdentities.map((p) => p.impi);
    if (impis.length > 0) {
      const rows = await tx.all<{ key: string; seq: number; id: string }>(
        `SELECT p.impi AS key, p.subscription_seq AS seq, s.id FROM private_identity p JOIN subscription s ON s.seq = p.subscription_seq WHERE p.impi IN (${placeholders(impis.length)})`,
        impis,
      );
      for (const [i, impi] of impis.entries()) {
        const other = taken(rows, impi);
        if (other)
          throw new StoreError('CONFLICT', `${impi} already belongs to subscription ${other.id}`, {
            field: `privateIdentities[${i}].impi`,
          });
      }
    }
    const impus = sub.publicIdentities.map((p) => p.impu);
    const rows = await tx.all<{ key: string; seq: number; id: string }>(
      `SELECT p.impu AS key, p.subscription_seq AS seq, s.id FROM public_identity p JOIN subscription s ON s.seq = p.subscription_seq WHERE p.impu IN (${placeholders(impus.length)})`,
      impus,
    );
    for (const [i, impu] of impus.entries()) {
      const other = taken(rows, impu);
      if (other)
        throw new StoreError('CONFLICT', `${impu} already belongs to subscription ${other.id}`, {
          field: `publicIdentities[${i}].impu`,
        });
    }
  }

  /** After a failed insert in a bulk import: the CONFLICT with its field when that is what happened. */
  async explainInsertFailure(tx: SqlExecutor, sub: Subscription, err: unknown): Promise<Error> {
    if (this.driver.classify(err) === 'unique') {
      try {
        await this.checkIdentitiesFree(tx, sub, undefined);
      } catch (conflict) {
        return conflict as Error;
      }
      return new StoreError('CONFLICT', 'an identity is already taken', { cause: err });
    }
    return err as Error;
  }
}
