import { akaCommand } from './aka.ts';
import { CliError, EXIT_USAGE } from './errors.ts';
import { subscriberCommand } from './subscriber.ts';

const USAGE = `usage: ims <command> [options]

commands:
  up [--config FILE] [--data DIR] [--log-json]
                                    the whole core on this machine
  run <function> --config FILE [--http PORT] [--log-level LEVEL]
                                    one network function alone
  status [--json] [--data DIR]      functions up, their peers, registered users
  subscriber add|show|remove|list|import ...
  aka vector --k HEX (--op HEX | --opc HEX) --rand HEX --sqn HEX --amf HEX
  help                              this text`;

type Command = (args: string[]) => Promise<number> | number;

const commands: Record<string, Command> = {
  help: () => {
    console.log(USAGE);
    return 0;
  },
  up: async (args) => (await import('./up.ts')).upCommand(args),
  run: async (args) => (await import('./run.ts')).runCommand(args),
  status: async (args) => (await import('./status.ts')).statusCommand(args),
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
