/**
 * The HSS and the SLF predate RunningFunction: their start functions return their own handles.
 * These wrap them into RunningFunctions for `ims up`, `ims run`, `/health` and `/metrics`.
 */
import type { Logger } from '../../log/logger.ts';
import { peerStatuses } from '../diameter-client.ts';
import type { HssConfig } from '../hss/index.ts';
import type { RunningFunction } from '../running-function.ts';
import type { SlfConfig } from '../slf/index.ts';

export async function startHssFunction(config: HssConfig, logger: Logger): Promise<RunningFunction> {
  const { startHss } = await import('../hss/index.ts');
  const { startApi } = await import('../hss/api/start-api.ts');
  const hss = await startHss(config, logger, { startApi });
  const { api, store, diameter } = config;
  const details: Record<string, unknown> = {
    originHost: diameter.originHost,
    realm: diameter.originRealm,
    diameterAddress: diameter.listen.address,
    store: store.backend === 'sqlite' ? `sqlite ${store.path}` : 'pg',
  };
  // With port 0 the API's port is in its 'hss api listening' log line only.
  if (api.enabled && api.listen.port !== 0)
    details.api = `http://${api.listen.address}:${api.listen.port}/api/v1`;
  return {
    name: 'hss',
    diameter: hss.node,
    status: async () => ({
      healthy: true,
      diameterPort: hss.port,
      diameterPeers: peerStatuses(hss.node),
      details: { ...details, subscriptions: await hss.store.countSubscriptions() },
    }),
    stop: () => hss.stop(),
  };
}

export async function startSlfFunction(config: SlfConfig, logger: Logger): Promise<RunningFunction> {
  const { startSlf } = await import('../slf/index.ts');
  const slf = await startSlf(config, logger);
  return {
    name: 'slf',
    diameter: slf.node,
    status: () => ({
      healthy: true,
      diameterPort: slf.port,
      diameterPeers: peerStatuses(slf.node),
      details: {
        originHost: config.diameter.originHost,
        diameterAddress: config.diameter.listen.address,
        routes: slf.table.size,
      },
    }),
    stop: () => slf.stop(),
  };
}
