import { z } from 'zod';

/** Settings every network function shares. */
export const logSchema = z
  .object({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  })
  .strict();

export const hostSchema = z.string().min(1, 'must be a host name or IP address');
export const portSchema = z.number().int().min(1).max(65535);
