import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/logger.ts';
import type { FunctionMetrics } from './function-metrics.ts';

export interface HealthServerOptions {
  host: string;
  /** 0 asks the system for a free port. */
  port: number;
  metrics: FunctionMetrics;
  /** The JSON body of /health; `healthy: false` answers 503. */
  health(): Promise<{ healthy: boolean } & Record<string, unknown>>;
  logger: Logger;
}

export interface HealthServer {
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The HTTP endpoint of a network function: `GET /health` (200 with a JSON status when the
 * function can serve, 503 with the same body when not) and `GET /metrics` (Prometheus text
 * exposition format). Anything else is 404; methods other than GET/HEAD are 405.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const { metrics, logger } = options;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/health' && path !== '/metrics') return send(res, 404, 'text/plain', 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain', 'method not allowed\n');
    }
    if (path === '/metrics') return send(res, 200, metrics.contentType, await metrics.metrics());
    const body = await options.health();
    send(res, body.healthy ? 200 : 503, 'application/json', `${JSON.stringify(body)}\n`);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      logger.warn({ err: (err as Error).message, url: req.url }, 'health endpoint failed');
      if (!res.headersSent) send(res, 500, 'text/plain', `${(err as Error).message}\n`);
      else res.destroy();
    });
  });
  server.listen(options.port, options.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${host}:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
