/**
 * The Sh side of the store (repository data, subscriptions to notifications) and the
 * definitions shared by all subscribers (shared iFC sets, application servers).
 */
import type {
  ApplicationServerDefinition,
  RepositoryData,
  SharedIfcSet,
  ShSubscription,
} from '../../functions/hss/model.ts';
import { validateApplicationServer, validateInitialFilterCriteriaList } from '../../ims/ifc/model.ts';
import { at, isPrintable, isUnsigned, type ValidationIssue } from '../../ims/validation.ts';
import { StoreError } from '../store-error.ts';
import type { RepositoryDataUpdate, ShSubscriptionKey } from '../subscriber-store.ts';
import type { SqlDriver } from './sql-driver.ts';
import { lookupForm } from './subscriber-rows.ts';

/** TS 29.328 §6.1.2.1: Sequence-Number is 0..65535; after 65535 comes 1 (0 means "new"). */
const MAX_SEQUENCE = 65535;

/** The Sequence-Number an update of repository data stored with `current` must carry. */
export function nextRepositorySequenceNumber(current: number): number {
  return current >= MAX_SEQUENCE ? 1 : current + 1;
}

interface RepositoryRow {
  service_indication: string;
  sequence_number: number;
  data: string;
}

interface ShSubscriptionRow {
  impu: string;
  as_host: string;
  data_reference: number;
  service_indications: string;
  expires_at: number | null;
}

export class ServiceDataTables {
  constructor(private readonly driver: SqlDriver) {}

  async getRepositoryData(impu: string, serviceIndication: string): Promise<RepositoryData | undefined> {
    const row = await this.driver.get<RepositoryRow>(
      'SELECT service_indication, sequence_number, data FROM repository_data WHERE impu = ? AND service_indication = ?',
      [lookupForm(impu) ?? impu, serviceIndication],
    );
    return row && toRepositoryData(row);
  }

  async listRepositoryData(impu: string): Promise<RepositoryData[]> {
    const rows = await this.driver.all<RepositoryRow>(
      'SELECT service_indication, sequence_number, data FROM repository_data WHERE impu = ? ORDER BY service_indication',
      [lookupForm(impu) ?? impu],
    );
    return rows.map(toRepositoryData);
  }

  updateRepositoryData(impu: string, update: RepositoryDataUpdate): Promise<RepositoryData | undefined> {
    const issues: ValidationIssue[] = [];
    if (!isPrintable(update?.serviceIndication, 255))
      issues.push({ field: 'serviceIndication', message: 'must be a non-empty string' });
    if (!isUnsigned(update?.sequenceNumber, MAX_SEQUENCE))
      issues.push({ field: 'sequenceNumber', message: 'must be an integer 0..65535' });
    if (update?.data !== undefined && typeof update.data !== 'string')
      issues.push({ field: 'data', message: 'must be a string, or absent to delete' });
    if (issues.length > 0) return Promise.reject(StoreError.invalid(issues, 'repository data'));
    const key = lookupForm(impu) ?? impu;
    const { serviceIndication, sequenceNumber, data } = update;
    const outOfSync = (expected: number) =>
      new StoreError(
        'OUT_OF_SYNC',
        `Sequence-Number ${sequenceNumber} for ${serviceIndication}, expected ${expected}`,
        {
          field: 'sequenceNumber',
        },
      );
    return this.driver.transaction(async (tx) => {
      if ((await tx.get('SELECT 1 AS x FROM public_identity WHERE impu = ?', [key])) === undefined)
        throw new StoreError('NOT_FOUND', `no public identity ${impu}`, { field: 'impu' });
      const row = await tx.get<RepositoryRow>(
        'SELECT r.service_indication, r.sequence_number, r.data FROM repository_data r' +
          ` WHERE r.impu = ? AND r.service_indication = ?${this.driver.lockClause('r')}`,
        [key, serviceIndication],
      );
      if (row === undefined) {
        if (data === undefined)
          throw new StoreError('NOT_FOUND', `no repository data ${serviceIndication} to delete`, {
            field: 'serviceIndication',
          });
        if (sequenceNumber !== 0) throw outOfSync(0);
        try {
          await tx.run(
            'INSERT INTO repository_data (impu, service_indication, sequence_number, data) VALUES (?, ?, ?, ?)',
            [key, serviceIndication, 0, data],
          );
        } catch (err) {
          // Another AS created it in the meantime: its number is 0 too, ours is stale.
          if (this.driver.classify(err) === 'unique') throw outOfSync(1);
          throw err;
        }
        return { serviceIndication, sequenceNumber: 0, data };
      }
      const current = Number(row.sequence_number);
      const expected = nextRepositorySequenceNumber(current);
      if (sequenceNumber !== expected) throw outOfSync(expected);
      if (data === undefined) {
        await tx.run('DELETE FROM repository_data WHERE impu = ? AND service_indication = ?', [
          key,
          serviceIndication,
        ]);
        return undefined;
      }
      await tx.run(
        'UPDATE repository_data SET sequence_number = ?, data = ? WHERE impu = ? AND service_indication = ?',
        [sequenceNumber, data, key, serviceIndication],
      );
      return { serviceIndication, sequenceNumber, data };
    });
  }

