/**
 * The request and response shapes of the REST API beyond the subscriber model itself: the
 * short form of a subscriber (`ims subscriber add`, one CSV row of `import`), credentials of a
 * private identity, list pages, the registration view, import results and errors.
 */
import { z } from 'zod';
import {
  ApplicationServerDefinition,
  apiSchemas,
  InitialFilterCriteria,
  PublicIdentity,
  SecretMarker,
  ServerAssignment,
  ServiceProfile,
  SharedIfcSet,
  SubscriptionInput,
  SubscriptionView,
} from './model-schemas.ts';

const secretInput = z.union([z.string(), SecretMarker]);

/** ARCHITECTURE.md §7: a subscriber from the few values an operator types (subscriber-defaults.ts). */
export const SubscriberInput = z
  .strictObject({
    impu: z.string().describe('sip: or tel: URI'),
    impi: z
      .string()
      .optional()
      .describe('default: derived from the IMPU (sip:alice@ims.test → alice@ims.test)'),
    password: z.string().optional().describe('SIP Digest password; only its HA1 values are kept'),
    realm: z.string().optional().describe('digest realm; default: the realm of the IMPI'),
    k: z.string().optional().describe('AKA K, 32 hex digits; needs opc or op'),
    opc: z.string().optional(),
    op: z.string().optional(),
    amf: z.string().optional().describe('4 hex digits, default 8000'),
    tel: z.string().optional().describe('+E.164 number or tel: URI, registered with the IMPU'),
    displayName: z.string().optional(),
    initialFilterCriteria: z.array(InitialFilterCriteria).optional(),
  })
  .register(apiSchemas, {
    id: 'SubscriberInput',
    description:
      'Short form of a subscription (ARCHITECTURE.md §7): one IMPI, the IMPU and an optional tel URI ' +
      'in one service profile and implicit registration set; digest when a password is given, AKA ' +
      'when K is, both when both are.',
  });
export type SubscriberInput = z.infer<typeof SubscriberInput>;

/** A subscription to create or replace: the short form (has `impu`) or the whole model. */
export const SubscriptionRequest = z.union([SubscriberInput, SubscriptionInput]).register(apiSchemas, {
  id: 'SubscriptionRequest',
  description: 'SubscriberInput (a body with "impu") or SubscriptionInput (a body with "publicIdentities")',
});

/** A private identity's credentials, built as `ims subscriber add` builds them. */
export const PrivateIdentityCredentials = z
  .strictObject({
    impi: z.string().optional().describe('required on POST; on PUT the one in the path'),
    password: z.string().optional(),
    realm: z.string().optional(),
    k: secretInput.optional().describe('hex, or { "set": true } to keep the stored K'),
    opc: secretInput.optional(),
    op: secretInput.optional(),
    amf: z.string().optional(),
    publicIdentities: z.array(z.string()).optional().describe('IMPUs it may register; absent: all'),
  })
  .register(apiSchemas, {
    id: 'PrivateIdentityCredentials',
    description:
      'Digest (password) and/or AKA (K with OPc or OP) credentials of one IMPI; its SQN is kept on PUT',
  });
export type PrivateIdentityCredentials = z.infer<typeof PrivateIdentityCredentials>;

export const ValidationIssue = z
  .strictObject({ field: z.string(), message: z.string() })
  .register(apiSchemas, {
    id: 'ValidationIssue',
    description: 'field path (privateIdentities[0].k) and why',
  });

export const ErrorBody = z
  .strictObject({
    error: z.string().describe('one line, for people'),
    field: z.string().optional().describe('409: the field whose value is taken'),
    issues: z.array(ValidationIssue).optional().describe('400, 409, 422: every field at fault'),
  })
  .register(apiSchemas, { id: 'Error' });

/** The answer to a create: the subscription, and the password the HSS made up if it did. */
export const CreatedSubscription = SubscriptionView.extend({
  password: z
    .string()
    .optional()
    .describe(
      'only when the request gave neither password nor k: the SIP Digest password the HSS generated; ' +
        'shown this once (only its HA1 values are stored)',
    ),
}).register(apiSchemas, {
  id: 'CreatedSubscription',
  description: 'The created subscription (secrets hidden) and, once, a generated password',
});

