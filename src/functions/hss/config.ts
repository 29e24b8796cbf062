/**
 * The HSS configuration (`ims run hss --config FILE`): its Diameter identity and listener, the
 * subscriber store, authentication settings, Cx and Sh policy, and where the REST API listens
 * (the API itself lives in api/). Validated once at start-up, then frozen.
 */
import { z } from 'zod';
import { hostSchema, logSchema } from '../../config/common.ts';
import { DEMO } from '../../config/demo-topology.ts';
import { loadConfig } from '../../config/load.ts';

/** A TCP port; 0 asks the system for a free one (tests, and the log says which). */
const listenPort = z.number().int().min(0).max(65535);

const listenSchema = (port: number) =>
  z
    .object({ address: hostSchema.default('127.0.0.1'), port: listenPort.default(port) })
    .strict()
    .prefault({});

const peerSchema = z
  .object({
    /** The peer's Diameter identity (Origin-Host). */
    host: hostSchema,
    /** Where to connect; absent when the peer connects to us. */
    address: hostSchema.optional(),
    port: listenPort.min(1).optional(),
  })
  .strict();

export const diameterSchema = z
  .object({
    originHost: hostSchema.default('hss.ims.test'),
    originRealm: hostSchema.default('ims.test'),
    listen: listenSchema(3868),
    /**
     * The peers allowed to connect (or to connect to, with an address): the Diameter identities
     * of the CSCFs and ASs. Default: the demo S-CSCF and I-CSCF, which connect to the HSS.
     */
    peers: z.array(peerSchema).default(() => [{ host: DEMO.scscf.host }, { host: DEMO.icscf.host }]),
    /**
     * Accept a CER from a host not listed in `peers`. Off by default: the HSS hands out
     * password hashes and AKA vectors, to its own network only (RFC 6733 §5.3: 3010
     * DIAMETER_UNKNOWN_PEER, §13); a lab may turn it on.
     */
    acceptUnknownPeers: z.boolean().default(false),
    /** How long an RTR, PPR or PNR waits for its answer, ms. */
    requestTimeoutMs: z.number().int().min(100).max(120_000).default(5000),
  })
  .strict()
  .prefault({});

export const storeSchema = z
  .discriminatedUnion('backend', [
    z
      .object({
        backend: z.literal('sqlite'),
        path: z.string().min(1).default('./data/hss.sqlite'),
        synchronous: z.enum(['FULL', 'NORMAL']).optional(),
      })
      .strict(),
    z
      .object({
        backend: z.literal('pg'),
        url: z.string().min(1, 'must be a postgres:// URL'),
        maxConnections: z.number().int().min(1).max(1000).optional(),
      })
      .strict(),
  ])
  .default({ backend: 'sqlite', path: './data/hss.sqlite' });

export const authSchema = z
  .object({
    /**
     * The AKA variant the HSS picks when the S-CSCF leaves the choice to it (MAR with
     * SIP-Authentication-Scheme "Unknown" or none, TS 29.229 §6.3.9).
     */
    akaAlgorithm: z.enum(['AKAv1-MD5', 'AKAv2-MD5']).default('AKAv1-MD5'),
    /** At most this many SIP-Auth-Data-Items in one MAA, whatever SIP-Number-Auth-Items asks. */
    maxVectors: z.number().int().min(1).max(32).default(5),
    /** SQN management, TS 33.102 Annex C (defaults: the Annex C.3 profile). */
    sqn: z
      .object({
        indBits: z.number().int().min(0).max(16).default(5),
        delta: z
          .number()
          .int()
          .min(1)
          .default(2 ** 28),
      })
      .strict()
      .prefault({}),
    /** SIP Digest: the H(A1) handed out when the private identity has both (RFC 7616). */
    digestAlgorithm: z.enum(['MD5', 'SHA-256']).default('MD5'),
    /** SIP Digest: Digest-QoP of SIP-Digest-Authenticate (TS 29.229 §6.3.36). */
    digestQop: z.enum(['auth', 'auth-int', 'auth,auth-int']).default('auth'),
  })
  .strict()
  .prefault({});

export const cxSchema = z
  .object({
    /**
     * Visited-Network-Identifier values users may register from (TS 29.228 §6.1.1.1 roaming
     * check); '*' allows any. The home realm (originRealm) is always allowed.
     */
    allowedVisitedNetworks: z.array(z.string().min(1)).default(['*']),
    /**
     * TS 29.228 §6.1.2.1, *_DEREGISTRATION_STORE_SERVER_NAME: whether the HSS keeps the S-CSCF
     * name (DIAMETER_SUCCESS) or not (DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED).
     */
    keepServerNameOnDeregistration: z.boolean().default(true),
  })
  .strict()
  .prefault({});

export const shSchema = z
  .object({
    /**
     * Application servers not provisioned (no ApplicationServerDefinition with their Origin-Host)
     * may use Sh with every permission; false refuses them (TS 29.328 §6.2 AS permissions).
     */
    allowUnknownApplicationServers: z.boolean().default(true),
    /** Largest ServiceData accepted in a PUR, octets (DIAMETER_ERROR_TOO_MUCH_DATA beyond). */
    maxRepositoryDataBytes: z
      .number()
      .int()
      .min(1)
      .default(64 * 1024),
  })
  .strict()
  .prefault({});

export const hssConfigSchema = z
  .object({
    diameter: diameterSchema,
    store: storeSchema,
    auth: authSchema,
    cx: cxSchema,
    sh: shSchema,
    /** The REST API (api/): started when enabled and startHss is given its start function. */
    api: z
      .object({ enabled: z.boolean().default(true), listen: listenSchema(8080) })
      .strict()
      .prefault({}),
    log: logSchema.prefault({}),
  })
  .strict();

export type HssConfig = z.output<typeof hssConfigSchema>;

/** Reads and validates an HSS configuration file (YAML); throws ConfigError naming the key. */
export function loadHssConfig(file: string): HssConfig {
  return loadConfig(hssConfigSchema, file);
}