  async putShSubscription(sub: ShSubscription): Promise<void> {
    const issues: ValidationIssue[] = [];
    if (!isPrintable(sub?.applicationServerHost, 255))
      issues.push({ field: 'applicationServerHost', message: 'must be a non-empty string' });
    if (!isUnsigned(sub?.dataReference, 0xffffffff))
      issues.push({ field: 'dataReference', message: 'must be an integer' });
    if (!Array.isArray(sub?.serviceIndications) || !sub.serviceIndications.every((s) => isPrintable(s, 255)))
      issues.push({ field: 'serviceIndications', message: 'must be an array of non-empty strings' });
    if (sub?.expiresAt !== undefined && !isUnsigned(sub.expiresAt))
      issues.push({ field: 'expiresAt', message: 'must be milliseconds since the epoch' });
    if (issues.length > 0) throw StoreError.invalid(issues, 'Sh subscription');
    const [impu, host, ref, indications] = shKey(sub);
    await this.driver.transaction(async (tx) => {
      try {
        await tx.run(
          'INSERT INTO sh_subscription (impu, as_host, data_reference, service_indications, expires_at) VALUES (?, ?, ?, ?, ?)' +
            ' ON CONFLICT (impu, as_host, data_reference, service_indications) DO UPDATE SET expires_at = excluded.expires_at',
          [impu, host, ref, indications, sub.expiresAt ?? null],
        );
      } catch (err) {
        if (this.driver.classify(err) === 'foreign-key')
          throw new StoreError('NOT_FOUND', `no public identity ${sub.impu}`, { field: 'impu' });
        throw err;
      }
    });
  }

  async deleteShSubscription(key: ShSubscriptionKey): Promise<boolean> {
    const n = await this.driver.transaction((tx) =>
      tx.run(
        'DELETE FROM sh_subscription WHERE impu = ? AND as_host = ? AND data_reference = ? AND service_indications = ?',
        shKey(key),
      ),
    );
    return n > 0;
  }

  async listShSubscriptions(
    impu: string,
    filter: { dataReference?: number; now?: number } = {},
  ): Promise<ShSubscription[]> {
    let sql =
      'SELECT impu, as_host, data_reference, service_indications, expires_at FROM sh_subscription WHERE impu = ?';
    const params: (string | number)[] = [lookupForm(impu) ?? impu];
    if (filter.dataReference !== undefined) {
      sql += ' AND data_reference = ?';
      params.push(filter.dataReference);
    }
    if (filter.now !== undefined) {
      sql += ' AND (expires_at IS NULL OR expires_at > ?)';
      params.push(filter.now);
    }
    const rows = await this.driver.all<ShSubscriptionRow>(`${sql} ORDER BY as_host, data_reference`, params);
    return rows.map((r) => {
      const s: ShSubscription = {
        impu: r.impu,
        applicationServerHost: r.as_host,
        dataReference: Number(r.data_reference),
        serviceIndications: JSON.parse(r.service_indications) as string[],
      };
      if (r.expires_at !== null) s.expiresAt = Number(r.expires_at);
      return s;
    });
  }

  purgeExpiredShSubscriptions(now: number): Promise<number> {
    return this.driver.transaction((tx) =>
      tx.run('DELETE FROM sh_subscription WHERE expires_at IS NOT NULL AND expires_at <= ?', [now]),
    );
  }

  async putSharedIfcSet(set: SharedIfcSet): Promise<void> {
    const issues: ValidationIssue[] = [];
    if (!isUnsigned(set?.id, 0xffffffff))
      issues.push({ field: 'id', message: 'must be an integer 0..4294967295' });
    issues.push(...validateInitialFilterCriteriaList(set?.initialFilterCriteria, 'initialFilterCriteria'));
    if (issues.length > 0) throw StoreError.invalid(issues, 'shared iFC set');
    await this.driver.transaction((tx) =>
      tx.run(
        'INSERT INTO shared_ifc_set (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data',
        [set.id, JSON.stringify(set.initialFilterCriteria)],
      ),
    );
  }

