/**
 * Which network functions can be started, and how: a name → a loader giving the function's
 * config schema and a start function returning a RunningFunction. The CSCFs and later functions
 * are found at run time (their folder's index.ts exporting `start<Name>` and, from config.ts,
 * `<name>ConfigSchema`), so the launcher knows them as soon as their code lands.
 */
import type { z } from 'zod';
import type { Logger } from '../../log/logger.ts';
import { hssConfigSchema } from '../hss/config.ts';
import type { RunningFunction } from '../running-function.ts';
import { slfConfigSchema } from '../slf/config.ts';
import { startHssFunction, startSlfFunction } from './adapters.ts';
import { functionModuleUrl, isFunctionAvailable } from './availability.ts';

export { isFunctionAvailable } from './availability.ts';

export interface FunctionLauncher {
  readonly name: string;
  readonly schema: z.ZodType;
  start(config: unknown, logger: Logger): Promise<RunningFunction>;
  /** Loads the code `start` needs ahead of time. */
  preload?(): Promise<void>;
}

const BUILT_IN: Record<string, FunctionLauncher> = {
  hss: {
    name: 'hss',
    schema: hssConfigSchema,
    start: (config, logger) => startHssFunction(config as z.output<typeof hssConfigSchema>, logger),
    preload: async () => {
      await Promise.all([import('../hss/index.ts'), import('../hss/api/start-api.ts')]);
    },
  },
  slf: {
    name: 'slf',
    schema: slfConfigSchema,
    start: (config, logger) => startSlfFunction(config as z.output<typeof slfConfigSchema>, logger),
    preload: async () => {
      await import('../slf/index.ts');
    },
  },
};

/** `scscf` → `Scscf`, for `startScscf` and `scscfConfigSchema`. */
const capitalized = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** Thrown when a function cannot be loaded: not in the tree, or not exporting what it must. */
export class FunctionUnavailableError extends Error {
  readonly code = 'ERR_IMS_FUNCTION_UNAVAILABLE';
}

export async function loadFunction(name: string): Promise<FunctionLauncher> {
  const builtIn = BUILT_IN[name];
  if (builtIn) return builtIn;
  if (!isFunctionAvailable(name)) throw new FunctionUnavailableError(`${name} is not implemented yet`);
  // A path in a variable: the type checker needs no module that has not landed yet.
  const specifier = functionModuleUrl(name).href;
  const mod = (await import(specifier)) as Record<string, unknown>;
  const startName = `start${capitalized(name)}`;
  const schemaName = `${name}ConfigSchema`;
  let schema = mod[schemaName];
  if (schema === undefined) {
    const configSpecifier = functionModuleUrl(name, 'config.ts').href;
    schema = ((await import(configSpecifier)) as Record<string, unknown>)[schemaName];
  }
  const start = mod[startName];
  if (typeof start !== 'function')
    throw new FunctionUnavailableError(`${name}: its index.ts does not export ${startName}()`);
  if (typeof (schema as { safeParse?: unknown } | undefined)?.safeParse !== 'function')
    throw new FunctionUnavailableError(`${name}: ${schemaName} (a zod schema) is not exported`);
  return {
    name,
    schema: schema as z.ZodType,
    start: async (config, logger) => {
      const running = (await start(config, logger)) as RunningFunction;
      if (typeof running?.status !== 'function' || typeof running.stop !== 'function')
        throw new FunctionUnavailableError(`${name}: ${startName}() did not return a RunningFunction`);
      return running;
    },
  };
}
