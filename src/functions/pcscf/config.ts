/**
 * The P-CSCF configuration (`ims run pcscf --config FILE`): its SIP listeners (UEs come over
 * UDP, TCP, TLS, WS and WSS), where REGISTERs go (the I-CSCF of the home network), the security
 * agreement mechanisms it offers, the reg-event subscription and the identity policy.
 * `{}` is the demo configuration. Validated once at start-up, then frozen.
 *
 * TLS material for the tls/wss listeners comes, in this order, from `sip.tls`, from the
 * `tlsMaterial` option of `startPcscf` (what `ims up` passes after
 * ensureSelfSignedCertificate), or from `tlsDir` (a self-signed pair created there when missing).
 */
import { z } from 'zod';
import { hostSchema, logSchema } from '../../config/common.ts';
import { DEMO, DEMO_DOMAIN } from '../../config/demo-topology.ts';
import { loadConfig } from '../../config/load.ts';
import { sipSectionSchema } from '../../config/sip-function.ts';

/** The `sip:` section, whose default listen list has every UE-facing transport. */
const pcscfSipSchema = sipSectionSchema(DEMO.pcscf, [
  { protocol: 'tls', port: DEMO.pcscf.tlsPort },
  { protocol: 'ws', port: DEMO.pcscf.wsPort },
  { protocol: 'wss', port: DEMO.pcscf.wssPort },
]);

const sipUriText = z.string().regex(/^sips?:[^\s<>]+$/i, 'must be a SIP URI like sip:icscf.ims.test:4060');

export const pcscfConfigSchema = z
  .object({
    sip: pcscfSipSchema,
    /**
     * Where REGISTERs go: the I-CSCF of the home network. null: RFC 3263 on the home domain
     * (`sip:<domain>`, TS 24.229 §5.2.2.1).
     */
    icscf: sipUriText.nullable().default(`sip:${DEMO.icscf.host}:${DEMO.icscf.port}`),
    /** The home network's domain: orig-ioi of charging vectors, the RFC 3263 target without icscf. */
    domain: hostSchema.default(DEMO_DOMAIN),
    /** P-Visited-Network-ID to add to REGISTERs (roaming P-CSCF only, TS 24.229 §5.2.2.1). */
    visitedNetworkId: z.string().min(1).optional(),
    /** Directory of a self-signed tls.crt/tls.key created when missing, for tls/wss listeners. */
    tlsDir: z.string().min(1).optional(),
    /**
     * File holding the key that signs flow tokens (hex, created when missing), so that the
     * tokens registrars keep in Path stay valid across a restart. Unset: a new key each start.
     */
    flowTokenKeyFile: z.string().min(1).optional(),
    /**
     * File the registrations of UEs over UDP are written to on stop and read from on start
     * (with flowTokenKeyFile, they are served across a restart). Unset: none survive it.
     */
    registrationSnapshotPath: z.string().min(1).optional(),
    /** RFC 3329 security agreement: the mechanisms offered in Security-Server. */
    secAgree: z
      .object({
        /** DEVIATION: only `tls` (TS 33.203 §7 allows TLS); ipsec-3gpp is declined with 494. */
        mechanisms: z.array(z.literal('tls')).min(1).default(['tls']),
      })
      .strict()
      .prefault({}),
    /** TS 24.229 §5.2.3: subscribe to the reg event of each registered user. */
    subscribeRegEvent: z.boolean().default(true),
    /** Registration state is kept this long after its expiry (clock skew, late re-REGISTER). */
    registrationGraceSeconds: z.number().int().min(0).max(3600).default(10),
    /**
     * TS 24.229 §5.2.6.3.1: a P-Preferred-Identity outside the registered set identifies the
     * initiator by the default public user identity ('default-identity'); 'reject' answers 403
     * instead (stricter operator policy).
     */
    unknownPreferredIdentity: z.enum(['default-identity', 'reject']).default('default-identity'),
    /** Rx towards the PCRF (QoS): a later issue. */
    rx: z
      .object({ enabled: z.boolean().default(false) })
      .strict()
      .prefault({})
      .refine((rx) => !rx.enabled, { message: 'rx: not implemented yet (PCRF issue)' }),
    log: logSchema.prefault({}),
  })
  .strict();

export type PcscfConfig = z.output<typeof pcscfConfigSchema>;

export function loadPcscfConfig(file: string): PcscfConfig {
  return loadConfig(pcscfConfigSchema, file);
}