  async getSharedIfcSet(id: number): Promise<SharedIfcSet | undefined> {
    const row = await this.driver.get<{ id: number; data: string }>(
      'SELECT id, data FROM shared_ifc_set WHERE id = ?',
      [id],
    );
    return row && { id: Number(row.id), initialFilterCriteria: JSON.parse(row.data) };
  }

  async listSharedIfcSets(): Promise<SharedIfcSet[]> {
    const rows = await this.driver.all<{ id: number; data: string }>(
      'SELECT id, data FROM shared_ifc_set ORDER BY id',
    );
    return rows.map((r) => ({ id: Number(r.id), initialFilterCriteria: JSON.parse(r.data) }));
  }

  async deleteSharedIfcSet(id: number): Promise<void> {
    const n = await this.driver.transaction((tx) => tx.run('DELETE FROM shared_ifc_set WHERE id = ?', [id]));
    if (n === 0) throw new StoreError('NOT_FOUND', `no shared iFC set ${id}`, { field: 'id' });
  }

  async putApplicationServer(def: ApplicationServerDefinition): Promise<void> {
    const issues: ValidationIssue[] = [];
    if (!isPrintable(def?.name, 128))
      issues.push({ field: 'name', message: 'must be a non-empty string of at most 128 characters' });
    issues.push(...validateApplicationServer(def, ''));
    if (def?.defaultHandling === undefined) issues.push({ field: 'defaultHandling', message: 'is required' });
    if (def?.diameterHost !== undefined && !isPrintable(def.diameterHost, 255))
      issues.push({ field: 'diameterHost', message: 'must be a non-empty string' });
    if (def?.shPermissions !== undefined)
      for (const op of ['read', 'update', 'subscribe'] as const) {
        const list = def.shPermissions?.[op];
        if (!Array.isArray(list) || !list.every((n) => isUnsigned(n, 0xffffffff)))
          issues.push({
            field: at('shPermissions', op),
            message: 'must be an array of Data-Reference values',
          });
      }
    if (issues.length > 0) throw StoreError.invalid(issues, 'application server');
    const { name, ...data } = def;
    await this.driver.transaction((tx) =>
      tx.run(
        'INSERT INTO application_server (name, diameter_host, data) VALUES (?, ?, ?)' +
          ' ON CONFLICT (name) DO UPDATE SET diameter_host = excluded.diameter_host, data = excluded.data',
        [name, def.diameterHost ?? null, JSON.stringify(data)],
      ),
    );
  }

  async getApplicationServer(name: string): Promise<ApplicationServerDefinition | undefined> {
    const row = await this.driver.get<{ name: string; data: string }>(
      'SELECT name, data FROM application_server WHERE name = ?',
      [name],
    );
    return row && { name: row.name, ...JSON.parse(row.data) };
  }

  async findApplicationServerByHost(diameterHost: string): Promise<ApplicationServerDefinition | undefined> {
    const row = await this.driver.get<{ name: string; data: string }>(
      'SELECT name, data FROM application_server WHERE diameter_host = ? ORDER BY name LIMIT 1',
      [diameterHost],
    );
    return row && { name: row.name, ...JSON.parse(row.data) };
  }

  async listApplicationServers(): Promise<ApplicationServerDefinition[]> {
    const rows = await this.driver.all<{ name: string; data: string }>(
      'SELECT name, data FROM application_server ORDER BY name',
    );
    return rows.map((r) => ({ name: r.name, ...JSON.parse(r.data) }));
  }

  async deleteApplicationServer(name: string): Promise<void> {
    const n = await this.driver.transaction((tx) =>
      tx.run('DELETE FROM application_server WHERE name = ?', [name]),
    );
    if (n === 0) throw new StoreError('NOT_FOUND', `no application server ${name}`, { field: 'name' });
  }
}

function toRepositoryData(row: RepositoryRow): RepositoryData {
  return {
    serviceIndication: row.service_indication,
    sequenceNumber: Number(row.sequence_number),
    data: row.data,
  };
}

/** The key columns of an Sh subscription; service indications in one canonical spelling. */
function shKey(key: ShSubscriptionKey): [string, string, number, string] {
  const indications = JSON.stringify([...new Set(key.serviceIndications)].sort());
  return [lookupForm(key.impu) ?? key.impu, key.applicationServerHost, key.dataReference, indications];
}
