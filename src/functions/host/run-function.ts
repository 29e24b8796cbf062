/**
 * Runs one network function with its HTTP endpoint (/health, /metrics): what `ims run <name>`
 * does, and so what each child process of `ims up` does.
 */
import { validateConfig } from '../../config/load.ts';
import { createLogger, type Logger } from '../../log/logger.ts';
import { FunctionMetrics, type HealthServer, startHealthServer } from '../../metrics/index.ts';
import type { FunctionStatus, RunningFunction } from '../running-function.ts';
import { type HttpSection, readFunctionFile } from './host-config.ts';
import { loadFunction } from './registry.ts';

export interface RunFunctionOptions {
  logger: Logger;
  /** Where /health and /metrics listen; none when absent. */
  http?: HttpSection | undefined;
  /** Process metrics in /metrics (default true; tests with several functions in one process turn them off). */
  processMetrics?: boolean;
}

/** The body of GET /health (and of the `ready` message to `ims up`). */
export interface HealthReport extends FunctionStatus {
  name: string;
  pid: number;
  /** Seconds since the function started. */
  uptime: number;
}

export interface HostedFunction {
  readonly running: RunningFunction;
  readonly http: HealthServer | undefined;
  health(): Promise<HealthReport>;
  /** HTTP endpoint closed, then the function stopped. Idempotent. */
  stop(): Promise<void>;
}

/** Starts function `name` with a validated `config`, then its HTTP endpoint. */
export async function runFunction(
  name: string,
  config: unknown,
  options: RunFunctionOptions,
): Promise<HostedFunction> {
  const launcher = await loadFunction(name);
  const running = await launcher.start(config, options.logger);
  const startedAt = Date.now();
  const health = async (): Promise<HealthReport> => {
    const status = await running.status();
    return { name, pid: process.pid, uptime: Math.round((Date.now() - startedAt) / 1000), ...status };
  };
  const metrics = new FunctionMetrics(
    {
      name,
      ...(running.sipLayers ? { sipLayers: running.sipLayers } : {}),
      ...(running.diameter ? { diameterOriginHost: running.diameter.originHost } : {}),
      snapshot: () => Promise.resolve(running.status()),
      countsRegisteredUsers: (await running.status()).registeredUsers !== undefined,
    },
    { processMetrics: options.processMetrics ?? true },
  );
  let http: HealthServer | undefined;
  if (options.http) {
    try {
      http = await startHealthServer({
        host: options.http.address,
        port: options.http.port,
        metrics,
        health: async () => ({ ...(await health()) }),
        logger: options.logger,
      });
    } catch (err) {
      metrics.close();
      await running.stop().catch(() => undefined);
      throw new Error(
        `HTTP endpoint ${options.http.address}:${options.http.port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  let stopping: Promise<void> | undefined;
  return {
    running,
    http,
    health,
    stop: () =>
      (stopping ??= (async () => {
        await http?.close();
        metrics.close();
        await running.stop();
      })()),
  };
}

export interface LaunchOptions {
  /** Overrides the file's `http` section (`ims run --http PORT`). */
  httpPort?: number;
  /** Overrides the function's `log.level` (`ims run --log-level`). */
  logLevel?: string;
}

/** A function whose code is loaded and whose configuration is valid, not started yet. */
export interface PreparedFunction {
  readonly name: string;
  start(): Promise<HostedFunction>;
}

/**
 * The first half of `ims run <name> --config FILE`: loads the function's code and reads the
 * file (its `http` section is the host's, the rest is the function's, validated by its schema:
 * ConfigError names the key). `ims up` has every child do this at once, then starts them one
 * after the other.
 */
export async function prepareFunction(
  name: string,
  file: string,
  options: LaunchOptions = {},
): Promise<PreparedFunction> {
  const launcher = await loadFunction(name);
  const { http, data } = readFunctionFile(file);
  const config = validateConfig(launcher.schema, data, file) as { log?: { level?: string } };
  await launcher.preload?.();
  const httpSection: HttpSection | undefined =
    options.httpPort !== undefined ? { address: http?.address ?? '127.0.0.1', port: options.httpPort } : http;
  return {
    name,
    async start() {
      // pino JSON lines on stdout, `fn: name` on each.
      // Synchronous lines: what the start-up logged is on stdout before whatever the caller
      // writes next (the ready line that `ims up` prints its summary after).
      const logger = createLogger({
        name,
        level: options.logLevel ?? config.log?.level ?? 'info',
        sync: true,
      });
      const hosted = await runFunction(name, config, { logger, http: httpSection });
      logger.info({ http: hosted.http?.url }, `${name} running`);
      return hosted;
    },
  };
}

/** `ims run <name> --config FILE`: prepareFunction, then start. */
export async function launchFunction(
  name: string,
  file: string,
  options: LaunchOptions = {},
): Promise<HostedFunction> {
  return (await prepareFunction(name, file, options)).start();
}
