/**
 * The S-CSCF registration store (TS 24.229 §5.4.1, TS 23.228 §5.2): one record per implicit
 * registration set, reachable by every public identity of the set. Behind this interface so
 * one S-CSCF keeps it in memory (with a snapshot file for restarts) and several share Redis.
 */

/** A registered contact of a UE (RFC 3261 §10.3, RFC 3327 Path, RFC 5626 outbound). */
export interface Binding {
  /** The Contact URI as registered (without header parameters). */
  contact: string;
  /** The Contact header parameters as received (e.g. `+sip.instance="<urn:...>";reg-id=1;expires=600`), echoed in 200 OK and reginfo. */
  params: string;
  /** Absolute expiry, ms since the epoch. */
  expiresAt: number;
  /** The Path header values of the REGISTER, first first (RFC 3327): the route to the UE. */
  path: string[];
  /** RFC 5626 +sip.instance (without the angle brackets and quotes). */
  instanceId?: string;
  /** RFC 5626 reg-id. */
  regId?: number;
  /** Call-ID and CSeq of the REGISTER that last refreshed this binding (RFC 3261 §10.3 step 7). */
  callId: string;
  cseq: number;
  /** P-Charging-Vector and P-Charging-Function-Addresses of the REGISTER (TS 24.229 §5.4.1.2.2). */
  chargingVector?: string;
  chargingFunctionAddresses?: string;
  /** The P-CSCF's Via/Path URI the REGISTER came through (for reginfo and P-CSCF notification). */
  pcscf?: string;
  /** P-Access-Network-Info of the last REGISTER, if any. */
  accessNetworkInfo?: string;
  /** The reginfo contact id (RFC 3680 `id`), stable while the binding lives. */
  id: string;
  /** When the binding was created, ms since the epoch. */
  registeredAt: number;
}

/** Registration state of an implicit registration set (TS 29.228 §6.1.2). */
export type RegistrationState = 'registered' | 'unregistered';

/** One implicit registration set as the S-CSCF serves it. */
export interface Registration {
  /**
   * The public identities of the implicit set in P-Associated-URI order (TS 24.229 §5.4.1.2.2:
   * the registered one first); every one finds this record. Barred identities are included
   * and flagged in `barred`.
   */
  impus: string[];
  /** Barred identities of the set (not usable in P-Asserted-Identity, TS 29.228 §6.6.1). */
  barred: string[];
  /** The private identity that registered (or the one from the SAA for an unregistered user). */
  impi: string;
  state: RegistrationState;
  /** The User-Data XML from the SAA (TS 29.228 Annex E), parsed again when needed. */
  userData: string;
  /** Charging-Information from the SAA, if any. */
  charging?: { ccf?: string[]; ecf?: string[] };
  /** Bindings (empty for an unregistered user served for terminating services). */
  bindings: Binding[];
  /** Bumped on every write (optimistic concurrency, reginfo versions are separate). */
  revision: number;
}

/** The result of an `update` callback: the new record, `null` to delete, undefined to leave it. */
export type RegistrationUpdate = Registration | null | undefined;

export interface RegistrationStore {
  /** The record whose implicit set holds `impu` (a canonical IMPU, e.g. `sip:alice@ims.test`). */
  get(impu: string): Promise<Registration | undefined>;
  /**
   * Atomic read-modify-write of the record holding `impu`: `fn` sees the current record (or
   * undefined) and returns the new one, null to delete, undefined to leave it. With a shared
   * backend `fn` may run again if another S-CSCF wrote in between, so it must be pure. Every
   * IMPU of the new record's `impus` indexes it afterwards; IMPUs dropped from it no longer do.
   * Resolves with what was stored (undefined after a delete or no change).
   */
  update(
    impu: string,
    fn: (current: Registration | undefined) => RegistrationUpdate,
  ): Promise<Registration | undefined>;
  /**
   * The first IMPU (`impus[0]`) of every record with a binding expiring at or before `time`
   * (ms since the epoch), for the expiry sweep.
   */
  expiring(time: number): Promise<string[]>;
  /** Number of records with state 'registered'. */
  countRegistered(): Promise<number>;
  /** Every record, in no particular order (admin listing, snapshot). */
  list(): AsyncIterable<Registration>;
  /** Flushes (memory: writes the snapshot) and closes. */
  close(): Promise<void>;
}

/** How the S-CSCF configuration chooses a backend. */
export type RegistrationStoreConfig =
  | {
      backend: 'memory';
      /** Snapshot file written on close and every `snapshotIntervalMs`, loaded at start. */
      snapshotPath?: string;
      snapshotIntervalMs?: number;
    }
  | {
      backend: 'redis';
      /** redis://host:port/db */
      url: string;
      /** Key prefix, so several deployments can share one Redis; default `ims:reg:`. */
      keyPrefix?: string;
    };
