/**
 * The HSS's subscriber data behind one interface (ARCHITECTURE.md §1, §4): provisioning (REST,
 * CLI, bulk import), the Cx and Sh applications and the SLF all use it, each operation in one
 * call. Two backends behave the same: SQLite (embedded default) and PostgreSQL (scale-out).
 *
 * Atomicity: every method is one transaction. `updateAuthState`, `updateAuthentication` and
 * `updateRegistration` run the caller's function inside the transaction, with the row(s) locked
 * (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT ... FOR UPDATE), and commit before they return:
 * concurrent callers, in this process or another, run one after the other. That function must be synchronous and
 * must not call the store (it would wait for itself).
 */
import type {
  ApplicationServerDefinition,
  ImpuRegistration,
  NewSubscription,
  PrivateIdentity,
  PublicIdentity,
  RegistrationView,
  RepositoryData,
  ServerAssignment,
  SharedIfcSet,
  ShSubscription,
  Subscription,
} from '../functions/hss/model.ts';

/** What `getSubscriptionByImpu` found. */
export interface ImpuMatch {
  subscription: Subscription;
  /** The stored public identity that matched: the identity itself, or the wildcard it falls under. */
  publicIdentity: PublicIdentity;
  /** True when matched through a wildcarded PSI or IMPU (TS 23.003 §13.5). */
  wildcarded: boolean;
}

/** The auth data `updateAuthState` hands to its function: a copy of the private identity. */
export interface AuthState extends PrivateIdentity {
  /** SQN_HE, the SQN of the last vector handed out (0 for a new subscriber). */
  sqn: number;
  subscriptionId: string;
}

/** What the function of `updateAuthState` returns: the SQN to store (if it changed) and its result. */
export interface AuthStateUpdate<T> {
  /** The new SQN_HE (the highest SQN of the vectors computed, or the resynchronised value). */
  sqn?: number;
  result: T;
}

/**
 * What `updateAuthentication` hands to its function: the auth data of the IMPI with, read in the
 * same transaction, the registration of the public identity asked about and the S-CSCF serving
 * the subscription (TS 29.228 §6.3.1 needs all three to answer a MAR).
 */
export interface AuthenticationState extends AuthState {
  /** The public identity when it is one of the IMPI's subscription (exact match); absent otherwise. */
  publicIdentity?: ImpuRegistration;
  /** The S-CSCF assigned to the subscription, if any. */
  serverAssignment?: ServerAssignment;
}

/** What the function of `updateAuthentication` returns: SQN, S-CSCF assignment (if changed), result. */
export interface AuthenticationUpdate<T> extends AuthStateUpdate<T> {
  /** The S-CSCF assignment to store (TS 29.228 §6.3.1: the S-CSCF name is stored at MAR). */
  serverAssignment?: ServerAssignment;
}

export interface ListOptions {
  /** At most this many (1..1000; default 100). */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Keeps subscriptions one of whose IMPU or IMPI contains this text (case-insensitive). */
  search?: string;
}

export interface ListPage {
  items: Subscription[];
  /** How many subscriptions match (all pages). */
  total: number;
  /** Absent on the last page. */
  nextCursor?: string;
}

export interface BulkImportProgress {
  /** Records read from the source so far. */
  processed: number;
  imported: number;
  failed: number;
}

export interface BulkImportFailure {
  /** Position of the record in the source, from 0. */
  index: number;
  error: Error;
}

export interface BulkImportOptions {
  /** Records per transaction (default 1000). */
  batchSize?: number;
  /** Called after each batch is committed. */
  onProgress?: (progress: BulkImportProgress) => void;
  /** Stop at the first failing record; its batch is rolled back. Default: skip it and go on. */
  stopOnError?: boolean;
  /** At most this many failures are kept in the result (default 1000); all are counted. */
  maxFailures?: number;
}

export interface BulkImportResult extends BulkImportProgress {
  failures: BulkImportFailure[];
  /** True when `stopOnError` ended the import early. */
  stopped: boolean;
}

/** An Sh repository data change (PUR, TS 29.328 §6.1.2.1). */
export interface RepositoryDataUpdate {
  serviceIndication: string;
  /** 0 to create; then the stored number + 1 (65535 is followed by 1). */
  sequenceNumber: number;
  /** The new ServiceData; absent: delete the repository data. */
  data?: string;
}

/** The key of an Sh subscription (SNR). */
export type ShSubscriptionKey = Pick<
  ShSubscription,
  'impu' | 'applicationServerHost' | 'dataReference' | 'serviceIndications'
>;

