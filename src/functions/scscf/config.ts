/**
 * The S-CSCF configuration (`ims run scscf --config FILE`): its SIP identity and listeners, its
 * Diameter client towards the HSS, the home domains it registers users of, registrar limits,
 * the registration store and session routing (routing/config.ts). `{}` is the demo S-CSCF
 * (scscf.ims.test:6060, HSS at hss.ims.test:3868). Validated once at start-up, then frozen.
 */
import { z } from 'zod';
import { hostSchema, logSchema } from '../../config/common.ts';
import { DEMO, DEMO_DOMAIN } from '../../config/demo-topology.ts';
import { loadConfig } from '../../config/load.ts';
import { diameterClientSchema, sipSectionSchema } from '../../config/sip-function.ts';
import type { RegistrationStoreConfig } from '../../store/registrations/types.ts';
import { routingConfigSchema } from './routing/config.ts';

const seconds = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

/** Registrar limits and authentication (TS 24.229 §5.4.1, RFC 3261 §10.3). */
export const registrarSchema = z
  .object({
    /** RFC 3261 §10.3 step 7: shorter (non-zero) requests get 423 Interval Too Brief. */
    minExpires: seconds.min(1).default(60),
    /** Longer requests are shortened to this (TS 24.229 §5.4.1.2.2: the S-CSCF may reduce). */
    maxExpires: seconds.min(1).default(600_000),
    /** When the REGISTER names none (RFC 3261 §10.2.1.1); TS 24.229 §5.1.1.2.1 UEs ask 600000. */
    defaultExpires: seconds.min(1).default(3600),
    /** How long a challenge (nonce and its AKA vector) may be answered, seconds. */
    nonceLifetime: seconds.min(1).default(300),
    /**
     * SIP-Authentication-Scheme asked in MAR when the REGISTER does not say (TS 29.229 §6.3.9):
     * 'Unknown' lets the HSS pick what the subscriber has (AKA first, else SIP Digest).
     */
    defaultAuthScheme: z
      .enum(['Unknown', 'Digest-AKAv1-MD5', 'Digest-AKAv2-MD5', 'SIP Digest'])
      .default('Unknown'),
    /** TS 24.229 §5.4.1.2.1: put ik/ck in the AKA challenge for the P-CSCF (which removes them). */
    includeAkaKeys: z.boolean().default(true),
    /** reg event subscriptions (RFC 3680): expiry granted when asked for more or none, seconds. */
    subscriptionExpires: seconds.min(1).default(3761),
    /** Shortest reg event subscription accepted (RFC 6665 §4.2.1.1 423 below), seconds. */
    subscriptionMinExpires: seconds.min(1).default(60),
    /** How often the expiry sweep runs, ms. */
    sweepIntervalMs: z.number().int().min(50).max(60_000).default(1000),
    /** How long a third-party REGISTER may take before its AS is treated as failed, ms. */
    thirdPartyTimeoutMs: z.number().int().min(100).max(120_000).default(4000),
  })
  .strict()
  .prefault({})
  .refine((r) => r.minExpires <= r.maxExpires, { message: 'minExpires must not exceed maxExpires' })
  .refine((r) => r.defaultExpires >= r.minExpires && r.defaultExpires <= r.maxExpires, {
    message: 'defaultExpires must lie within [minExpires, maxExpires]',
  });

/** Where registrations live: memory (with an optional snapshot file) or Redis (several S-CSCFs). */
export const registrationStoreSchema = z
  .discriminatedUnion('backend', [
    z
      .object({
        backend: z.literal('memory'),
        snapshotPath: z.string().min(1).optional(),
        snapshotIntervalMs: z.number().int().min(1000).optional(),
      })
      .strict(),
    z
      .object({
        backend: z.literal('redis'),
        url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL'),
        keyPrefix: z.string().min(1).optional(),
      })
      .strict(),
  ])
  .default({ backend: 'memory' });

export const scscfConfigSchema = z
  .object({
    sip: sipSectionSchema(DEMO.scscf),
    diameter: diameterClientSchema(DEMO.scscf.host),
    /** Home domains: a REGISTER whose Request-URI names one is ours (TS 24.229 §5.4.1.1). */
    domains: z.array(hostSchema).min(1).default([DEMO_DOMAIN]),
    /**
     * The Server-Name in MAR/SAR (TS 29.229 §6.3.3): the URI the I-CSCF routes to. Default:
     * `sip:<sip.host>:<sip.port>`.
     */
    serverName: z
      .string()
      .regex(/^sips?:/i, 'must be a SIP URI')
      .optional(),
    registrar: registrarSchema,
    store: registrationStoreSchema,
    routing: routingConfigSchema,
    log: logSchema.prefault({}),
  })
  .strict()
  .transform((c) => ({ ...c, serverName: c.serverName ?? `sip:${c.sip.host}:${c.sip.port}` }));

export type ScscfConfig = z.output<typeof scscfConfigSchema>;

/** The store section as the registration store factory takes it. */
export function registrationStoreConfig(config: ScscfConfig): RegistrationStoreConfig {
  const s = config.store;
  if (s.backend === 'redis')
    return { backend: 'redis', url: s.url, ...(s.keyPrefix !== undefined ? { keyPrefix: s.keyPrefix } : {}) };
  return {
    backend: 'memory',
    ...(s.snapshotPath !== undefined ? { snapshotPath: s.snapshotPath } : {}),
    ...(s.snapshotIntervalMs !== undefined ? { snapshotIntervalMs: s.snapshotIntervalMs } : {}),
  };
}

/** Reads and validates an S-CSCF configuration file (YAML); throws ConfigError naming the key. */
export function loadScscfConfig(file: string): ScscfConfig {
  return loadConfig(scscfConfigSchema, file);
}
