/**
 * The I-CSCF configuration (`ims run icscf --config FILE`): its SIP listeners, its Diameter
 * client towards the HSS (or an SLF), the home domains it serves, the S-CSCFs it may select
 * with the Server-Capabilities each offers (TS 29.228 §6.7, TS 23.228 §5.8.1), topology hiding
 * and the S-CSCF response timeout. `{}` is the demo topology. Validated once, then frozen.
 */
import { z } from 'zod';
import { hostSchema, logSchema } from '../../config/common.ts';
import { DEMO, DEMO_DOMAIN } from '../../config/demo-topology.ts';
import { loadConfig } from '../../config/load.ts';
import { diameterClientSchema, sipSectionSchema } from '../../config/sip-function.ts';
import { parseUri, SipUri } from '../../sip/message/index.ts';

const sipUriSchema = z.string().refine(
  (text) => {
    try {
      return parseUri(text) instanceof SipUri;
    } catch {
      return false;
    }
  },
  { message: 'must be a sip: or sips: URI' },
);

const scscfSchema = z
  .object({
    /** The S-CSCF's SIP URI: the Server-Name the HSS stores for it, e.g. sip:scscf.ims.test:6060. */
    uri: sipUriSchema,
    /** The Server-Capabilities ids (Mandatory-/Optional-Capability values) it offers. */
    capabilities: z.array(z.number().int().min(0).max(0xffffffff)).default([]),
    /** Share of new users among equally capable S-CSCFs (weighted random). */
    weight: z.number().int().min(1).max(1000).default(1),
  })
  .strict();

export const icscfConfigSchema = z
  .object({
    sip: sipSectionSchema(DEMO.icscf),
    diameter: diameterClientSchema(DEMO.icscf.host),
    /** Home domains: REGISTERs and terminating requests for other domains are refused. */
    domains: z.array(hostSchema).min(1).default([DEMO_DOMAIN]),
    /** The S-CSCFs of the home network to select among. */
    scscfs: z
      .array(scscfSchema)
      .min(1, 'at least one S-CSCF')
      .default([{ uri: `sip:${DEMO.scscf.host}:${DEMO.scscf.port}`, capabilities: [], weight: 1 }]),
    /** Topology hiding (THIG, TS 24.229 §5.3.3, TS 23.228 §4.14). */
    thig: z
      .object({
        enabled: z
          .literal(false, { message: 'THIG (topology hiding) is not implemented yet' })
          .default(false),
      })
      .strict()
      .prefault({}),
    /**
     * The BGCF for numbers the HSS does not know (TS 23.228 §5.15, TS 24.229 Annex I: transit
     * after the I-CSCF procedures failed). Without one such a number gets 404.
     */
    bgcf: sipUriSchema.optional(),
    /** How long to wait for an S-CSCF's first response to a REGISTER before selecting another, ms. */
    scscfTimeoutMs: z.number().int().min(100).max(60_000).default(4000),
    log: logSchema.prefault({}),
  })
  .strict();

export type IcscfConfig = z.output<typeof icscfConfigSchema>;
export type ScscfEntry = IcscfConfig['scscfs'][number];

export function loadIcscfConfig(file: string): IcscfConfig {
  return loadConfig(icscfConfigSchema, file);
}
