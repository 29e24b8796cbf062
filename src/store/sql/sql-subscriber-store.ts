/**
 * The SubscriberStore over SQL, for both backends: the behaviour lives here once, the drivers
 * (sqlite/, postgres/) only run statements. See subscriber-store.ts for the contract.
 */
import type {
  ApplicationServerDefinition,
  NewSubscription,
  RegistrationView,
  RepositoryData,
  SharedIfcSet,
  ShSubscription,
  Subscription,
} from '../../functions/hss/model.ts';
import { MAX_SQN } from '../../functions/hss/model.ts';
import { isWildcarded, matchesWildcard } from '../../ims/identity.ts';
import type { Logger } from '../../log/logger.ts';
import { silentLogger } from '../../log/logger.ts';
import { StoreError } from '../store-error.ts';
import type {
  AuthenticationState,
  AuthenticationUpdate,
  AuthState,
  AuthStateUpdate,
  BulkImportOptions,
  BulkImportResult,
  ImpuMatch,
  ListOptions,
  ListPage,
  RepositoryDataUpdate,
  ShSubscriptionKey,
  SubscriberStore,
} from '../subscriber-store.ts';
import { updateAuthentication } from './authentication.ts';
import { runBulkImport } from './bulk-import.ts';
import { checkRegistrationView } from './registration-check.ts';
import { ServiceDataTables } from './service-data-tables.ts';
import type { SqlDriver } from './sql-driver.ts';
import {
  containsPattern,
  decodeCursor,
  encodeCursor,
  lookupForm,
  type PrivateIdentityRow,
  type PublicIdentityRow,
  prepareSubscription,
  type SubscriptionRow,
  subscriptionData,
  toSubscription,
} from './subscriber-rows.ts';
import { SUBSCRIPTION_COLUMNS, SubscriptionTables } from './subscription-tables.ts';

export interface SqlSubscriberStoreOptions {
  logger?: Logger;
}

export class SqlSubscriberStore implements SubscriberStore {
  protected readonly driver: SqlDriver;
  protected readonly logger: Logger;
  readonly #serviceData: ServiceDataTables;
  readonly #tables: SubscriptionTables;

  constructor(driver: SqlDriver, options: SqlSubscriberStoreOptions = {}) {
    this.driver = driver;
    this.logger = options.logger ?? silentLogger;
    this.#serviceData = new ServiceDataTables(driver);
    this.#tables = new SubscriptionTables(driver);
  }

  // --- provisioning -------------------------------------------------------------------------

