import { LOG_LEVELS } from '../config/common.ts';
import { FunctionUnavailableError, type HostedFunction, prepareFunction } from '../functions/host/index.ts';
import { parseCommandLine } from './command-line.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { findFunction, NETWORK_FUNCTIONS } from './functions.ts';
import { printUsage, wantsHelp } from './help.ts';
import { waitForStopSignal } from './signals.ts';

function runUsage(): string {
  const width = Math.max(...NETWORK_FUNCTIONS.map((f) => f.name.length));
  const functions = NETWORK_FUNCTIONS.map(
    (f) => `  ${f.name.padEnd(width)}  ${f.role}${f.implemented ? '' : ' (not implemented yet)'}`,
  );
  return `usage: ims run <function> --config FILE [--http PORT] [--log-level LEVEL]

One network function alone, in the foreground, logging JSON lines on stdout; Ctrl-C stops it.
  --config, -c FILE    its configuration (YAML or JSON)
  --http PORT          port of its /health and /metrics server
  --log-level LEVEL    trace, debug, info, warn, error, fatal, silent

functions:
${functions.join('\n')}`;
}

/**
 * What a child of `ims up` writes on stdout, as the line `{"imsReady":{...}}`, once it serves:
 * after its start-up log lines, so `ims up` prints its summary after them.
 */
export interface ReadyMessage {
  name: string;
  http: string | undefined;
  health: unknown;
}

/**
 * `ims run <function> --config FILE [--http PORT] [--log-level LEVEL]`: one network function
 * alone, logging pino JSON lines on stdout; SIGINT/SIGTERM stop it cleanly (exit 0). Also how
 * `ims up` runs each function in a child process (with an IPC channel): the child says it is
 * ready with a ReadyMessage line, and stops when the channel closes (the parent is gone).
 */
export async function runCommand(args: string[]): Promise<number> {
  if (wantsHelp(args)) return printUsage(runUsage());
  const { positionals, values } = parseCommandLine('ims run', {
    args,
    options: {
      config: { type: 'string', short: 'c' },
      http: { type: 'string' },
      'log-level': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const name = positionals[0];
  if (!name)
    throw new CliError(
      `ims run: which function? one of ${NETWORK_FUNCTIONS.map((f) => f.name).join(', ')}`,
      EXIT_USAGE,
    );
  const fn = findFunction(name);
  if (!fn) throw new CliError(`ims run: unknown function '${name}'`, EXIT_USAGE);
  if (!fn.implemented) {
    throw new CliError(
      `ims run: ${fn.name} is not implemented yet${fn.issue ? ` (issue #${fn.issue})` : ''}`,
    );
  }
  if (values.config === undefined)
    throw new CliError(`ims run ${fn.name}: --config FILE is required`, EXIT_USAGE);
  let httpPort: number | undefined;
  if (values.http !== undefined) {
    httpPort = Number(values.http);
    if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535)
      throw new CliError(`ims run ${fn.name}: --http must be a port number`, EXIT_USAGE);
  }
  const level = values['log-level'];
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level))
    throw new CliError(`ims run ${fn.name}: --log-level must be one of ${LOG_LEVELS.join(', ')}`, EXIT_USAGE);
  // SIGINT/SIGTERM: stop cleanly (DPR to the peers, listeners and store closed), exit 0.
  // Listened for before start-up logs anything: whoever reads the log may signal at once.
  const stopped = Promise.race([waitForStopSignal(), parentGone()]);
  let hosted: HostedFunction;
  try {
    const prepared = await prepareFunction(fn.name, values.config, {
      ...(httpPort !== undefined ? { httpPort } : {}),
      ...(values['log-level'] !== undefined ? { logLevel: values['log-level'] } : {}),
    });
    // A child of `ims up` loads its code with the others, then starts when told to.
    if (process.channel && process.env.IMS_UP_CHILD === '1') {
      const go = await Promise.race([startSignal(), stopped.then(() => false)]);
      if (!go) {
        if (process.connected) process.disconnect();
        return 0;
      }
    }
    hosted = await prepared.start();
  } catch (err) {
    // ConfigError names the file and the key; start-up failures (port taken, database) say why.
    const message = (err as Error).message.split('\n')[0];
    const unavailable = err instanceof FunctionUnavailableError;
    throw new CliError(`ims run ${fn.name}: ${message}${unavailable ? ' (module contract)' : ''}`);
  }
  if (process.channel) {
    const ready: ReadyMessage = { name: fn.name, http: hosted.http?.url, health: await hosted.health() };
    process.stdout.write(`${JSON.stringify({ imsReady: ready })}\n`);
  }
  await stopped;
  await hosted.stop();
  if (process.connected) process.disconnect();
  return 0;
}

/** Says 'loaded' to `ims up`; true on its 'start', false when it goes away first. */
function startSignal(): Promise<boolean> {
  return new Promise((resolve) => {
    const onMessage = (m: { type?: string }) => {
      if (m?.type !== 'start') return;
      process.removeListener('disconnect', onGone);
      process.removeListener('message', onMessage);
      resolve(true);
    };
    const onGone = () => resolve(false);
    process.on('message', onMessage);
    process.once('disconnect', onGone);
    process.send!({ type: 'loaded' });
  });
}

/** Resolves when the IPC channel to `ims up` closes (it died or let go); never without one. */
function parentGone(): Promise<void> {
  return new Promise((resolve) => {
    if (process.channel) process.once('disconnect', () => resolve());
  });
}
