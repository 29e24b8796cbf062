import type { FastifyInstance } from 'fastify';

// biome-ignore lint/suspicious/noExplicitAny: answers are whatever JSON the API returns
type Json = any;

export type ApiCall = (
  method: string,
  url: string,
  payload?: unknown,
) => Promise<{ status: number; body: Json; headers: Json }>;

/** Calls the HSS API in process (fastify inject); an object payload goes as JSON. */
export function apiCaller(app: FastifyInstance): ApiCall {
  return async (method, url, payload) => {
    const r = await app.inject({
      method: method as 'GET',
      url,
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    return { status: r.statusCode, body: r.body === '' ? undefined : r.json(), headers: r.headers };
  };
}
