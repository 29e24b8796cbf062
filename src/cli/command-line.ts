/**
 * The command line of every `ims` command, read with node:util's parseArgs. What parseArgs
 * refuses (an unknown option, an option without its value, a value given to a flag, an argument
 * where none is taken) becomes one line naming the whole command and the option, exit status 2,
 * instead of parseArgs' own text (which suggests `-- "--bogus"`, advice for another tool).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { CliError, EXIT_USAGE } from './errors.ts';

/**
 * `parseArgs(config)` for `command` (`ims subscriber add`): its result, or a CliError such as
 * `ims subscriber add: unknown option --bogus (try 'ims subscriber add --help')`.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  command: string,
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    if (!(err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')))
      throw err;
    throw new CliError(`${command}: ${whatIsWrong(config, err)} (try '${command} --help')`, EXIT_USAGE);
  }
}

/**
 * What is wrong with a command line strict parseArgs refused: read again without strictness,
 * its tokens say which argument is at fault (parseArgs' error has no field for it).
 */
function whatIsWrong(config: ParseArgsConfig, err: Error): string {
  const { tokens } = parseArgs({ ...config, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      if (config.allowPositionals !== true) return `unexpected argument '${token.value}'`;
      continue;
    }
    if (token.kind !== 'option') continue;
    const option = config.options?.[token.name];
    if (option === undefined) return `unknown option ${token.rawName}`;
    if (option.type === 'boolean' && token.value !== undefined) return `${token.rawName} takes no value`;
    if (option.type === 'string') {
      if (token.value === undefined) return `${token.rawName} needs a value`;
      // parseArgs takes the next argument as the value, but refuses one that looks like an option.
      if (!token.inlineValue && token.value.length > 1 && token.value.startsWith('-'))
        return `${token.rawName} needs a value; one starting with '-' is written --${token.name}=VALUE`;
    }
  }
  // Not found above (a parseArgs of a newer Node refusing something else): its first sentence.
  return (err.message.split(/\.\s/)[0] ?? err.message).replace(/\.$/, '');
}
