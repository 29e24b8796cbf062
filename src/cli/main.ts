import { akaCommand } from './aka.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { printUsage } from './help.ts';
import { subscriberCommand } from './subscriber.ts';

const USAGE = `usage: ims <command> [options]

commands:
  up [--config FILE] [--data DIR] [--log-json]
                                    the whole core on this machine
  run <function> --config FILE [--http PORT] [--log-level LEVEL]
                                    one network function alone
  status [--json] [--data DIR]      functions up, their peers, registered users
  subscriber add|show|remove|list|import ...
                                    subscribers, through the HSS REST API
  aka vector --k HEX (--op HEX | --opc HEX) --rand HEX --sqn HEX --amf HEX
                                    MILENAGE outputs as JSON
  help [<command>]                  this text, or the usage of one command

ims <command> --help (or -h) prints the usage of that command.`;

type Command = (args: string[]) => Promise<number> | number;

const commands: Record<string, Command> = {
  help: (args) => {
    const [name, ...rest] = args;
    if (name === undefined) return printUsage(USAGE);
    const command = name === 'help' ? undefined : commands[name];
    if (!command) throw new CliError(`ims help: unknown command '${name}' (try 'ims help')`, EXIT_USAGE);
    return command([...rest, '--help']);
  },
  up: async (args) => (await import('./up.ts')).upCommand(args),
  run: async (args) => (await import('./run.ts')).runCommand(args),
  status: async (args) => (await import('./status.ts')).statusCommand(args),
  subscriber: subscriberCommand,
  aka: akaCommand,
};

/**
 * Output piped into a reader that stops early (`ims subscriber list --json | head`): the
 * command ends quietly, as Unix tools do, instead of a stack trace for EPIPE.
 */
let pipeWatched = false;
function exitQuietlyOnBrokenPipe(): void {
  if (pipeWatched) return;
  pipeWatched = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

/** Runs the `ims` command line; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnBrokenPipe();
  const [first, ...rest] = argv;
  // `ims`, `ims --help`, `ims -h`: the usage.
  const name = first === undefined || first === '--help' || first === '-h' ? 'help' : first;
  const command = commands[name];
  try {
    if (!command) throw new CliError(`ims: unknown command '${name}' (try 'ims help')`, EXIT_USAGE);
    return await command(name === first ? rest : []);
  } catch (err) {
    if (err instanceof CliError) {
      console.error(err.message);
      return err.exitCode;
    }
    throw err;
  }
}
