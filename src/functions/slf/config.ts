/**
 * The SLF configuration (`ims run slf --config FILE`): its Diameter identity and listener, the
 * HSSs it knows, and the identity table that says which HSS holds a user (TS 23.228 §5.8.1,
 * TS 29.228 §6.4). Validated once at start-up, then frozen.
 */
import { z } from 'zod';
import { hostSchema, logSchema } from '../../config/common.ts';
import { loadConfig } from '../../config/load.ts';
import { RedirectHostUsage } from '../../diameter/routing/redirect-cache.ts';

const port = z.number().int().min(0).max(65535);

const hssSchema = z
  .object({
    /** The HSS's Diameter identity (Origin-Host): the host of the Redirect-Host URI. */
    host: hostSchema,
    /** Its Diameter port (RFC 6733 §4.3.1 default 3868). */
    port: port.min(1).default(3868),
    /** aaas:// (Diameter over TLS) instead of aaa://. */
    tls: z.boolean().default(false),
  })
  .strict();

/** One row of the identity table: exactly one of exact, prefix, regex, and the HSS it leads to. */
const routeSchema = z.union([
  z.object({ exact: z.string().min(1), hss: z.string().min(1) }).strict(),
  z.object({ prefix: z.string().min(1), hss: z.string().min(1) }).strict(),
  z
    .object({
      regex: z.string().refine(
        (source) => {
          try {
            new RegExp(source);
            return true;
          } catch {
            return false;
          }
        },
        { message: 'must be a valid regular expression' },
      ),
      hss: z.string().min(1),
    })
    .strict(),
]);

export const slfConfigSchema = z
  .object({
    diameter: z
      .object({
        originHost: hostSchema.default('slf.ims.test'),
        originRealm: hostSchema.default('ims.test'),
        listen: z
          .object({ address: hostSchema.default('127.0.0.1'), port: port.default(3869) })
          .strict()
          .prefault({}),
        /** Accept CERs from hosts not listed in `peers` (CSCFs and ASs ask the SLF). */
        acceptUnknownPeers: z.boolean().default(true),
        peers: z
          .array(
            z
              .object({ host: hostSchema, address: hostSchema.optional(), port: port.min(1).optional() })
              .strict(),
          )
          .default([]),
      })
      .strict()
      .prefault({}),
    /** The HSSs, by a name the routes use. */
    hss: z.record(z.string().min(1), hssSchema).refine((m) => Object.keys(m).length > 0, {
      message: 'at least one HSS is required',
    }),
    /** Exact identities first, then the longest prefix, then the regular expressions in order. */
    routes: z.array(routeSchema).default([]),
    /** The HSS of identities no route matches; absent: DIAMETER_ERROR_USER_UNKNOWN. */
    defaultHss: z.string().min(1).optional(),
    redirect: z
      .object({
        /** RFC 6733 §6.13 Redirect-Host-Usage; ALL_USER lets clients cache the HSS per user. */
        usage: z
          .enum(
            Object.keys(RedirectHostUsage) as [
              keyof typeof RedirectHostUsage,
              ...(keyof typeof RedirectHostUsage)[],
            ],
          )
          .default('ALL_USER'),
        /** RFC 6733 §6.14 Redirect-Max-Cache-Time, seconds. */
        maxCacheTime: z.number().int().min(0).default(3600),
      })
      .strict()
      .prefault({}),
    log: logSchema.prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const known = new Set(Object.keys(config.hss));
    config.routes.forEach((route, i) => {
      if (!known.has(route.hss))
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'hss'], message: `no HSS named '${route.hss}'` });
    });
    if (config.defaultHss !== undefined && !known.has(config.defaultHss))
      ctx.addIssue({ code: 'custom', path: ['defaultHss'], message: `no HSS named '${config.defaultHss}'` });
  });

export type SlfConfig = z.output<typeof slfConfigSchema>;

export function loadSlfConfig(file: string): SlfConfig {
  return loadConfig(slfConfigSchema, file);
}
