/**
 * The HSS's provisioning API (issue #6, ARCHITECTURE.md §7): REST over HTTP with JSON, on a
 * SubscriberStore, described by the OpenAPI document at `/api/v1/openapi.json`. The `ims
 * subscriber` commands use it, locally or against a remote HSS.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from '../../../log/logger.ts';
import type { SubscriberStore } from '../../../store/subscriber-store.ts';
import { ApiError, apiErrorHandler } from './api-error.ts';
import { identityRoutes } from './identity-routes.ts';
import { importRoute } from './import-route.ts';
import { OPENAPI_PATH, openApiDocument } from './openapi.ts';
import { profileRoutes } from './profile-routes.ts';
import { registrationRoutes } from './registration-routes.ts';
import { type HssApiActions, SubscriberAccess } from './subscriber-access.ts';
import { subscriberRoutes } from './subscriber-routes.ts';

export type { HssApiActions } from './subscriber-access.ts';

export interface HssApiOptions {
  store: SubscriberStore;
  /** The HSS's Diameter side: RTR for administrative de-registration, PPR after profile changes. */
  actions?: HssApiActions;
  logger: Logger;
  /** Largest JSON body, in bytes (default 1 MiB; NDJSON imports are streamed and not limited). */
  bodyLimit?: number;
}

export interface HssApiAddress {
  /** Default 127.0.0.1 (ARCHITECTURE.md §2). */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
}

export interface HssApiServer {
  app: FastifyInstance;
  /** `http://host:port` it listens on. */
  url: string;
  close(): Promise<void>;
}

const routeTables = new WeakMap<FastifyInstance, { method: string; url: string }[]>();

/** The routes of an API made by `createHssApi` (method, fastify URL pattern). */
export function routesOf(app: FastifyInstance): readonly { method: string; url: string }[] {
  return routeTables.get(app) ?? [];
}

/** The API as a fastify instance, not listening (`inject` works on it). */
export function createHssApi(options: HssApiOptions): FastifyInstance {
  const { store, actions, logger } = options;
  const app = Fastify({
    // A pino Logger is a FastifyBaseLogger; typed as such, the instance has the default type.
    loggerInstance: logger as FastifyBaseLogger,
    // Requests are logged at debug level by the onResponse hook below, not at info by fastify.
    logController: new LogController({ disableRequestLogging: true }),
    exposeHeadRoutes: false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // A wildcarded PSI or a long SIP URI, URL-encoded, is longer than the default 100.
    routerOptions: { maxParamLength: 2048 },
  });
  const routes: { method: string; url: string }[] = [];
  routeTables.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  app.setErrorHandler(apiErrorHandler(logger));
  app.setNotFoundHandler((request) => {
    throw ApiError.notFound(`no route ${request.method} ${request.url.split('?')[0]}`);
  });
  app.addHook('onResponse', async (request, reply) => {
    logger.debug(
      { method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime },
      'hss api request',
    );
  });

  const access = new SubscriberAccess(store, actions, logger);
  app.get(OPENAPI_PATH, async () => openApiDocument());
  subscriberRoutes(app, access, logger);
  importRoute(app, access, logger);
  registrationRoutes(app, access, logger);
  identityRoutes(app, access);
  profileRoutes(app, access);
  return app;
}

/** Creates the API and listens on `host:port`. */
export async function startHssApi(
  options: HssApiOptions,
  address: HssApiAddress = {},
): Promise<HssApiServer> {
  const app = createHssApi(options);
  const host = address.host ?? '127.0.0.1';
  await app.listen({ host, port: address.port ?? 8080 });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : (address.port ?? 8080);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger.info({ url }, 'hss api listening');
  return { app, url, close: () => app.close() };
}
