import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  /** pino level: trace, debug, info, warn, error, fatal, silent. */
  level?: string;
  /** Network function or component name, bound to every line as `fn`. */
  name?: string;
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
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

/** A logger that drops everything: the default for libraries used without one. */
export const silentLogger: Logger = pino({ level: 'silent' });
