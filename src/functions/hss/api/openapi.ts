/**
 * The OpenAPI 3.1 document of the provisioning API, served at `/api/v1/openapi.json`. The paths
 * are written here as data; the component schemas are the zod schemas the routes validate
 * with (model-schemas.ts, resource-schemas.ts), converted to JSON Schema 2020-12, so the
 * document cannot drift from what the API accepts. A test checks every route is in it.
 */
import { z } from 'zod';
import { apiSchemas } from './model-schemas.ts';
import './resource-schemas.ts';

export const OPENAPI_PATH = '/api/v1/openapi.json';

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (id: string, description: string) => ({
  description,
  content: { 'application/json': { schema: ref(id) } },
});
const body = (id: string, description?: string) => ({
  required: true,
  content: { 'application/json': { schema: ref(id) } },
  ...(description ? { description } : {}),
});
const noContent = (description: string) => ({ description });

const E400 = {
  '400': json(
    'Error',
    'not what this document describes (types, required or unknown fields): issues name each field',
  ),
};
const E404 = {
  '404': json('Error', 'no such subscriber (identities are matched exactly, never through a wildcard)'),
};
const E409 = { '409': json('Error', 'an identity or id is taken: field names it') };
const E422 = {
  '422': json(
    'Error',
    'refused by the subscriber model (TS 23.003 identities, hex lengths, schemes): issues name each field',
  ),
};
const E503 = { '503': json('Error', 'the subscriber database cannot be reached') };
const E415 = {
  '415': json('Error', 'the body is not of a media type this operation reads (or has no Content-Type)'),
};

/** Every operation that takes a body also answers 415 (hss-api.ts reads only the media types listed). */
function withMediaTypeErrors<P extends Record<string, Record<string, object>>>(paths: P): P {
  return Object.fromEntries(
    Object.entries(paths).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations).map(([method, op]) => {
          const { requestBody, responses } = op as { requestBody?: unknown; responses?: object };
          return [method, requestBody === undefined ? op : { ...op, responses: { ...responses, ...E415 } }];
        }),
      ),
    ]),
  ) as P;
}

const path = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});
const IMPU = path(
  'impu',
  'Public identity of the subscriber, URL-encoded (sip%3Aalice%40ims.test); tel:+E.164, or +E.164 alone, for tel URIs',
);
const IDENTITY = path('identity', 'A public identity of the subscription, URL-encoded');
const IMPI = path('impi', 'A private identity of the subscription, URL-encoded');

