import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';

/** A configuration that cannot be used; the message names the file and the bad key. */
export class ConfigError extends Error {
  readonly code = 'ERR_IMS_CONFIG';
  constructor(
    message: string,
    /** Dotted path of the offending key (e.g. `pcscf.listen[0].port`), empty for whole-file errors. */
    readonly key: string = '',
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Validates plain data against a schema; the result is frozen (options are validated at
 * start-up, then never change). `source` names where the data came from in errors.
 */
export function validateConfig<S extends z.ZodType>(
  schema: S,
  data: unknown,
  source = 'config',
): z.output<S> {
  const result = schema.safeParse(data ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = keyPath(issue.path);
    const where = key ? `key '${key}'` : 'top level';
    throw new ConfigError(`${source}: ${where}: ${issue.message}`, key);
  }
  return deepFreeze(result.data);
}

/** Parses YAML text and validates it. */
export function parseConfig<S extends z.ZodType>(schema: S, text: string, source = 'config'): z.output<S> {
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(`${source}: not valid YAML: ${msg}`);
  }
  return validateConfig(schema, data, source);
}

/** Reads a YAML file and validates it. */
export function loadConfig<S extends z.ZodType>(schema: S, file: string): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseConfig(schema, text, file);
}
