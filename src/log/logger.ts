import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  /** pino level: trace, debug, info, warn, error, fatal, silent. */
  level?: string;
  /** Network function or component name, bound to every line as `fn`. */
  name?: string;
  /**
   * Write each line to stdout before the call returns, instead of from a buffer later: a
   * function run by `ims up` then never has a line of its start-up arrive after the ready line
   * it writes to the same pipe (pino's default stdout writer is asynchronous).
   */
  sync?: boolean;
}

/**
 * Creates the root structured logger. Libraries never call this: they take a Logger
 * (or a child of one) through their constructor, as STYLE.md asks.
 */
export function createLogger(settings: LoggerSettings = {}, destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: settings.name ? { fn: settings.name } : null,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (destination) return pino(options, destination as pino.DestinationStream);
  return settings.sync ? pino(options, pino.destination({ dest: 1, sync: true })) : pino(options);
}

/** A logger that drops everything: the default for libraries used without one. */
export const silentLogger: Logger = pino({ level: 'silent' });