const PATHS = {
  '/api/v1/openapi.json': {
    get: {
      summary: 'This document',
      operationId: 'getOpenApi',
      responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': {} } } },
    },
  },
  '/api/v1/subscribers': {
    post: {
      summary: 'Create a subscription (short form or whole model)',
      description:
        'The short form with only impu (ARCHITECTURE.md §7) gets the IMPI derived from it (a tel IMPU: ' +
        '<number>@<home realm>, with its SIP form sip:<number>@<home realm> as the default public identity) ' +
        'and SIP Digest with a password the HSS generates: 16 characters, answered once in "password", ' +
        'never again (only its HA1 values are stored).',
      operationId: 'createSubscriber',
      requestBody: body('SubscriptionRequest'),
      responses: {
        '201': json('CreatedSubscription', 'created; Location names it; "password" only when generated'),
        ...E400,
        ...E409,
        ...E422,
        ...E503,
      },
    },
    get: {
      summary: 'List subscriptions in creation order, a page at a time',
      description:
        'Page with limit and either cursor (nextCursor of the previous page; absent on the last page) or ' +
        'offset (how many to skip; the last page has fewer than limit items, or none). The cursor is the ' +
        'cheaper way to deep pages: an offset is reached by walking the pages before it. Query parameters ' +
        'not listed here are refused (400 naming them).',
      operationId: 'listSubscribers',
      parameters: [
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        {
          name: 'cursor',
          in: 'query',
          schema: { type: 'string' },
          description: 'nextCursor of the previous page (not with offset)',
        },
        {
          name: 'offset',
          in: 'query',
          schema: { type: 'integer', minimum: 0, default: 0 },
          description: 'skip this many subscriptions first (not with cursor)',
        },
        {
          name: 'search',
          in: 'query',
          schema: { type: 'string' },
          description: 'keeps subscriptions one of whose IMPU or IMPI contains this text (case-insensitive)',
        },
      ],
      responses: {
        '200': json('SubscriptionPage', 'one page'),
        '400': json('Error', 'a bad or unknown query parameter, or both cursor and offset: issues name it'),
        ...E503,
      },
    },
  },
  '/api/v1/subscribers:import': {
    post: {
      summary: 'Bulk import: each record stored atomically on its own; bad records answered by position',
      operationId: 'importSubscribers',
      requestBody: {
        required: true,
        content: {
          'application/x-ndjson': {
            schema: ref('SubscriptionRequest'),
            description: 'one record a line, streamed',
          },
          'application/json': { schema: { type: 'array', items: ref('SubscriptionRequest') } },
        },
      },
      responses: {
        '200': json(
          'ImportResult',
          'what was imported, why the others were not, and the passwords generated for records without password or k',
        ),
        ...E400,
        ...E503,
      },
    },
  },
  '/api/v1/subscribers/{impu}': {
    parameters: [IMPU],
    get: {
      summary: 'The subscription the public identity belongs to (secrets hidden)',
      operationId: 'getSubscriber',
      responses: { '200': json('Subscription', 'the subscription'), ...E400, ...E404 },
    },
    put: {
      summary:
        'Replace the subscription (runtime state kept); a changed profile is pushed to the S-CSCF (PPR)',
      operationId: 'replaceSubscriber',
      requestBody: body(
        'SubscriptionRequest',
        'must keep the identity of the path; { "set": true } keeps a secret',
      ),
      responses: { '200': json('Subscription', 'as stored'), ...E400, ...E404, ...E409, ...E422 },
    },
    delete: {
      summary: 'Remove the subscription (a registered user is de-registered first, RTR)',
      operationId: 'removeSubscriber',
      responses: { '204': noContent('removed'), ...E400, ...E404 },
    },
  },
  '/api/v1/subscribers/{impu}/registration': {
    parameters: [IMPU],
    get: {
      summary: 'Registration state of the identity and of its subscription',
      operationId: 'getRegistration',
      responses: { '200': json('Registration', 'the state'), ...E400, ...E404 },
    },
    delete: {
      summary: 'Administrative de-registration: Cx RTR to the S-CSCF (TS 29.228 §6.1.3)',
      operationId: 'deregister',
      parameters: [{ name: 'reason', in: 'query', schema: { type: 'string' }, description: 'Reason-Info' }],
      responses: {
        '204': noContent('de-registered'),
        ...E400,
        ...E404,
        '409': json(
          'Error',
          'the identity is NOT_REGISTERED: there is nothing to de-register (field: registrationState); nothing is sent',
        ),
        '501': json('Error', 'this HSS runs without its Diameter side'),
        '502': json('Error', 'the RTR failed'),
      },
    },
  },
  '/api/v1/subscribers/{impu}/public-identities': {
    parameters: [IMPU],
    post: {
      summary: 'Add a public identity (a user identity joins the implicit registration set of {impu})',
      operationId: 'addPublicIdentity',
      requestBody: body('PublicIdentityInput'),
      responses: { '201': json('PublicIdentity', 'added'), ...E400, ...E404, ...E409, ...E422 },
    },
  },
  '/api/v1/subscribers/{impu}/public-identities/{identity}': {
    parameters: [IMPU, IDENTITY],
    get: {
      summary: 'One public identity',
      operationId: 'getPublicIdentity',
      responses: { '200': json('PublicIdentity', 'the identity'), ...E400, ...E404 },
    },
    put: {
      summary: 'Replace the attributes of a public identity',
      operationId: 'replacePublicIdentity',
      requestBody: body('PublicIdentityInput'),
      responses: { '200': json('PublicIdentity', 'as stored'), ...E400, ...E404, ...E422 },
    },
    delete: {
      summary: 'Remove a public identity (from its sets and IMPIs too)',
      operationId: 'removePublicIdentity',
      responses: { '204': noContent('removed'), ...E400, ...E404, ...E422 },
    },
  },
  '/api/v1/subscribers/{impu}/private-identities': {
    parameters: [IMPU],
    post: {
      summary: 'Add a private identity with its credentials',
      operationId: 'addPrivateIdentity',
      requestBody: body('PrivateIdentityCredentials'),
      responses: {
        '201': json('PrivateIdentity', 'added (secrets hidden)'),
        ...E400,
        ...E404,
        ...E409,
        ...E422,
      },
    },
  },
  '/api/v1/subscribers/{impu}/private-identities/{impi}': {
    parameters: [IMPU, IMPI],
    get: {
      summary: 'One private identity (secrets hidden)',
      operationId: 'getPrivateIdentity',
      responses: { '200': json('PrivateIdentity', 'the identity'), ...E400, ...E404 },
    },
    put: {
      summary: 'Replace the credentials of a private identity (its SQN is kept)',
      operationId: 'replacePrivateIdentity',
      requestBody: body('PrivateIdentityCredentials'),
      responses: { '200': json('PrivateIdentity', 'as stored'), ...E400, ...E404, ...E422 },
    },
    delete: {
      summary: 'Remove a private identity',
      operationId: 'removePrivateIdentity',
      responses: { '204': noContent('removed'), ...E400, ...E404, ...E422 },
    },
  },
  '/api/v1/subscribers/{impu}/service-profile': {
    parameters: [IMPU],
    get: {
      summary: 'The service profile of the identity, with its iFCs',
      operationId: 'getServiceProfile',
      responses: { '200': json('ServiceProfile', 'the profile'), ...E400, ...E404 },
    },
    put: {
      summary: 'Replace the service profile (iFCs, shared iFC sets); pushed to the S-CSCF (PPR)',
      operationId: 'replaceServiceProfile',
      requestBody: body('ServiceProfileInput'),
      responses: { '200': json('ServiceProfile', 'as stored'), ...E400, ...E404, ...E422 },
    },
  },
  '/api/v1/subscribers/{impu}/service-profile/ifcs': {
    parameters: [IMPU],
    get: {
      summary:
        'The iFCs of the service profile of the identity, in priority order (shared iFC sets not included)',
      operationId: 'listIfcs',
      responses: { '200': json('InitialFilterCriteriaList', 'the iFCs'), ...E400, ...E404 },
    },
    post: {
      summary:
        'Add an iFC to the service profile (shared by the identities that use it); pushed to the S-CSCF (PPR)',
      operationId: 'addIfc',
      requestBody: body('InitialFilterCriteria'),
      responses: {
        '201': json('InitialFilterCriteria', 'added; Location names it by priority'),
        ...E400,
        ...E404,
        '409': json('Error', 'the profile has an iFC of that priority (field: priority)'),
        ...E422,
      },
    },
  },
  '/api/v1/subscribers/{impu}/service-profile/ifcs/{priority}': {
    parameters: [
      IMPU,
      {
        ...path('priority', 'Priority of the iFC, unique in its profile, 0..2147483647'),
        schema: { type: 'integer' },
      },
    ],
    get: {
      summary: 'One iFC of the service profile, by priority',
      operationId: 'getIfc',
      responses: { '200': json('InitialFilterCriteria', 'the iFC'), ...E400, ...E404 },
    },
    put: {
      summary: 'Replace the iFC of that priority; pushed to the S-CSCF (PPR)',
      operationId: 'replaceIfc',
      requestBody: body('InitialFilterCriteriaInput', 'priority, if given, must be the one in the path'),
      responses: { '200': json('InitialFilterCriteria', 'as stored'), ...E400, ...E404, ...E422 },
    },
    delete: {
      summary: 'Remove the iFC of that priority; pushed to the S-CSCF (PPR)',
      operationId: 'removeIfc',
      responses: { '204': noContent('removed'), ...E400, ...E404 },
    },
  },
  '/api/v1/shared-ifc-sets': {
    get: {
      summary: 'Every shared iFC set',
      operationId: 'listSharedIfcSets',
      responses: { '200': json('SharedIfcSetList', 'the sets') },
    },
  },
  '/api/v1/shared-ifc-sets/{id}': {
    parameters: [{ ...path('id', 'SharedIFCSetID, 0..4294967295'), schema: { type: 'integer' } }],
    get: {
      summary: 'One shared iFC set',
      operationId: 'getSharedIfcSet',
      responses: { '200': json('SharedIfcSet', 'the set'), ...E400, ...E404 },
    },
    put: {
      summary: 'Create or replace a shared iFC set',
      operationId: 'putSharedIfcSet',
      requestBody: body('SharedIfcSet'),
      responses: {
        '200': json('SharedIfcSet', 'replaced'),
        '201': json('SharedIfcSet', 'created'),
        ...E400,
        ...E422,
      },
    },
    delete: {
      summary: 'Remove a shared iFC set',
      operationId: 'removeSharedIfcSet',
      responses: { '204': noContent('removed'), ...E400, ...E404 },
    },
  },
  '/api/v1/application-servers': {
    get: {
      summary: 'Every application server definition',
      operationId: 'listApplicationServers',
      responses: { '200': json('ApplicationServerList', 'the definitions') },
    },
  },
  '/api/v1/application-servers/{name}': {
    parameters: [path('name', 'Provisioning name of the AS')],
    get: {
      summary: 'One application server definition',
      operationId: 'getApplicationServer',
      responses: { '200': json('ApplicationServer', 'the definition'), ...E404 },
    },
    put: {
      summary: 'Create or replace an application server definition',
      operationId: 'putApplicationServer',
      requestBody: body('ApplicationServer'),
      responses: {
        '200': json('ApplicationServer', 'replaced'),
        '201': json('ApplicationServer', 'created'),
        ...E400,
        ...E422,
      },
    },
    delete: {
      summary: 'Remove an application server definition',
      operationId: 'removeApplicationServer',
      responses: { '204': noContent('removed'), ...E404 },
    },
  },
};

function componentSchemas(): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(apiSchemas, {
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _s, $id: _i, ...rest } = schema as Record<string, unknown>;
      return [id, rest];
    }),
  );
}

let document: Readonly<Record<string, unknown>> | undefined;

/** The document (built once). */
export function openApiDocument(): Readonly<Record<string, unknown>> {
  document ??= Object.freeze({
    openapi: '3.1.0',
    info: {
      title: 'IMS HSS provisioning API',
      version: '1.0.0',
      description:
        'Subscriptions, identities, service profiles, shared iFC sets and application servers of the HSS ' +
        '(TS 23.008, TS 29.228). Errors are { error, field?, issues? }: 400 when a request does not match this ' +
        'document (its URL, JSON body or query), 422 when the subscriber model refuses it, 409 when a value is ' +
        'taken, 404 for an unknown path, 405 with Allow for a method a known path does not take, 415 for a body ' +
        'that is not application/json (text/plain included) or has no Content-Type. Secrets (K, OPc, OP, HA1) are never returned: they read { "set": true }; ' +
        'a password the HSS generates is answered once, on creation.',
    },
    paths: withMediaTypeErrors(PATHS),
    components: { schemas: componentSchemas() },
  });
  return document;
}
