import { parseArgs } from 'node:util';
import { akaCommand } from './aka.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { findFunction, NETWORK_FUNCTIONS } from './functions.ts';
import { waitForStopSignal } from './signals.ts';
import { subscriberCommand } from './subscriber.ts';
import { upCommand } from './up.ts';

const USAGE = `usage: ims <command> [options]

commands:
  up [--config FILE] [--data DIR]   the whole core on this machine
  run <function> --config FILE      one network function alone
  status [--json]                   functions up, their peers, registered users
  subscriber add|show|remove|list|import ...
  aka vector --k HEX (--op HEX | --opc HEX) --rand HEX --sqn HEX --amf HEX
  help                              this text`;

type Command = (args: string[]) => Promise<number> | number;

const commands: Record<string, Command> = {
  help: () => {
    console.log(USAGE);
    return 0;
  },
  up: upCommand,
  run: async (args) => {
    const { positionals, values } = parseArgs({
      args,
      options: { config: { type: 'string', short: 'c' } },
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
    // Each function loads its configuration, logs JSON lines (pino) on stdout and starts.
    const launchers: Record<string, (file: string) => Promise<{ stop(): Promise<void> }>> = {
      hss: async (file) => {
        const { launchHss } = await import('../functions/hss/index.ts');
        const { startApi } = await import('../functions/hss/api/start-api.ts');
        return launchHss(file, { startApi });
      },
      slf: async (file) => (await import('../functions/slf/index.ts')).launchSlf(file),
    };
    const launch = launchers[fn.name];
    if (!launch) throw new CliError(`ims run: ${fn.name} has no start-up yet`);
    if (values.config === undefined)
      throw new CliError(`ims run ${fn.name}: --config FILE is required`, EXIT_USAGE);
    // SIGINT/SIGTERM: stop cleanly (DPR to the peers, listeners and store closed), exit 0.
    // Listened for before start-up logs anything: whoever reads the log may signal at once.
    const stopped = waitForStopSignal();
    let running: { stop(): Promise<void> };
    try {
      running = await launch(values.config);
    } catch (err) {
      // ConfigError names the file and the key; start-up failures (port taken, database) say why.
      throw new CliError(`ims run ${fn.name}: ${(err as Error).message.split('\n')[0]}`);
    }
    await stopped;
    await running.stop();
    return 0;
  },
  status: () => {
    throw new CliError('ims status: not implemented yet (issue #9)');
  },
  subscriber: subscriberCommand,
  aka: akaCommand,
};

/** Runs the `ims` command line; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = commands[name ?? 'help'];
  try {
    if (!command) throw new CliError(`ims: unknown command '${name}' (try 'ims help')`, EXIT_USAGE);
    return await command(rest);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(err.message);
      return err.exitCode;
    }
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`ims ${name}: ${err.message}`);
      return EXIT_USAGE;
    }
    throw err;
  }
}
