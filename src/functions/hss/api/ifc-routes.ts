/**
 * The iFCs of a service profile as resources of their own (TS 29.228 Annex B.2.2; issue #6:
 * CRUD of iFCs), keyed by their priority, which is unique within a profile:
 * `/api/v1/subscribers/{impu}/service-profile/ifcs[/{priority}]`. The profile is the one of the
 * `{impu}` in the path, shared by every identity that uses it. Each write replaces the
 * subscription in one store transaction (validated as a whole, nothing written when it fails)
 * and the new profile is pushed to the S-CSCF serving the user (PPR, TS 29.228 §6.1.4).
 * Shared iFC sets (`sharedIfcSetIds`) are not listed here: they are definitions of their own.
 */
import type { FastifyInstance } from 'fastify';
import type { InitialFilterCriteria } from '../../../ims/ifc/model.ts';
import type { ServiceProfile, Subscription } from '../model.ts';
import { ApiError, parseOr400 } from './api-error.ts';
import { InitialFilterCriteria as IfcSchema } from './model-schemas.ts';
import { InitialFilterCriteriaInput } from './resource-schemas.ts';
import type { SubscriberAccess } from './subscriber-access.ts';
import { SUBSCRIBERS } from './subscriber-routes.ts';
import { scopedNames } from './subscription-input.ts';

type ImpuParams = { Params: { impu: string } };
type PriorityParams = { Params: { impu: string; priority: string } };

/** The path of the iFC collection (fastify pattern). */
export const IFCS_PATH = `${SUBSCRIBERS}/:impu/service-profile/ifcs`;

/** TS 29.228 Annex E tPriority: an integer 0..2147483647. 400 otherwise. */
function priorityOf(text: string): number {
  const priority = /^[0-9]{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!(priority <= 0x7fffffff))
    throw ApiError.badRequest([{ field: 'priority', message: 'must be an integer 0..2147483647' }], 'path');
  return priority;
}

/** The service profile of `impu` and its position. 404 when it has none. */
function profileOf(subscription: Subscription, impu: string): { profile: ServiceProfile; index: number } {
  const id = subscription.publicIdentities.find((u) => u.impu === impu)?.serviceProfileId;
  const index = subscription.serviceProfiles.findIndex((p) => p.id === id);
  const profile = subscription.serviceProfiles[index];
  if (profile === undefined) throw ApiError.notFound(`${impu} has no service profile`);
  return { profile, index };
}

function ifcsOf(profile: ServiceProfile): InitialFilterCriteria[] {
  return profile.initialFilterCriteria ?? [];
}

function byPriority(ifcs: InitialFilterCriteria[], priority: number, impu: string): InitialFilterCriteria {
  const ifc = ifcs.find((i) => i.priority === priority);
  if (ifc === undefined)
    throw ApiError.notFound(`the service profile of ${impu} has no iFC of priority ${priority}`);
  return ifc;
}

/** `ifcs` in priority order (the order the S-CSCF evaluates them in, TS 29.228 Annex B.2.2). */
function sorted(ifcs: InitialFilterCriteria[]): InitialFilterCriteria[] {
  return [...ifcs].sort((a, b) => a.priority - b.priority);
}

export function ifcRoutes(app: FastifyInstance, access: SubscriberAccess): void {
  /**
   * Replaces the iFCs of the profile of the `{impu}` in the path by what `change` makes of them;
   * model issues are named after the iFC (`applicationServer.serverName`, not the whole path).
   */
  const changeIfcs = (
    text: string,
    change: (ifcs: InitialFilterCriteria[], impu: string) => InitialFilterCriteria[],
    position: (ifcs: InitialFilterCriteria[]) => number,
  ): Promise<Subscription> => {
    let prefix = '';
    return access.modify(
      text,
      ({ impu, subscription }) => {
        const { profile, index } = profileOf(subscription, impu);
        const ifcs = sorted(change(ifcsOf(profile), impu));
        prefix = `serviceProfiles[${index}].initialFilterCriteria[${position(ifcs)}].`;
        return {
          ...subscription,
          serviceProfiles: subscription.serviceProfiles.map((p, i) =>
            i === index ? { ...p, initialFilterCriteria: ifcs } : p,
          ),
        };
      },
      (f) => scopedNames(prefix)(f),
    );
  };

  app.get<ImpuParams>(IFCS_PATH, async (request) => {
    const { impu, subscription } = await access.find(request.params.impu);
    return { items: sorted(ifcsOf(profileOf(subscription, impu).profile)) };
  });

  app.post<ImpuParams>(IFCS_PATH, async (request, reply) => {
    const ifc = parseOr400(IfcSchema, request.body) as InitialFilterCriteria;
    const updated = await changeIfcs(
      request.params.impu,
      (ifcs, impu) => {
        if (ifcs.some((i) => i.priority === ifc.priority))
          throw new ApiError(
            409,
            `priority: the service profile of ${impu} has an iFC of priority ${ifc.priority} (PUT replaces it)`,
            { field: 'priority' },
          );
        return [...ifcs, ifc];
      },
      (ifcs) => ifcs.findIndex((i) => i.priority === ifc.priority),
    );
    const impu = access.parseImpu(request.params.impu);
    return reply
      .code(201)
      .header('location', `${SUBSCRIBERS}/${encodeURIComponent(impu)}/service-profile/ifcs/${ifc.priority}`)
      .send(byPriority(ifcsOf(profileOf(updated, impu).profile), ifc.priority, impu));
  });

  app.get<PriorityParams>(`${IFCS_PATH}/:priority`, async (request) => {
    const priority = priorityOf(request.params.priority);
    const { impu, subscription } = await access.find(request.params.impu);
    return byPriority(ifcsOf(profileOf(subscription, impu).profile), priority, impu);
  });

  app.put<PriorityParams>(`${IFCS_PATH}/:priority`, async (request) => {
    const priority = priorityOf(request.params.priority);
    const input = parseOr400(InitialFilterCriteriaInput, request.body);
    if (input.priority !== undefined && input.priority !== priority)
      throw ApiError.unprocessable(
        [
          {
            field: 'priority',
            message: `must be ${priority}, the priority in the path (delete and add to move it)`,
          },
        ],
        'iFC',
      );
    const ifc = { ...input, priority } as InitialFilterCriteria;
    const updated = await changeIfcs(
      request.params.impu,
      (ifcs, impu) => {
        byPriority(ifcs, priority, impu);
        return ifcs.map((i) => (i.priority === priority ? ifc : i));
      },
      (ifcs) => ifcs.findIndex((i) => i.priority === priority),
    );
    const impu = access.parseImpu(request.params.impu);
    return byPriority(ifcsOf(profileOf(updated, impu).profile), priority, impu);
  });

  app.delete<PriorityParams>(`${IFCS_PATH}/:priority`, async (request, reply) => {
    const priority = priorityOf(request.params.priority);
    await changeIfcs(
      request.params.impu,
      (ifcs, impu) => {
        byPriority(ifcs, priority, impu);
        return ifcs.filter((i) => i.priority !== priority);
      },
      () => 0,
    );
    return reply.code(204).send();
  });
}
