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
import { ifcRoutes } from './ifc-routes.ts';
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
  /**
   * The HSS's home realm (Diameter Origin-Realm): a tel IMPU created without an IMPI gets
   * `<number>@<homeRealm>`. Absent: such a create must give the IMPI.
   */
  homeRealm?: string;
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

/** A fastify route pattern as a regular expression over request paths (`::` is a literal `:`). */
function patternOf(url: string): RegExp {
  const source = url
    .split('::')
    .map((part) =>
      part
        .split('/')
        .map((segment) =>
          segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/'),
    )
    .join(':');
  return new RegExp(`^${source}$`);
}

const patterns = new Map<string, RegExp>();

/** The methods the API serves on `path`, sorted; none for a path it does not know. */
function methodsOf(routes: readonly { method: string; url: string }[], path: string): string[] {
  const methods = new Set<string>();
  for (const { method, url } of routes) {
    let re = patterns.get(url);
    if (re === undefined) patterns.set(url, (re = patternOf(url)));
    if (re.test(path)) methods.add(method);
  }
  return [...methods].sort();
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
    // A URL fastify cannot route (bad percent-encoding, a too long segment): the API's error shape.
    frameworkErrors: (err, request, reply) => errorHandler(err, request, reply),
  });
  const routes: { method: string; url: string }[] = [];
  routeTables.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  // RFC 9110 §15.5.16: a body the API does not read by its media type is a 415. Fastify reads
  // text/plain by default, which handed "hi" to a route as a string (a 400 about its JSON
  // shape); only application/json (and NDJSON at :import) is read. A body without Content-Type
  // is a 415 too: the API does not guess (RFC 9110 §8.3 allows it to, it need not).
  app.removeContentTypeParser('text/plain');
  const errorHandler = apiErrorHandler(logger);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // RFC 9110 §15.5.6: a path that exists, with a method it does not take: 405 and Allow.
    const allowed = methodsOf(routes, path);
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      throw new ApiError(405, `${request.method} is not allowed on ${path} (allowed: ${allowed.join(', ')})`);
    }
    throw ApiError.notFound(`no route ${request.method} ${path}`);
  });
  app.addHook('onResponse', async (request, reply) => {
    logger.debug(
      { method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime },
      'hss api request',
    );
  });

  const access = new SubscriberAccess(store, actions, logger, options.homeRealm);
  app.get(OPENAPI_PATH, async () => openApiDocument());
  subscriberRoutes(app, access, logger);
  importRoute(app, access, logger);
  registrationRoutes(app, access, logger);
  identityRoutes(app, access);
  profileRoutes(app, access);
  ifcRoutes(app, access);
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
