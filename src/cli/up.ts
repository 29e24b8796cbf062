import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { validateConfig } from '../config/load.ts';
import { hssConfigSchema } from '../functions/hss/config.ts';
import { createLogger } from '../log/logger.ts';
import { type DemoSubscriber, ensureDemoSubscribers } from './demo-subscribers.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { NETWORK_FUNCTIONS } from './functions.ts';
import { waitForStopSignal } from './signals.ts';

/** The home domain and Diameter realm of the demo topology (ARCHITECTURE.md §2). */
const DOMAIN = 'ims.test';

/** What exists so far, printed by `ims up`. */
export const LIBRARIES: readonly { name: string; what: string }[] = [
  { name: 'sip', what: 'SIP messages, transports, transactions, stateful proxy, dialogs, B2BUA, RFC 3263' },
  { name: 'diameter', what: 'Diameter base protocol, peers, routing, Cx/Dx, Sh, Rx, Rf' },
  { name: 'aka', what: 'Milenage, IMS AKA vectors, SQN management; SIP Digest and AKA digest' },
];

export function upSummary(): string {
  const lines: string[] = ['Network functions:'];
  for (const f of NETWORK_FUNCTIONS) {
    const state = f.implemented ? 'ready' : `not implemented yet${f.issue ? ` (issue #${f.issue})` : ''}`;
    lines.push(`  ${f.name.padEnd(6)} ${f.role.padEnd(52)} ${state}`);
  }
  lines.push('', 'Libraries available:');
  for (const l of LIBRARIES) lines.push(`  ${l.name.padEnd(10)} ${l.what}`);
  return lines.join('\n');
}

function demoTable(demo: readonly DemoSubscriber[]): string {
  if (demo.length === 0) return 'Subscribers: provisioned earlier (ims subscriber list).';
  const lines = ['Demo subscribers (digest username = IMPI; AKA with K/OPc, AMF 8000):'];
  for (const d of demo) {
    lines.push(`  ${d.impu.padEnd(22)} ${d.tel.padEnd(13)} impi ${d.impi.padEnd(18)} password ${d.password}`);
    lines.push(`  ${''.padEnd(36)} k ${d.k} opc ${d.opc}`);
  }
  return lines.join('\n');
}

/**
 * `ims up`: every network function that exists, on this machine, with demo subscribers
 * provisioned on first start. Today that is the HSS (Diameter Cx/Sh on 3868, REST API on 8080,
 * SQLite in DATA/hss.sqlite); the CSCFs join as their issues land (`ims up` lists them).
 */
export async function upCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, data: { type: 'string' } },
    strict: true,
  });
  if (values.config !== undefined) {
    throw new CliError(
      'ims up: --config (one file for the whole deployment) is not implemented yet (issue #9)',
      EXIT_USAGE,
    );
  }
  const dataDir = resolve(values.data ?? './data');
  mkdirSync(dataDir, { recursive: true });
  const config = validateConfig(
    hssConfigSchema,
    { store: { backend: 'sqlite', path: join(dataDir, 'hss.sqlite') } },
    'ims up',
  );
  const logger = createLogger({ name: 'hss', level: 'warn' });
  const { startHss } = await import('../functions/hss/index.ts');
  const { startApi } = await import('../functions/hss/api/start-api.ts');
  let hss: Awaited<ReturnType<typeof startHss>>;
  try {
    hss = await startHss(config, logger, { startApi });
  } catch (err) {
    throw new CliError(`ims up: the HSS did not start: ${(err as Error).message.split('\n')[0]}`);
  }
  const demo = await ensureDemoSubscribers(hss.store, dataDir, DOMAIN);
  // Listen for Ctrl-C before the summary goes out: whoever reads it may signal at once.
  const stopped = waitForStopSignal();
  console.log(
    [
      `ims up: domain ${DOMAIN}, data in ${dataDir}`,
      '',
      'Running:',
      `  hss    Diameter Cx/Sh ${config.diameter.listen.address}:${hss.port} (${config.diameter.originHost}, realm ${config.diameter.originRealm})`,
      `         REST API http://${config.api.listen.address}:${config.api.listen.port}/api/v1 (OpenAPI at /api/v1/openapi.json)`,
      '',
      demoTable(demo),
      '',
      upSummary(),
      '',
      'Ctrl-C stops.',
    ].join('\n'),
  );
  await stopped;
  await hss.stop();
  return 0;
}
