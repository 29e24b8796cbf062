/**
 * The `routing:` section of the S-CSCF config: where sessions go once the originating
 * services ran (TS 24.229 §5.4.3.2) and how the terminating leg reaches the callee
 * (§5.4.3.3). Defaults follow the demo topology.
 */
import { z } from 'zod';
import { DEMO } from '../../../config/demo-topology.ts';
import { isE164 } from '../../../ims/identity.ts';

const sipUriText = z.string().regex(/^sips?:/i, 'must be a SIP URI');

/** RFC 6116 ENUM: how a tel URI / E.164 number becomes a SIP URI (TS 24.229 §5.4.3.2 step 10). */
const enumSchema = z
  .discriminatedUnion('mode', [
    z.object({ mode: z.literal('none') }).strict(),
    z
      .object({
        mode: z.literal('static'),
        /** E.164 number (`+` and digits) → SIP URI. */
        table: z
          .record(
            z.string().refine((n) => isE164(n), 'must be an E.164 number (+ then digits)'),
            sipUriText,
          )
          .default({}),
      })
      .strict(),
    z
      .object({
        mode: z.literal('dns'),
        /** DNS servers ("ip" or "ip:port"); the system's when absent. */
        servers: z.array(z.string().min(1)).optional(),
        /** The ENUM apex (RFC 6116 §2.4). */
        suffix: z.string().min(1).default('e164.arpa'),
        /** How long to wait for the NAPTR answer before falling back to the BGCF. */
        timeoutMs: z.number().int().min(50).max(30_000).default(2000),
      })
      .strict(),
  ])
  .prefault({ mode: 'none' });

export const routingConfigSchema = z
  .object({
    /** The I-CSCF that locates the callee's S-CSCF (Cx LIR) for terminating handling. */
    icscf: sipUriText.default(`sip:${DEMO.icscf.host}:${DEMO.icscf.port}`),
    /**
     * 'icscf': requests to our own domain go through the I-CSCF (P-CSCF → S-CSCF → I-CSCF →
     * S-CSCF → P-CSCF); 'direct': a callee registered at this S-CSCF is served right away.
     */
    terminatingVia: z.enum(['icscf', 'direct']).default('icscf'),
    /** The BGCF, breakout towards the PSTN (TS 24.229 §5.4.3.2 step 10). */
    bgcf: sipUriText.default(`sip:${DEMO.bgcf.host}:${DEMO.bgcf.port}`),
    /**
     * Where a number goes that ENUM does not resolve (or with ENUM off), by operator policy
     * (TS 24.229 §5.4.3.2 step 10, Annex I): 'icscf' asks the home network first, whose HSS
     * knows the tel URIs of our own subscribers (the I-CSCF's Cx LIR; a number that is not ours
     * leaves through the I-CSCF's BGCF, TS 23.228 §5.15); 'bgcf' breaks out at once.
     */
    unresolvedNumbers: z.enum(['icscf', 'bgcf']).default('icscf'),
    enum: enumSchema,
    /** How long an AS may take to answer (any response) before its default handling applies. */
    asTimeoutMs: z.number().int().min(100).max(120_000).default(4000),
    /**
     * Stay on the path of dialogs (RFC 3261 §16.6 step 4), so in-dialog requests come back (TS
     * 24.229 §5.4.3.2 asks for it; our P-CSCFs relay a UE's in-dialog requests only towards the
     * S-CSCF of its Service-Route, so turning it off breaks them).
     */
    recordRoute: z.boolean().default(true),
    /** Bound of the original-dialog-identifier table and how long an entry lives. */
    odi: z
      .object({
        maxEntries: z.number().int().min(16).max(10_000_000).default(100_000),
        ttlMs: z.number().int().min(1000).max(3_600_000).default(300_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type RoutingConfig = z.output<typeof routingConfigSchema>;
