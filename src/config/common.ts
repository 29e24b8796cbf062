import { z } from 'zod';

/** pino's levels, most verbose first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Settings every network function shares. */
export const logSchema = z
  .object({
    level: z.enum(LOG_LEVELS).default('info'),
  })
  .strict();

export const hostSchema = z.string().min(1, 'must be a host name or IP address');
export const portSchema = z.number().int().min(1).max(65535);
