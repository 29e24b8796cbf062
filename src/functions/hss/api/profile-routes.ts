/**
 * Service profiles and iFCs (TS 29.228 Annex B.2): the service profile of a public identity
 * (`/api/v1/subscribers/{impu}/service-profile`, its iFCs included), and the definitions the
 * HSS holds beside subscriptions: shared iFC sets (Annex B.2.3, `/api/v1/shared-ifc-sets/{id}`)
 * and application servers (`/api/v1/application-servers/{name}`).
 */
import type { FastifyInstance } from 'fastify';
import type { ApplicationServerDefinition, ServiceProfile, SharedIfcSet, Subscription } from '../model.ts';
import { ApiError, parseOr400 } from './api-error.ts';
import {
  ApplicationServerDefinition as AsSchema,
  SharedIfcSet as SharedIfcSetSchema,
} from './model-schemas.ts';
import { ServiceProfileInput } from './resource-schemas.ts';
import type { SubscriberAccess } from './subscriber-access.ts';
import { SUBSCRIBERS } from './subscriber-routes.ts';
import { scopedNames } from './subscription-input.ts';

type ImpuParams = { Params: { impu: string } };

export const SHARED_IFC_SETS = '/api/v1/shared-ifc-sets';
export const APPLICATION_SERVERS = '/api/v1/application-servers';

/** TS 29.228 Annex E: SharedIFCSetID is an unsigned 32-bit integer. 400 otherwise. */
function sharedIfcSetId(text: string): number {
  const id = /^[0-9]{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!(id <= 0xffffffff))
    throw ApiError.badRequest([{ field: 'id', message: 'must be an integer 0..4294967295' }], 'path');
  return id;
}

export function profileRoutes(app: FastifyInstance, access: SubscriberAccess): void {
  const { store } = access;
  const profilePath = `${SUBSCRIBERS}/:impu/service-profile`;

  const profileOf = (sub: Subscription, impu: string): ServiceProfile | undefined => {
    const id = sub.publicIdentities.find((u) => u.impu === impu)?.serviceProfileId;
    return sub.serviceProfiles.find((p) => p.id === id);
  };

  app.get<ImpuParams>(profilePath, async (request) => {
    const { impu, subscription } = await access.find(request.params.impu);
    const profile = profileOf(subscription, impu);
    if (profile === undefined) throw ApiError.notFound(`${impu} has no service profile`);
    return profile;
  });

  app.put<ImpuParams>(profilePath, async (request) => {
    const input = parseOr400(ServiceProfileInput, request.body);
    let index = 0;
    let id = '';
    const updated = await access.modify(
      request.params.impu,
      ({ impu, subscription }) => {
        const old = profileOf(subscription, impu);
        if (old === undefined) throw ApiError.notFound(`${impu} has no service profile`);
        if (input.id !== undefined && input.id !== old.id)
          throw ApiError.unprocessable([{ field: 'id', message: `is ${old.id}: the profile keeps its id` }]);
        id = old.id;
        index = subscription.serviceProfiles.indexOf(old);
        const profile = { ...input, id } as ServiceProfile;
        return {
          ...subscription,
          serviceProfiles: subscription.serviceProfiles.map((p) => (p === old ? profile : p)),
        };
      },
      (f) => scopedNames(`serviceProfiles[${index}].`)(f),
    );
    return updated.serviceProfiles.find((p) => p.id === id);
  });

  app.get(SHARED_IFC_SETS, async () => ({ items: await store.listSharedIfcSets() }));

  app.get<{ Params: { id: string } }>(`${SHARED_IFC_SETS}/:id`, async (request) => {
    const id = sharedIfcSetId(request.params.id);
    const set = await store.getSharedIfcSet(id);
    if (set === undefined) throw ApiError.notFound(`no shared iFC set ${id}`);
    return set;
  });

  app.put<{ Params: { id: string } }>(`${SHARED_IFC_SETS}/:id`, async (request, reply) => {
    const id = sharedIfcSetId(request.params.id);
    const input = parseOr400(SharedIfcSetSchema, request.body);
    if (input.id !== undefined && input.id !== id)
      throw ApiError.unprocessable(
        [{ field: 'id', message: `must be ${id}, the id in the path` }],
        'shared iFC set',
      );
    const existed = (await store.getSharedIfcSet(id)) !== undefined;
    const set = { id, initialFilterCriteria: input.initialFilterCriteria } as SharedIfcSet;
    await store.putSharedIfcSet(set);
    return reply.code(existed ? 200 : 201).send((await store.getSharedIfcSet(id)) ?? set);
  });

  app.delete<{ Params: { id: string } }>(`${SHARED_IFC_SETS}/:id`, async (request, reply) => {
    await store.deleteSharedIfcSet(sharedIfcSetId(request.params.id));
    return reply.code(204).send();
  });

  app.get(APPLICATION_SERVERS, async () => ({ items: await store.listApplicationServers() }));

  app.get<{ Params: { name: string } }>(`${APPLICATION_SERVERS}/:name`, async (request) => {
    const as = await store.getApplicationServer(request.params.name);
    if (as === undefined) throw ApiError.notFound(`no application server ${request.params.name}`);
    return as;
  });

  app.put<{ Params: { name: string } }>(`${APPLICATION_SERVERS}/:name`, async (request, reply) => {
    const { name } = request.params;
    const input = parseOr400(AsSchema, request.body);
    if (input.name !== undefined && input.name !== name)
      throw ApiError.unprocessable(
        [{ field: 'name', message: `must be ${name}, the name in the path` }],
        'application server',
      );
    const existed = (await store.getApplicationServer(name)) !== undefined;
    const definition = { ...input, name } as ApplicationServerDefinition;
    await store.putApplicationServer(definition);
    return reply.code(existed ? 200 : 201).send((await store.getApplicationServer(name)) ?? definition);
  });

  app.delete<{ Params: { name: string } }>(`${APPLICATION_SERVERS}/:name`, async (request, reply) => {
    await store.deleteApplicationServer(request.params.name);
    return reply.code(204).send();
  });
}
