/**
 * ARCHITECTURE.md §7: `/api/v1/subscribers/{impu}/registration`: GET the registration state
 * (TS 23.008 §5.1.2), DELETE = administrative de-registration, which the HSS's Diameter side
 * carries out as a Registration-Termination-Request to the S-CSCF (TS 29.228 §6.1.3).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../../../log/logger.ts';
import { ApiError, parseOr400 } from './api-error.ts';
import type { SubscriberAccess } from './subscriber-access.ts';
import { SUBSCRIBERS } from './subscriber-routes.ts';
import { registrationOf } from './views.ts';

type ImpuParams = { Params: { impu: string } };

export const DEFAULT_DEREGISTRATION_REASON = 'administrative de-registration';

const DeregisterQuery = z.object({
  reason: z.string().min(1).max(256).optional().describe('Reason-Info of the RTR'),
});

export function registrationRoutes(app: FastifyInstance, access: SubscriberAccess, logger: Logger): void {
  const path = `${SUBSCRIBERS}/:impu/registration`;

  app.get<ImpuParams>(path, async (request) => {
    const { impu, subscription } = await access.find(request.params.impu);
    return registrationOf(subscription, impu);
  });

  app.delete<ImpuParams>(path, async (request, reply) => {
    const { reason } = parseOr400(DeregisterQuery, request.query, 'query');
    const { impu, subscription } = await access.find(request.params.impu);
    const actions = access.actions;
    if (actions === undefined)
      throw new ApiError(
        501,
        'administrative de-registration needs the HSS Diameter side (Cx RTR), which this API was started without',
      );
    const view = registrationOf(subscription, impu);
    if (view.registrationState === 'NOT_REGISTERED')
      throw new ApiError(409, `${impu} is not registered`, { field: 'registrationState' });
    try {
      await actions.deregister(impu, reason ?? DEFAULT_DEREGISTRATION_REASON);
    } catch (err) {
      logger.warn({ err, impu }, 'hss api: administrative de-registration failed');
      throw new ApiError(502, `de-registration of ${impu} failed: ${(err as Error).message}`);
    }
    logger.info({ impu, subscription: subscription.id }, 'administrative de-registration');
    return reply.code(204).send();
  });
}
