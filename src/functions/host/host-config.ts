/**
 * What the host adds to a function's own configuration: the `http` section (where /health and
 * /metrics listen). It is taken out of the file before the function's schema (strict) sees it.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { hostSchema } from '../../config/common.ts';
import { ConfigError, validateConfig } from '../../config/load.ts';

export const httpSectionSchema = z
  .object({
    address: hostSchema.default('127.0.0.1'),
    /** 0 asks the system for a free port. */
    port: z.number().int().min(0).max(65535),
  })
  .strict();

export type HttpSection = z.output<typeof httpSectionSchema>;

/** A function's file split into the host's `http` section and the function's own data. */
export interface FunctionFile {
  http: HttpSection | undefined;
  data: Record<string, unknown>;
}

/** Reads a YAML (or JSON) file; errors name the file (and the key, for `http`). */
export function readFunctionFile(file: string): FunctionFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true }) ?? {};
  } catch (err) {
    const msg = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(`${file}: not valid YAML: ${msg}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new ConfigError(`${file}: top level: expected a mapping of sections`);
  const { http, ...rest } = data as Record<string, unknown>;
  const section =
    http === undefined
      ? undefined
      : (validateConfig(z.object({ http: httpSectionSchema }), { http }, file).http as HttpSection);
  return { http: section, data: rest };
}
