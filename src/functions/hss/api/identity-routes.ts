/**
 * The identities of a subscriber as resources of their own (TS 23.228 figure 4.6):
 * `/api/v1/subscribers/{impu}/public-identities[/{identity}]` and
 * `/api/v1/subscribers/{impu}/private-identities[/{impi}]`. Each write replaces the whole
 * subscription in one store transaction, so the model's rules hold across its parts.
 */
import type { FastifyInstance } from 'fastify';
import { isPsi, type PublicIdentity, type Subscription } from '../model.ts';
import { ApiError, parseOr400 } from './api-error.ts';
import { PrivateIdentityCredentials, PublicIdentityInput } from './resource-schemas.ts';
import type { SubscriberAccess } from './subscriber-access.ts';
import { SUBSCRIBERS } from './subscriber-routes.ts';
import { type FieldNames, privateIdentityFromCredentials, scopedNames } from './subscription-input.ts';
import { redactPrivateIdentity } from './views.ts';

type ImpuParams = { Params: { impu: string } };
type PublicParams = { Params: { impu: string; identity: string } };
type PrivateParams = { Params: { impu: string; impi: string } };

/** Model fields of a private identity as the credentials that made them. */
const credentialNames: FieldNames = (f) =>
  f.replace(/^(ha1Md5|ha1Sha256)$/, 'password').replace(/^digestRealm$/, 'realm');

function publicIdentityOf(subscription: Subscription, impu: string): PublicIdentity {
  const pu = subscription.publicIdentities.find((p) => p.impu === impu);
  if (pu === undefined) throw ApiError.notFound(`${impu} is not an identity of this subscriber`);
  return pu;
}

function privateIdentityIndex(subscription: Subscription, impi: string): number {
  const i = subscription.privateIdentities.findIndex((p) => p.impi === impi);
  if (i < 0) throw ApiError.notFound(`${impi} is not a private identity of this subscriber`);
  return i;
}