export const SubscriptionPage = z
  .strictObject({
    items: z.array(SubscriptionView),
    total: z.number().int().describe('how many match, all pages together'),
    nextCursor: z.string().optional().describe('absent on the last page'),
  })
  .register(apiSchemas, { id: 'SubscriptionPage' });

/** `GET /api/v1/subscribers`: unknown parameters are refused (a client paging by a name this API does not know would loop). */
export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().min(1).optional(),
  offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  search: z.string().optional(),
});
export type ListQuery = z.infer<typeof ListQuery>;

export const ImpuRegistration = z
  .strictObject({
    impu: z.string(),
    registrationState: z.enum(['NOT_REGISTERED', 'REGISTERED', 'UNREGISTERED']),
    registeredPrivateIdentities: z.array(z.string()),
  })
  .register(apiSchemas, { id: 'ImpuRegistration' });

export const Registration = z
  .strictObject({
    impu: z.string(),
    subscriptionId: z.string(),
    registrationState: z.enum(['NOT_REGISTERED', 'REGISTERED', 'UNREGISTERED']),
    implicitRegistrationSet: z.array(z.string()).describe('registered together with impu, default first'),
    serverAssignment: ServerAssignment.optional(),
    publicIdentities: z.array(ImpuRegistration).describe('every public identity of the subscription'),
  })
  .register(apiSchemas, {
    id: 'Registration',
    description: 'TS 23.008 §5.1.2 registration state of the IMPU and of its subscription',
  });

export const ImportResult = z
  .strictObject({
    processed: z.number().int(),
    imported: z.number().int(),
    failed: z.number().int(),
    failures: z
      .array(
        z.strictObject({
          index: z.number().int().describe('position of the record in the request, from 0'),
          error: z.string(),
          issues: z.array(ValidationIssue),
        }),
      )
      .describe('at most 1000 are listed; all are counted in failed'),
    generatedPasswords: z
      .array(
        z.strictObject({
          index: z.number().int().describe('position of the record in the request, from 0'),
          impu: z.string(),
          password: z.string(),
        }),
      )
      .describe(
        'records imported without password or k got a generated SIP Digest password: each listed once, ' +
          'here only (the HSS keeps its HA1 values)',
      ),
  })
  .register(apiSchemas, { id: 'ImportResult' });

export const ApplicationServerList = z
  .strictObject({ items: z.array(ApplicationServerDefinition.required({ name: true })) })
  .register(apiSchemas, { id: 'ApplicationServerList' });

export const SharedIfcSetList = z
  .strictObject({ items: z.array(SharedIfcSet.required({ id: true })) })
  .register(apiSchemas, { id: 'SharedIfcSetList' });

/** A public identity to add or replace: its service profile defaults to that of the identity in the path. */
export const PublicIdentityInput = PublicIdentity.partial({ impu: true, serviceProfileId: true }).register(
  apiSchemas,
  {
    id: 'PublicIdentityInput',
    description:
      'impu is required on POST (on PUT it is the one in the path); serviceProfileId defaults to the profile of the {impu} in the path',
  },
);
export type PublicIdentityInput = z.infer<typeof PublicIdentityInput>;

/** An iFC as PUT at its priority: the priority is the one in the path. */
export const InitialFilterCriteriaInput = InitialFilterCriteria.partial({ priority: true }).register(
  apiSchemas,
  {
    id: 'InitialFilterCriteriaInput',
    description: 'An iFC; priority is optional on PUT (the one in the path)',
  },
);

export const InitialFilterCriteriaList = z
  .strictObject({ items: z.array(InitialFilterCriteria).describe('in priority order') })
  .register(apiSchemas, { id: 'InitialFilterCriteriaList' });

/** A service profile as PUT: its id is kept. */
export const ServiceProfileInput = ServiceProfile.partial({ id: true }).register(apiSchemas, {
  id: 'ServiceProfileInput',
  description:
    'The service profile of the {impu} in the path (shared by the identities that use it); id kept',
});