  async createSubscription(input: NewSubscription): Promise<Subscription> {
    const sub = prepareSubscription(input);
    return this.driver.transaction(async (tx) => {
      await this.#tables.checkIdentitiesFree(tx, sub, undefined);
      const seq = await this.#tables.insert(tx, sub);
      this.logger.debug({ subscription: sub.id }, 'subscription created');
      return (await this.#tables.load(tx, seq))!;
    });
  }

  async updateSubscription(id: string, input: NewSubscription): Promise<Subscription> {
    const sub = prepareSubscription(input, id);
    return this.driver.transaction(async (tx) => {
      const row = await tx.get<{ seq: number }>(
        `SELECT s.seq FROM subscription s WHERE s.id = ?${this.driver.lockClause('s')}`,
        [id],
      );
      if (row === undefined) throw new StoreError('NOT_FOUND', `no subscription ${id}`, { field: 'id' });
      const seq = Number(row.seq);
      await this.#tables.checkIdentitiesFree(tx, sub, seq);
      await this.#tables.replaceIdentities(tx, seq, sub);
      await tx.run('UPDATE subscription SET data = ?, updated_at = ? WHERE seq = ?', [
        subscriptionData(sub),
        Date.now(),
        seq,
      ]);
      return (await this.#tables.load(tx, seq))!;
    });
  }

  async deleteSubscription(id: string): Promise<void> {
    const n = await this.driver.transaction((tx) => tx.run('DELETE FROM subscription WHERE id = ?', [id]));
    if (n === 0) throw new StoreError('NOT_FOUND', `no subscription ${id}`, { field: 'id' });
  }

  getSubscription(id: string): Promise<Subscription | undefined> {
    return this.driver.snapshot(async (tx) => {
      const row = await tx.get<{ seq: number }>('SELECT seq FROM subscription WHERE id = ?', [id]);
      return row === undefined ? undefined : this.#tables.load(tx, Number(row.seq));
    });
  }

  async getSubscriptionByImpu(impu: string): Promise<ImpuMatch | undefined> {
    const key = lookupForm(impu);
    if (key === undefined) return undefined;
    return this.driver.snapshot(async (tx) => {
      let row = await tx.get<{ impu: string; seq: number }>(
        'SELECT impu, subscription_seq AS seq FROM public_identity WHERE impu = ?',
        [key],
      );
      let wildcarded = false;
      if (row === undefined && !isWildcarded(key)) {
        // TS 23.003 §13.5: an identity not provisioned itself may fall under a wildcard. The most
        // specific wildcard (longest literal part) wins when several match.
        const candidates = await tx.all<{ impu: string; seq: number }>(
          'SELECT impu, subscription_seq AS seq FROM public_identity WHERE wildcard = 1',
        );
        const literal = (w: string) => w.replace(/![^!]*!/g, '').length;
        row = candidates
          .filter((c) => matchesWildcard(c.impu, key))
          .sort((a, b) => literal(b.impu) - literal(a.impu) || (a.impu < b.impu ? -1 : 1))[0];
        wildcarded = row !== undefined;
      }
      if (row === undefined) return undefined;
      const subscription = await this.#tables.load(tx, Number(row.seq));
      const publicIdentity = subscription?.publicIdentities.find((p) => p.impu === row.impu);
      return subscription && publicIdentity ? { subscription, publicIdentity, wildcarded } : undefined;
    });
  }

  getSubscriptionByImpi(impi: string): Promise<Subscription | undefined> {
    return this.driver.snapshot(async (tx) => {
      const row = await tx.get<{ seq: number }>(
        'SELECT subscription_seq AS seq FROM private_identity WHERE impi = ?',
        [impi],
      );
      return row === undefined ? undefined : this.#tables.load(tx, Number(row.seq));
    });
  }

  async listSubscriptions(options: ListOptions = {}): Promise<ListPage> {
    const limit = options.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new StoreError('INVALID', 'limit must be 1..1000', { field: 'limit' });
    const after = options.cursor === undefined ? 0 : decodeCursor(options.cursor);
    let filter = '';
    const filterParams: string[] = [];
    if (options.search !== undefined && options.search !== '') {
      const pattern = containsPattern(options.search);
      filter =
        " AND (EXISTS (SELECT 1 FROM public_identity pu WHERE pu.subscription_seq = s.seq AND lower(pu.impu) LIKE ? ESCAPE '\\')" +
        " OR EXISTS (SELECT 1 FROM private_identity pi WHERE pi.subscription_seq = s.seq AND lower(pi.impi) LIKE ? ESCAPE '\\'))";
      filterParams.push(pattern, pattern);
    }
    return this.driver.snapshot(async (tx) => {
      const rows = await tx.all<{ seq: number }>(
        `SELECT s.seq FROM subscription s WHERE s.seq > ?${filter} ORDER BY s.seq LIMIT ?`,
        [after, ...filterParams, limit + 1],
      );
      const count = await tx.get<{ n: number }>(
        `SELECT count(*) AS n FROM subscription s WHERE 1 = 1${filter}`,
        filterParams,
      );
      const page = rows.slice(0, limit);
      const items: Subscription[] = [];
      for (const r of page) {
        const sub = await this.#tables.load(tx, Number(r.seq));
        if (sub) items.push(sub);
      }
      const result: ListPage = { items, total: Number(count?.n ?? 0) };
      if (rows.length > limit) result.nextCursor = encodeCursor(Number(page[page.length - 1]!.seq));
      return result;
    });
  }

  async countSubscriptions(): Promise<number> {
    const row = await this.driver.get<{ n: number }>('SELECT count(*) AS n FROM subscription');
    return Number(row?.n ?? 0);
  }

  bulkImport(
    source: Iterable<NewSubscription> | AsyncIterable<NewSubscription>,
    options: BulkImportOptions = {},
  ): Promise<BulkImportResult> {
    return runBulkImport(this.driver, source, options, {
      insert: (tx, sub) => this.#tables.insert(tx, sub),
      explain: (tx, sub, err) => this.#tables.explainInsertFailure(tx, sub, err),
    });
  }

  // --- Cx runtime ------------------------------------------------------------------------------

  updateAuthState<T>(impi: string, fn: (state: AuthState) => AuthStateUpdate<T>): Promise<T> {
    return this.driver.transaction(async (tx) => {
      const row = await tx.get<PrivateIdentityRow & { subscription_id: string }>(
        'SELECT p.impi, p.data, p.sqn, s.id AS subscription_id FROM private_identity p' +
          ` JOIN subscription s ON s.seq = p.subscription_seq WHERE p.impi = ?${this.driver.lockClause('p')}`,
        [impi],
      );
      if (row === undefined)
        throw new StoreError('NOT_FOUND', `no private identity ${impi}`, { field: 'impi' });
      const sqn = Number(row.sqn);
      const state: AuthState = {
        impi: row.impi,
        ...JSON.parse(row.data),
        sqn,
        subscriptionId: row.subscription_id,
      };
      const update = fn(state);
      if (
        update === null ||
        typeof update !== 'object' ||
        typeof (update as { then?: unknown }).then === 'function'
      )
        throw new StoreError('INVALID', 'updateAuthState: fn must synchronously return { sqn?, result }');
      if (update.sqn !== undefined && update.sqn !== sqn) {
        if (!Number.isSafeInteger(update.sqn) || update.sqn < 0 || update.sqn > MAX_SQN)
          throw new StoreError('INVALID', `SQN ${update.sqn} is not 0..2^48-1`, { field: 'sqn' });
        await tx.run('UPDATE private_identity SET sqn = ? WHERE impi = ?', [update.sqn, row.impi]);
      }
      return update.result;
    });
  }

  updateAuthentication<T>(
    impi: string,
    impu: string,
    fn: (state: AuthenticationState) => AuthenticationUpdate<T>,
  ): Promise<T> {
    return updateAuthentication(this.driver, impi, impu, fn);
  }

  async updateRegistration(
    impu: string,
    fn: (current: RegistrationView) => RegistrationView | undefined,
  ): Promise<RegistrationView> {
    const key = lookupForm(impu);
    if (key === undefined) throw new StoreError('NOT_FOUND', `no public identity ${impu}`, { field: 'impu' });
    return this.driver.transaction(async (tx) => {
      const owner = await tx.get<{ seq: number }>(
        'SELECT subscription_seq AS seq FROM public_identity WHERE impu = ?',
        [key],
      );
      const sub =
        owner &&
        (await tx.get<SubscriptionRow>(
          `SELECT ${SUBSCRIPTION_COLUMNS} FROM subscription s WHERE s.seq = ?${this.driver.lockClause('s')}`,
          [Number(owner.seq)],
        ));
      if (sub === undefined)
        throw new StoreError('NOT_FOUND', `no public identity ${impu}`, { field: 'impu' });
      const rows = await tx.all<PublicIdentityRow>(
        'SELECT impu, data, registration_state, registered_impis FROM public_identity WHERE subscription_seq = ? ORDER BY position',
        [Number(sub.seq)],
      );
      if (!rows.some((r) => r.impu === key)) throw new StoreError('NOT_FOUND', `no public identity ${impu}`);
      const current = toSubscription(sub, [], rows);
      const view: RegistrationView = {
        subscriptionId: sub.id,
        publicIdentities: current.publicIdentities.map((p) => ({
          impu: p.impu,
          registrationState: p.registrationState ?? 'NOT_REGISTERED',
          registeredPrivateIdentities: p.registeredPrivateIdentities ?? [],
        })),
      };
      if (current.serverAssignment !== undefined) view.serverAssignment = current.serverAssignment;
      const next = fn(structuredClone(view));
      if (next === undefined) return view;
      const checked = checkRegistrationView(view, next);
      for (const [i, r] of checked.publicIdentities.entries()) {
        const before = view.publicIdentities[i]!;
        if (JSON.stringify(before) !== JSON.stringify(r))
          await tx.run(
            'UPDATE public_identity SET registration_state = ?, registered_impis = ? WHERE impu = ?',
            [r.registrationState, JSON.stringify(r.registeredPrivateIdentities), r.impu],
          );
      }
      if (JSON.stringify(view.serverAssignment) !== JSON.stringify(checked.serverAssignment)) {
        const sa = checked.serverAssignment;
        await tx.run(
          'UPDATE subscription SET scscf_name = ?, scscf_host = ?, scscf_realm = ? WHERE seq = ?',
          [sa?.scscfName ?? null, sa?.diameterHost ?? null, sa?.diameterRealm ?? null, Number(sub.seq)],
        );
      }
      return checked;
    });
  }

  // --- Sh and shared definitions (service-data-tables.ts) -----------------------------------

  getRepositoryData(impu: string, serviceIndication: string): Promise<RepositoryData | undefined> {
    return this.#serviceData.getRepositoryData(impu, serviceIndication);
  }
  listRepositoryData(impu: string): Promise<RepositoryData[]> {
    return this.#serviceData.listRepositoryData(impu);
  }
  updateRepositoryData(impu: string, update: RepositoryDataUpdate): Promise<RepositoryData | undefined> {
    return this.#serviceData.updateRepositoryData(impu, update);
  }
  putShSubscription(subscription: ShSubscription): Promise<void> {
    return this.#serviceData.putShSubscription(subscription);
  }
  deleteShSubscription(key: ShSubscriptionKey): Promise<boolean> {
    return this.#serviceData.deleteShSubscription(key);
  }
  listShSubscriptions(
    impu: string,
    filter?: { dataReference?: number; now?: number },
  ): Promise<ShSubscription[]> {
    return this.#serviceData.listShSubscriptions(impu, filter);
  }
  purgeExpiredShSubscriptions(now: number): Promise<number> {
    return this.#serviceData.purgeExpiredShSubscriptions(now);
  }
  putSharedIfcSet(set: SharedIfcSet): Promise<void> {
    return this.#serviceData.putSharedIfcSet(set);
  }
  getSharedIfcSet(id: number): Promise<SharedIfcSet | undefined> {
    return this.#serviceData.getSharedIfcSet(id);
  }
  listSharedIfcSets(): Promise<SharedIfcSet[]> {
    return this.#serviceData.listSharedIfcSets();
  }
  deleteSharedIfcSet(id: number): Promise<void> {
    return this.#serviceData.deleteSharedIfcSet(id);
  }
  putApplicationServer(definition: ApplicationServerDefinition): Promise<void> {
    return this.#serviceData.putApplicationServer(definition);
  }
  getApplicationServer(name: string): Promise<ApplicationServerDefinition | undefined> {
    return this.#serviceData.getApplicationServer(name);
  }
  findApplicationServerByHost(diameterHost: string): Promise<ApplicationServerDefinition | undefined> {
    return this.#serviceData.findApplicationServerByHost(diameterHost);
  }
  listApplicationServers(): Promise<ApplicationServerDefinition[]> {
    return this.#serviceData.listApplicationServers();
  }
  deleteApplicationServer(name: string): Promise<void> {
    return this.#serviceData.deleteApplicationServer(name);
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