export function identityRoutes(app: FastifyInstance, access: SubscriberAccess): void {
  const publicPath = `${SUBSCRIBERS}/:impu/public-identities`;
  const privatePath = `${SUBSCRIBERS}/:impu/private-identities`;
  /** An identity given in a body: not one is a 422 naming `field`. */
  const identityIn = (text: string, field: string): string => {
    try {
      return access.parseImpu(text, field);
    } catch (err) {
      throw err instanceof ApiError && err.issues ? ApiError.unprocessable(err.issues, 'identity') : err;
    }
  };

  app.post<ImpuParams>(publicPath, async (request, reply) => {
    const input = parseOr400(PublicIdentityInput, request.body);
    if (input.impu === undefined) throw ApiError.badRequest([{ field: 'impu', message: 'is required' }]);
    const added = identityIn(input.impu, 'impu');
    let index = 0;
    const updated = await access.modify(
      request.params.impu,
      ({ impu, subscription }) => {
        if (subscription.publicIdentities.some((p) => p.impu === added))
          throw new ApiError(409, `impu: ${added} is already an identity of this subscriber`, {
            field: 'impu',
          });
        const own = publicIdentityOf(subscription, impu);
        const pu = {
          ...input,
          impu: added,
          serviceProfileId: input.serviceProfileId ?? own.serviceProfileId,
        } as PublicIdentity;
        index = subscription.publicIdentities.length;
        // A user identity joins the implicit registration set of the identity in the path.
        const join = !isPsi(pu.identityType ?? 0);
        return {
          ...subscription,
          publicIdentities: [...subscription.publicIdentities, pu],
          implicitRegistrationSets: subscription.implicitRegistrationSets?.map((s) =>
            join && s.publicIdentities.includes(impu)
              ? { ...s, publicIdentities: [...s.publicIdentities, added] }
              : s,
          ),
        };
      },
      (f) => scopedNames(`publicIdentities[${index}].`)(f),
    );
    return reply
      .code(201)
      .header('location', `${SUBSCRIBERS}/${encodeURIComponent(added)}`)
      .send(publicIdentityOf(updated, added));
  });

  app.get<PublicParams>(`${publicPath}/:identity`, async (request) => {
    const target = access.parseImpu(request.params.identity, 'identity');
    const { subscription } = await access.find(request.params.impu);
    return publicIdentityOf(subscription, target);
  });

  app.put<PublicParams>(`${publicPath}/:identity`, async (request) => {
    const input = parseOr400(PublicIdentityInput, request.body);
    const target = access.parseImpu(request.params.identity, 'identity');
    if (input.impu !== undefined && identityIn(input.impu, 'impu') !== target)
      throw ApiError.unprocessable([
        { field: 'impu', message: `must be ${target}, the identity in the path` },
      ]);
    let index = 0;
    const updated = await access.modify(
      request.params.impu,
      ({ subscription }) => {
        const old = publicIdentityOf(subscription, target);
        index = subscription.publicIdentities.indexOf(old);
        const pu = {
          ...input,
          impu: target,
          serviceProfileId: input.serviceProfileId ?? old.serviceProfileId,
        } as PublicIdentity;
        return {
          ...subscription,
          publicIdentities: subscription.publicIdentities.map((p) => (p === old ? pu : p)),
        };
      },
      (f) => scopedNames(`publicIdentities[${index}].`)(f),
    );
    return publicIdentityOf(updated, target);
  });

  app.delete<PublicParams>(`${publicPath}/:identity`, async (request, reply) => {
    const target = access.parseImpu(request.params.identity, 'identity');
    await access.modify(request.params.impu, ({ subscription }) => {
      publicIdentityOf(subscription, target);
      return {
        ...subscription,
        publicIdentities: subscription.publicIdentities.filter((p) => p.impu !== target),
        implicitRegistrationSets: subscription.implicitRegistrationSets
          ?.map((s) => ({ ...s, publicIdentities: s.publicIdentities.filter((u) => u !== target) }))
          .filter((s) => s.publicIdentities.length > 0),
        privateIdentities: subscription.privateIdentities.map((pi) =>
          pi.publicIdentities
            ? { ...pi, publicIdentities: pi.publicIdentities.filter((u) => u !== target) }
            : pi,
        ),
      };
    });
    return reply.code(204).send();
  });

  app.post<ImpuParams>(privatePath, async (request, reply) => {
    const input = parseOr400(PrivateIdentityCredentials, request.body);
    const impi = input.impi;
    if (impi === undefined) throw ApiError.badRequest([{ field: 'impi', message: 'is required' }]);
    let index = 0;
    const updated = await access.modify(
      request.params.impu,
      ({ impu, subscription }) => {
        if (subscription.privateIdentities.some((p) => p.impi === impi))
          throw new ApiError(409, `impi: ${impi} is already a private identity of this subscriber`, {
            field: 'impi',
          });
        index = subscription.privateIdentities.length;
        const pi = privateIdentityFromCredentials(input, impi, impu, undefined);
        return { ...subscription, privateIdentities: [...subscription.privateIdentities, pi] };
      },
      (f) => scopedNames(`privateIdentities[${index}].`, credentialNames)(f),
    );
    const stored = updated.privateIdentities[privateIdentityIndex(updated, impi)]!;
    return reply.code(201).send(redactPrivateIdentity(stored));
  });

  app.get<PrivateParams>(`${privatePath}/:impi`, async (request) => {
    const { subscription } = await access.find(request.params.impu);
    const pi = subscription.privateIdentities[privateIdentityIndex(subscription, request.params.impi)]!;
    return redactPrivateIdentity(pi);
  });

  app.put<PrivateParams>(`${privatePath}/:impi`, async (request) => {
    const input = parseOr400(PrivateIdentityCredentials, request.body);
    const { impi } = request.params;
    if (input.impi !== undefined && input.impi !== impi)
      throw ApiError.unprocessable([{ field: 'impi', message: `must be ${impi}, the identity in the path` }]);
    let index = 0;
    const updated = await access.modify(
      request.params.impu,
      ({ impu, subscription }) => {
        index = privateIdentityIndex(subscription, impi);
        const pi = privateIdentityFromCredentials(input, impi, impu, subscription.privateIdentities[index]);
        return {
          ...subscription,
          privateIdentities: subscription.privateIdentities.map((p, i) => (i === index ? pi : p)),
        };
      },
      (f) => scopedNames(`privateIdentities[${index}].`, credentialNames)(f),
    );
    return redactPrivateIdentity(updated.privateIdentities[privateIdentityIndex(updated, impi)]!);
  });

  app.delete<PrivateParams>(`${privatePath}/:impi`, async (request, reply) => {
    const { impi } = request.params;
    await access.modify(request.params.impu, ({ subscription }) => {
      privateIdentityIndex(subscription, impi);
      return {
        ...subscription,
        privateIdentities: subscription.privateIdentities.filter((p) => p.impi !== impi),
      };
    });
    return reply.code(204).send();
  });
}
