/**
 * The subscriber schema, as numbered migrations applied in order on open (created on first
 * run). One list serves both databases: the few spellings that differ are filled in per
 * dialect. A migration, once released, is never edited: a change is a new migration.
 */
import type { SqlDriver } from './sql-driver.ts';

export interface Migration {
  version: number;
  name: string;
  statements: (d: Dialect) => string[];
}

interface Dialect {
  /** Auto-numbered primary key. */
  serial: string;
  /** 64-bit integer. */
  bigint: string;
  /** Table option for tables keyed by text (SQLite stores them in the key's b-tree). */
  keyed: string;
}

const DIALECTS: Record<SqlDriver['dialect'], Dialect> = {
  sqlite: { serial: 'INTEGER PRIMARY KEY', bigint: 'INTEGER', keyed: ' WITHOUT ROWID' },
  postgres: { serial: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY', bigint: 'BIGINT', keyed: '' },
};

export const SUBSCRIBER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'subscriptions, identities, Sh data, shared iFC sets, application servers',
    statements: (d) => [
      // Provisioned data is JSON in `data`; what changes at run time has columns of its own.
      `CREATE TABLE subscription (
        seq ${d.serial},
        id TEXT NOT NULL UNIQUE,
        data TEXT NOT NULL,
        scscf_name TEXT,
        scscf_host TEXT,
        scscf_realm TEXT,
        created_at ${d.bigint} NOT NULL,
        updated_at ${d.bigint} NOT NULL
      )`,
      `CREATE TABLE private_identity (
        impi TEXT PRIMARY KEY,
        subscription_seq ${d.bigint} NOT NULL REFERENCES subscription(seq) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        data TEXT NOT NULL,
        sqn ${d.bigint} NOT NULL DEFAULT 0
      )${d.keyed}`,
      'CREATE INDEX private_identity_subscription ON private_identity(subscription_seq)',
      `CREATE TABLE public_identity (
        impu TEXT PRIMARY KEY,
        subscription_seq ${d.bigint} NOT NULL REFERENCES subscription(seq) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        wildcard SMALLINT NOT NULL DEFAULT 0,
        data TEXT NOT NULL,
        registration_state TEXT NOT NULL DEFAULT 'NOT_REGISTERED',
        registered_impis TEXT NOT NULL DEFAULT '[]'
      )${d.keyed}`,
      'CREATE INDEX public_identity_subscription ON public_identity(subscription_seq)',
      'CREATE INDEX public_identity_wildcard ON public_identity(wildcard) WHERE wildcard = 1',
      `CREATE TABLE repository_data (
        impu TEXT NOT NULL REFERENCES public_identity(impu) ON DELETE CASCADE,
        service_indication TEXT NOT NULL,
        sequence_number INTEGER NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (impu, service_indication)
      )${d.keyed}`,
      `CREATE TABLE sh_subscription (
        impu TEXT NOT NULL REFERENCES public_identity(impu) ON DELETE CASCADE,
        as_host TEXT NOT NULL,
        data_reference INTEGER NOT NULL,
        service_indications TEXT NOT NULL,
        expires_at ${d.bigint},
        PRIMARY KEY (impu, as_host, data_reference, service_indications)
      )${d.keyed}`,
      'CREATE INDEX sh_subscription_expiry ON sh_subscription(expires_at) WHERE expires_at IS NOT NULL',
      `CREATE TABLE shared_ifc_set (id ${d.bigint} PRIMARY KEY, data TEXT NOT NULL)`,
      `CREATE TABLE application_server (name TEXT PRIMARY KEY, diameter_host TEXT, data TEXT NOT NULL)${d.keyed}`,
      'CREATE INDEX application_server_host ON application_server(diameter_host)',
    ],
  },
];

/** A constant for pg_advisory_xact_lock: instances starting together migrate one at a time. */
const MIGRATION_LOCK = 0x1a5_5ca1;

/** Applies the migrations not yet applied, all in one transaction; returns the schema version. */
export async function migrate(
  driver: SqlDriver,
  migrations: readonly Migration[] = SUBSCRIBER_MIGRATIONS,
): Promise<number> {
  const dialect = DIALECTS[driver.dialect];
  return driver.transaction(async (tx) => {
    if (driver.dialect === 'postgres') await tx.get(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.run(
      `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at ${dialect.bigint} NOT NULL)`,
    );
    const row = await tx.get<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
    let version = Number(row?.v ?? 0);
    for (const m of migrations) {
      if (m.version <= version) continue;
      for (const sql of m.statements(dialect)) await tx.run(sql);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        Date.now(),
      ]);
      version = m.version;
    }
    return version;
  });
}
