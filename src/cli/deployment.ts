/**
 * The deployment `ims up` starts: which functions, each one's configuration (its section of
 * `ims.yaml`, with the data directory's paths as defaults), its HTTP endpoint, and the order
 * they start in. Every section is validated by its function's own schema before anything
 * starts; errors name the key from the top of the file (`scscf.registrar.maxExpires`).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { hostSchema, logSchema } from '../config/common.ts';
import { DEMO_DOMAIN, DEMO_HTTP_PORTS } from '../config/demo-topology.ts';
import { ConfigError } from '../config/load.ts';
import { isFunctionAvailable } from '../functions/host/availability.ts';
import { type HttpSection, loadFunction } from '../functions/host/index.ts';

/** Start order: what a function needs is up before it (HSS → S-CSCF → I-CSCF → P-CSCF). */
export const START_ORDER = [
  'hss',
  'slf',
  'scscf',
  'icscf',
  'pcscf',
  'as',
  'bgcf',
  'mgcf',
  'pstn',
  'mrf',
  'pcrf',
  'nass',
  'cdf',
];

/** Started only when their section says `enabled: true` (one HSS needs no SLF). */
const OFF_BY_DEFAULT = new Set(['slf']);

export interface DeployedFunction {
  name: string;
  /** The function's own configuration data (what its schema validates), paths defaulted. */
  data: Record<string, unknown>;
  /** The validated configuration (for the summary). */
  config: unknown;
  http: HttpSection;
}

export interface Deployment {
  domain: string;
  dataDir: string;
  logLevel: string | undefined;
  /** Enabled functions whose code exists, in start order. */
  functions: DeployedFunction[];
  /** Enabled by the file (or by default) but not in the tree yet. */
  missing: string[];
}

const topSchema = z
  .object({
    /** Home domain: the demo subscribers' and the summary's (function sections keep their own). */
    domain: hostSchema.default(DEMO_DOMAIN),
    /** Data directory (SQLite, registrations snapshot, TLS material); `--data` wins. */
    data: z.string().min(1).optional(),
    /** Log level of every function (each section's `log.level` when absent). */
    log: logSchema.partial().strict().optional(),
    ...Object.fromEntries(
      START_ORDER.map((n) => [n, z.record(z.string(), z.unknown()).nullable().optional()]),
    ),
  })
  .strict();

const hostKeysSchema = z
  .object({
    enabled: z.boolean().optional(),
    http: z
      .object({ address: hostSchema.optional(), port: z.number().int().min(0).max(65535).optional() })
      .strict()
      .optional(),
  })
  .loose();

/** Reads `ims.yaml` (or nothing: the demo) into a Deployment; throws ConfigError naming the key. */
export async function loadDeployment(
  file: string | undefined,
  dataOption: string | undefined,
): Promise<Deployment> {
  const source = file ?? 'ims up';
  const raw = file === undefined ? {} : readYaml(file);
  const top = check(topSchema, raw, source, '') as z.output<typeof topSchema> & Record<string, unknown>;
  const dataDir = resolve(dataOption ?? top.data ?? './data');
  const deployment: Deployment = {
    domain: top.domain,
    dataDir,
    logLevel: top.log?.level,
    functions: [],
    missing: [],
  };
  for (const name of START_ORDER) {
    const section = (top[name] ?? {}) as Record<string, unknown>;
    const { enabled, http, ...own } = check(hostKeysSchema, section, source, name);
    if (!(enabled ?? !OFF_BY_DEFAULT.has(name))) continue;
    if (!isFunctionAvailable(name)) {
      if (enabled) deployment.missing.push(name);
      continue;
    }
    const launcher = await loadFunction(name);
    const data = withDefaults(dataDefaults(name, dataDir), own);
    const config = check(launcher.schema, data, source, name);
    deployment.functions.push({
      name,
      data,
      config,
      http: { address: http?.address ?? '127.0.0.1', port: http?.port ?? DEMO_HTTP_PORTS[name] ?? 0 },
    });
  }
  await acceptDeploymentPeers(deployment, source);
  return deployment;
}

/**
 * The HSS accepts the Diameter clients of this deployment (their Origin-Host, whatever the
 * file renames them to), unless its own section lists its peers.
 */
async function acceptDeploymentPeers(deployment: Deployment, source: string): Promise<void> {
  const hss = deployment.functions.find((f) => f.name === 'hss');
  const own = (hss?.data.diameter ?? {}) as Record<string, unknown>;
  if (!hss || own.peers !== undefined) return;
  const clients = deployment.functions
    .filter((f) => f.name !== 'hss' && f.name !== 'slf')
    .map((f) => (f.config as { diameter?: { originHost?: unknown } }).diameter?.originHost)
    .filter((host): host is string => typeof host === 'string');
  if (clients.length === 0) return;
  hss.data = withDefaults(hss.data, { diameter: { peers: clients.map((host) => ({ host })) } });
  hss.config = check((await loadFunction('hss')).schema, hss.data, source, 'hss');
}

/** What `ims up` puts in the data directory unless the section says otherwise. */
function dataDefaults(name: string, dataDir: string): Record<string, unknown> {
  switch (name) {
    case 'hss':
      return { store: { backend: 'sqlite', path: join(dataDir, 'hss.sqlite') } };
    case 'scscf':
      // Registrations survive a restart of `ims up` (written on stop, read on start).
      return { store: { backend: 'memory', snapshotPath: join(dataDir, 'scscf-registrations.json') } };
    case 'pcscf':
      // The self-signed demo certificate for the tls and wss listeners, created on first start;
      // the flow token key and the registrations, so that UEs registered before a restart are
      // still served after it (the S-CSCF keeps their Path).
      return {
        tlsDir: join(dataDir, 'tls'),
        flowTokenKeyFile: join(dataDir, 'pcscf-flow-token.key'),
        registrationSnapshotPath: join(dataDir, 'pcscf-registrations.json'),
      };
    default:
      return {};
  }
}

/** `own` over `defaults`, mappings merged key by key, anything else replaced. */
function withDefaults(
  defaults: Record<string, unknown>,
  own: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(own)) {
    const base = out[key];
    out[key] = isMapping(base) && isMapping(value) ? withDefaults(base, value) : value;
  }
  return out;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    return parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(`${file}: not valid YAML: ${msg}`);
  }
}

/** Validates `data`; a failure names the key from the top of the file (`prefix.key`). */
function check<S extends z.ZodType>(schema: S, data: unknown, source: string, prefix: string): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  let key = prefix;
  for (const p of issue.path) key += typeof p === 'number' ? `[${p}]` : key ? `.${String(p)}` : String(p);
  throw new ConfigError(`${source}: ${key ? `key '${key}'` : 'top level'}: ${issue.message}`, key);
}
