/**
 * The JSON shapes of the subscriber model (model.ts) as zod schemas: what the REST API accepts
 * (`SubscriptionInput`, secrets as hex strings) and returns (`SubscriptionView`, secrets as
 * `{ "set": true }`). They check shape and JSON types only (a 400 when they fail); what the
 * values mean (identity syntax, hex lengths, schemes needing K, references between parts) is
 * the model's validation (subscription-validation.ts, a 422). The same schemas are the
 * components of the OpenAPI document (openapi.ts), registered in `apiSchemas` under their id.
 */
import { z } from 'zod';
import { AUTHENTICATION_SCHEMES } from '../model.ts';

export interface SchemaMeta {
  id: string;
  description?: string;
}

/** The named schemas of the API: `#/components/schemas/<id>` in the OpenAPI document. */
export const apiSchemas = z.registry<SchemaMeta>();

/** What the API shows in place of a secret (K, OPc, OP, HA1): that it is set, never its value. */
export const SecretMarker = z.strictObject({ set: z.literal(true) }).register(apiSchemas, {
  id: 'SecretMarker',
  description:
    'Stands for a secret the HSS holds (K, OPc, OP, HA1) and never returns. On PUT it keeps the ' +
    'stored value of the same private identity.',
});

/** The fields of a private identity that are secrets. */
export const SECRET_FIELDS = ['k', 'opc', 'op', 'ha1Md5', 'ha1Sha256'] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];

const sptBase = {
  conditionNegated: z.boolean(),
  groups: z.array(z.number().int()).describe('Group: the clauses this SPT belongs to (at least one)'),
};

export const ServicePointTrigger = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('requestUri'), requestUri: z.string(), ...sptBase }),
    z.strictObject({
      kind: z.literal('method'),
      method: z.string(),
      registrationTypes: z
        .array(z.number().int())
        .optional()
        .describe('Method REGISTER only: 0 INITIAL, 1 RE, 2 DE_REGISTRATION'),
      ...sptBase,
    }),
    z.strictObject({
      kind: z.literal('sipHeader'),
      header: z.string(),
      content: z.string().optional(),
      ...sptBase,
    }),
    z.strictObject({
      kind: z.literal('sessionCase'),
      sessionCase: z.number().int().describe('0..4, TS 29.228 Annex E tDirectionOfRequest'),
      ...sptBase,
    }),
    z.strictObject({
      kind: z.literal('sessionDescription'),
      line: z.string(),
      content: z.string().optional(),
      ...sptBase,
    }),
  ])
  .register(apiSchemas, { id: 'ServicePointTrigger', description: 'TS 29.228 Annex B.2.2 SPT' });

export const InitialFilterCriteria = z
  .strictObject({
    priority: z.number().int().describe('lower first; unique within a service profile'),
    triggerPoint: z
      .strictObject({
        conditionTypeCNF: z.boolean(),
        spts: z.array(ServicePointTrigger),
      })
      .optional()
      .describe('absent: the iFC always matches'),
    applicationServer: z.strictObject({
      serverName: z.string().describe('SIP URI of the AS'),
      defaultHandling: z.number().int().optional().describe('0 SESSION_CONTINUED, 1 SESSION_TERMINATED'),
      serviceInfo: z.string().optional(),
      includeRegisterRequest: z.boolean().optional(),
      includeRegisterResponse: z.boolean().optional(),
    }),
    profilePartIndicator: z.number().int().optional().describe('0 REGISTERED, 1 UNREGISTERED'),
  })
  .register(apiSchemas, { id: 'InitialFilterCriteria', description: 'TS 29.228 Annex B.2.2 iFC' });

const runtimeRegistration = {
  registrationState: z
    .enum(['NOT_REGISTERED', 'REGISTERED', 'UNREGISTERED'])
    .optional()
    .describe('runtime (TS 23.008 §5.1.2); ignored on input'),
  registeredPrivateIdentities: z.array(z.string()).optional().describe('runtime; ignored on input'),
};

export const PublicIdentity = z
  .strictObject({
    impu: z.string().describe('sip:, sips: or tel: URI; a wildcarded one holds !regex!'),
    identityType: z
      .number()
      .int()
      .optional()
      .describe('TS 29.228 Annex E tIdentityType 0..4 (default 0, public user identity)'),
    barringIndication: z.boolean().optional(),
    displayName: z.string().optional(),
    aliasIdentityGroupId: z.string().optional(),
    serviceProfileId: z.string(),
    ...runtimeRegistration,
  })
  .register(apiSchemas, { id: 'PublicIdentity', description: 'IMPU or PSI (TS 23.003 §13.4, §13.5)' });

export const ServiceProfile = z
  .strictObject({
    id: z.string(),
    initialFilterCriteria: z.array(InitialFilterCriteria).optional(),
    sharedIfcSetIds: z.array(z.number().int()).optional(),
    subscribedMediaProfileId: z.number().int().optional(),
  })
  .register(apiSchemas, { id: 'ServiceProfile', description: 'TS 29.228 Annex B.2.1 ServiceProfile' });

const ImplicitRegistrationSet = z
  .strictObject({ id: z.string(), publicIdentities: z.array(z.string()) })
  .register(apiSchemas, {
    id: 'ImplicitRegistrationSet',
    description: 'TS 23.228 §4.3.3.2: registered together; the first is the default public identity',
  });

