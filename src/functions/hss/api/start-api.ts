/**
 * The REST API as the HSS starts it (the `startApi` seam of ../index.ts): on the `api.listen`
 * address of the HSS configuration, with the HSS's own actions (RTR, PPR).
 */
import type { StartApi } from '../index.ts';
import { startHssApi } from './hss-api.ts';

export const startApi: StartApi = (store, actions, { listen, logger, homeRealm }) =>
  startHssApi(
    {
      store,
      actions,
      logger: logger.child({ component: 'api' }),
      ...(homeRealm !== undefined ? { homeRealm } : {}),
    },
    { host: listen.address, port: listen.port },
  );
