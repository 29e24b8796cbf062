/**
 * `--help` / `-h` for every `ims` command: its usage on stdout, exit status 0. Looked for
 * before the command line is parsed, so that help works whatever else is on it. (An option
 * value that starts with a dash is given as `--password=-h`, which is not a help request.)
 */

/** True when `args` ask for help: `--help` or `-h` before a `--` that ends the options. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

/** Prints `usage` on stdout; the exit status of a help request. */
export function printUsage(usage: string): number {
  console.log(usage);
  return 0;
}