const ServerCapabilities = z
  .strictObject({
    mandatoryCapabilities: z.array(z.number().int()),
    optionalCapabilities: z.array(z.number().int()),
    serverNames: z.array(z.string()),
  })
  .register(apiSchemas, { id: 'ServerCapabilities', description: 'TS 29.229 §6.3.4' });

const ChargingInformation = z
  .strictObject({
    primaryEventChargingFunctionName: z.string().optional(),
    secondaryEventChargingFunctionName: z.string().optional(),
    primaryChargingCollectionFunctionName: z.string().optional(),
    secondaryChargingCollectionFunctionName: z.string().optional(),
  })
  .register(apiSchemas, { id: 'ChargingInformation', description: 'TS 29.229 §6.3.19 (DiameterURIs)' });

export const ServerAssignment = z
  .strictObject({
    scscfName: z.string(),
    diameterHost: z.string().optional(),
    diameterRealm: z.string().optional(),
  })
  .register(apiSchemas, { id: 'ServerAssignment', description: 'runtime: the S-CSCF serving the user' });

function privateIdentity<S extends z.ZodType>(secret: S) {
  return z.strictObject({
    impi: z.string().describe('NAI username@realm (TS 23.003 §13.3)'),
    allowedSchemes: z.array(z.enum(AUTHENTICATION_SCHEMES as [string, ...string[]])),
    k: secret.optional().describe('AKA subscriber key K: 32 hex digits'),
    opc: secret.optional().describe('AKA OPc: 32 hex digits (give OPc or OP)'),
    op: secret.optional().describe('AKA OP: 32 hex digits'),
    amf: z.string().optional().describe('AKA AMF: 4 hex digits (default 8000)'),
    sqn: z.number().int().optional().describe('SQN_HE; taken on create, then runtime'),
    digestRealm: z.string().optional(),
    ha1Md5: secret.optional().describe('H(A1) MD5: 32 hex digits'),
    ha1Sha256: secret.optional().describe('H(A1) SHA-256: 64 hex digits'),
    publicIdentities: z.array(z.string()).optional().describe('IMPUs it may register; absent: all'),
  });
}

function subscription<P extends z.ZodType>(pi: P) {
  return z.strictObject({
    id: z.string().optional().describe('assigned by the HSS when absent'),
    privateIdentities: z.array(pi).optional().describe('absent or empty only for PSI-only subscriptions'),
    publicIdentities: z.array(PublicIdentity),
    serviceProfiles: z.array(ServiceProfile),
    implicitRegistrationSets: z.array(ImplicitRegistrationSet).optional(),
    serverCapabilities: ServerCapabilities.optional(),
    chargingInformation: ChargingInformation.optional(),
    serverAssignment: ServerAssignment.optional().describe('runtime; ignored on input'),
  });
}

export const PrivateIdentityInput = privateIdentity(z.union([z.string(), SecretMarker])).register(
  apiSchemas,
  {
    id: 'PrivateIdentityInput',
    description: 'IMPI and its authentication data; a secret is hex, or { "set": true } on PUT to keep it',
  },
);
export const PrivateIdentityView = privateIdentity(SecretMarker).register(apiSchemas, {
  id: 'PrivateIdentity',
  description: 'IMPI and its authentication data, secrets hidden',
});

export const SubscriptionInput = subscription(PrivateIdentityInput).register(apiSchemas, {
  id: 'SubscriptionInput',
  description: 'A whole IMS subscription (TS 23.228 figure 4.6), as written by provisioning',
});
export type SubscriptionInput = z.infer<typeof SubscriptionInput>;

export const SubscriptionView = subscription(PrivateIdentityView)
  .required({ id: true, privateIdentities: true })
  .register(apiSchemas, {
    id: 'Subscription',
    description: 'A stored subscription with its runtime state; secrets replaced by { "set": true }',
  });

export const SharedIfcSet = z
  .strictObject({
    id: z.number().int().optional().describe('the id in the path; optional in the body'),
    initialFilterCriteria: z.array(InitialFilterCriteria),
  })
  .register(apiSchemas, { id: 'SharedIfcSet', description: 'TS 29.228 Annex B.2.3 shared iFC set' });

export const ApplicationServerDefinition = z
  .strictObject({
    name: z.string().optional().describe('the name in the path; optional in the body'),
    serverName: z.string().describe('SIP URI'),
    defaultHandling: z.number().int().describe('0 SESSION_CONTINUED, 1 SESSION_TERMINATED'),
    serviceInfo: z.string().optional(),
    includeRegisterRequest: z.boolean().optional(),
    includeRegisterResponse: z.boolean().optional(),
    diameterHost: z.string().optional().describe('Origin-Host of the AS on Sh'),
    shPermissions: z
      .strictObject({
        read: z.array(z.number().int()),
        update: z.array(z.number().int()),
        subscribe: z.array(z.number().int()),
      })
      .optional()
      .describe('TS 29.328 §7.6 Data-Reference values per Sh operation'),
  })
  .register(apiSchemas, { id: 'ApplicationServer', description: 'An application server known to the HSS' });