export interface SubscriberStore {
  // --- provisioning ---------------------------------------------------------------------
  /**
   * Validates (INVALID with every issue), then stores the whole subscription in one
   * transaction: CONFLICT (with the field) when an identity is taken, and then nothing is stored.
   */
  createSubscription(subscription: NewSubscription): Promise<Subscription>;
  /**
   * Replaces the provisioned data of subscription `id` (identities added, changed, removed).
   * Runtime data is kept: SQN of IMPIs kept, registration state of IMPUs kept, S-CSCF kept.
   */
  updateSubscription(id: string, subscription: NewSubscription): Promise<Subscription>;
  /** Removes the subscription with its identities, repository data and Sh subscriptions. NOT_FOUND. */
  deleteSubscription(id: string): Promise<void>;
  getSubscription(id: string): Promise<Subscription | undefined>;
  /** Exact match first, else the most specific wildcarded identity that matches (TS 23.003 §13.5). */
  getSubscriptionByImpu(impu: string): Promise<ImpuMatch | undefined>;
  getSubscriptionByImpi(impi: string): Promise<Subscription | undefined>;
  /** In creation order. */
  listSubscriptions(options?: ListOptions): Promise<ListPage>;
  countSubscriptions(): Promise<number>;
  /**
   * Imports many subscriptions: validated one by one, written `batchSize` per transaction with
   * prepared statements; a failing record is skipped (or stops the import) without affecting
   * the others.
   */
  bulkImport(
    source: Iterable<NewSubscription> | AsyncIterable<NewSubscription>,
    options?: BulkImportOptions,
  ): Promise<BulkImportResult>;

  // --- Cx runtime: atomic read-modify-write ------------------------------------------------
  /**
   * Reads the auth data of `impi`, runs `fn` on it, stores the SQN it returns, commits, and only
   * then returns `fn`'s result: a vector computed from an SQN is never handed out before that
   * SQN is durable, so no vector is handed out twice, even across a crash. NOT_FOUND; INVALID
   * when the returned SQN is not 0..2^48-1. If `fn` throws, nothing changes.
   */
  updateAuthState<T>(impi: string, fn: (state: AuthState) => AuthStateUpdate<T>): Promise<T>;
  /**
   * `updateAuthState` that also reads the registration of `impu` and the S-CSCF assignment of the
   * IMPI's subscription, and stores the S-CSCF assignment `fn` returns, all in one transaction: a
   * MAR in one store call. Same rules as `updateAuthState` (NOT_FOUND for the IMPI, INVALID for a
   * bad SQN or assignment, nothing changes if `fn` throws).
   */
  updateAuthentication<T>(
    impi: string,
    impu: string,
    fn: (state: AuthenticationState) => AuthenticationUpdate<T>,
  ): Promise<T>;
  /**
   * Reads the registration of the subscription that `impu` (exact, not wildcard) belongs to, runs
   * `fn` on it, and writes what it returns (states of any of its IMPUs and the S-CSCF
   * assignment) in one transaction; `undefined` leaves it unchanged. Returns the view as stored.
   * See functions/hss/registration.ts for the TS 29.228 §6.1.2 bookkeeping.
   */
  updateRegistration(
    impu: string,
    fn: (current: RegistrationView) => RegistrationView | undefined,
  ): Promise<RegistrationView>;

  // --- Sh -------------------------------------------------------------------------------------
  getRepositoryData(impu: string, serviceIndication: string): Promise<RepositoryData | undefined>;
  listRepositoryData(impu: string): Promise<RepositoryData[]>;
  /**
   * Applies a PUR to repository data, enforcing the TS 29.328 §6.1.2.1 sequence rules in the
   * same transaction (so two ASs cannot both win): OUT_OF_SYNC when the number does not follow
   * the stored one (or is not 0 for new data); NOT_FOUND for an unknown identity, or a delete of
   * data that does not exist. Returns the stored data, undefined after a delete.
   */
  updateRepositoryData(impu: string, update: RepositoryDataUpdate): Promise<RepositoryData | undefined>;
  /** Adds or renews (same key: new expiry) an SNR subscription. NOT_FOUND for an unknown identity. */
  putShSubscription(subscription: ShSubscription): Promise<void>;
  /** Returns false when there was no such subscription. */
  deleteShSubscription(key: ShSubscriptionKey): Promise<boolean>;
  /** The subscriptions on `impu` (optionally one Data-Reference), expired ones left out when `now` is given. */
  listShSubscriptions(
    impu: string,
    filter?: { dataReference?: number; now?: number },
  ): Promise<ShSubscription[]>;
  /** Deletes subscriptions expired at `now`; returns how many. */
  purgeExpiredShSubscriptions(now: number): Promise<number>;

  // --- shared definitions -----------------------------------------------------------------
  /** Adds or replaces; INVALID when an iFC does not validate. */
  putSharedIfcSet(set: SharedIfcSet): Promise<void>;
  getSharedIfcSet(id: number): Promise<SharedIfcSet | undefined>;
  listSharedIfcSets(): Promise<SharedIfcSet[]>;
  /** NOT_FOUND. */
  deleteSharedIfcSet(id: number): Promise<void>;
  /** Adds or replaces; INVALID when it does not validate. */
  putApplicationServer(definition: ApplicationServerDefinition): Promise<void>;
  getApplicationServer(name: string): Promise<ApplicationServerDefinition | undefined>;
  /** The AS whose Sh Origin-Host is `diameterHost` (for Sh permission checks). */
  findApplicationServerByHost(diameterHost: string): Promise<ApplicationServerDefinition | undefined>;
  listApplicationServers(): Promise<ApplicationServerDefinition[]>;
  /** NOT_FOUND. */
  deleteApplicationServer(name: string): Promise<void>;

  close(): Promise<void>;
}
