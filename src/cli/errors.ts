/** An error the CLI prints as one line on stderr, exiting with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Exit status for a command line that cannot be understood. */
export const EXIT_USAGE = 2;
