import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/load.ts';
import type { HssConfig } from '../functions/hss/config.ts';
import { openSubscriberStore } from '../store/open-subscriber-store.ts';
import { parseCommandLine } from './command-line.ts';
import { type DemoSubscriber, ensureDemoSubscribers } from './demo-subscribers.ts';
import { type Deployment, loadDeployment } from './deployment.ts';
import { CliError } from './errors.ts';
import { printUsage, wantsHelp } from './help.ts';
import { formatLogLine } from './log-format.ts';
import { waitForStopSignal } from './signals.ts';
import { type Child, Supervisor } from './supervisor.ts';
import { removeUpState, writeUpState } from './up-state.ts';
import { upSummary } from './up-summary.ts';

/**
 * `ims up [--config ims.yaml] [--data DIR] [--log-json]`: every network function that exists,
 * each in a child process (`ims run <name>`), started in dependency order (HSS → S-CSCF →
 * I-CSCF → P-CSCF), their logs combined into one stream, demo subscribers provisioned on first
 * start. Ctrl-C (or SIGTERM) stops them in reverse order and exits 0; a function that dies
 * stops everything and exits 1.
 */
const USAGE = `usage: ims up [--config ims.yaml] [--data DIR] [--log-json]

The whole core on this machine, each network function in its own process, their logs in one
stream; demo subscribers provisioned on first start. Ctrl-C stops everything.
  --config, -c FILE    deployment file (default: the demo topology)
  --data DIR           SQLite file, keys, certificates and run state (default ./data)
  --log-json           log JSON lines instead of readable text`;

export async function upCommand(args: string[]): Promise<number> {
  if (wantsHelp(args)) return printUsage(USAGE);
  const { values } = parseCommandLine('ims up', {
    args,
    options: {
      config: { type: 'string', short: 'c' },
      data: { type: 'string' },
      'log-json': { type: 'boolean', default: false },
    },
    strict: true,
  });
  let deployment: Deployment;
  try {
    deployment = await loadDeployment(values.config, values.data);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(`ims up: ${err.message}`);
    throw err;
  }
  const { dataDir } = deployment;
  mkdirSync(join(dataDir, 'run'), { recursive: true });
  const demo = await provisionDemoSubscribers(deployment);

  // Listen for Ctrl-C before anything starts: it stops what has started so far.
  let stopRequested = false;
  const stopSignal = waitForStopSignal().then(() => {
    stopRequested = true;
  });
  const supervisor = new Supervisor();
  const color = process.stdout.isTTY === true;
  supervisor.on('line', (name, line, stream) => {
    if (values['log-json'] && stream === 'stdout') process.stdout.write(`${line}\n`);
    else process.stdout.write(`${formatLogLine(name, line, color)}\n`);
  });
  const died = new Promise<Child>((resolve) => {
    supervisor.on('died', (child, code, signal) => {
      console.error(
        `ims up: ${child.name} (pid ${child.pid}) died unexpectedly (${signal ?? `exit ${code}`}); stopping everything`,
      );
      resolve(child);
    });
  });

  const stop = async () => {
    await supervisor.stopAll();
    removeUpState(dataDir);
  };
  // Every child loads its code at once; then each starts after the previous one serves.
  const spawned = deployment.functions.map((fn) => {
    const configFile = join(dataDir, 'run', `${fn.name}.json`);
    // The function's section plus the host's http section; secrets inside: owner only.
    writeFileSync(configFile, `${JSON.stringify({ ...fn.data, http: fn.http }, null, 2)}\n`, { mode: 0o600 });
    return supervisor.spawn({ name: fn.name, configFile, logLevel: deployment.logLevel });
  });
  for (const child of spawned) {
    if (stopRequested) break;
    try {
      await supervisor.start(child);
    } catch (err) {
      await stop();
      throw new CliError(`ims up: ${(err as Error).message}`);
    }
  }
  if (stopRequested) {
    await stop();
    return 0;
  }
  writeUpState({
    pid: process.pid,
    startedAt: new Date().toISOString(),
    domain: deployment.domain,
    dataDir,
    functions: supervisor.children.map((c) => ({ name: c.name, pid: c.pid, http: c.http })),
  });
  console.log(
    upSummary({
      domain: deployment.domain,
      dataDir,
      children: supervisor.children,
      missing: deployment.missing,
      demo,
    }),
  );
  const dead = await Promise.race([stopSignal.then(() => undefined), died]);
  await stop();
  return dead ? 1 : 0;
}

/**
 * Demo subscribers on first start (an empty subscriber store), before the HSS starts: the
 * store is opened here, filled and closed, then the HSS opens it.
 */
async function provisionDemoSubscribers(deployment: Deployment): Promise<DemoSubscriber[]> {
  const hss = deployment.functions.find((f) => f.name === 'hss');
  if (!hss) return [];
  const { store } = hss.config as HssConfig;
  let subscribers: Awaited<ReturnType<typeof openSubscriberStore>>;
  try {
    subscribers = await openSubscriberStore(
      store.backend === 'pg' ? { backend: 'pg', url: store.url } : { backend: 'sqlite', path: store.path },
    );
  } catch (err) {
    throw new CliError(`ims up: the subscriber store did not open: ${(err as Error).message.split('\n')[0]}`);
  }
  try {
    return await ensureDemoSubscribers(subscribers, deployment.dataDir, deployment.domain);
  } finally {
    await subscribers.close();
  }
}
