/**
 * The HSS (ARCHITECTURE.md §2): subscriber data behind the Cx/Dx (TS 29.228, TS 29.229) and Sh
 * (TS 29.328, TS 29.329) Diameter interfaces, and optionally the REST API (api/, started
 * through the `startApi` seam). `startHss` opens the store, starts the Diameter node with one
 * handler per procedure, and returns what the API and the CLI need.
 */
import { CxApplication } from '../../diameter/apps/cx.ts';
import { ShApplication } from '../../diameter/apps/sh.ts';
import { DiameterNode } from '../../diameter/node.ts';
import { createLogger, type Logger } from '../../log/logger.ts';
import { openSubscriberStore, type SubscriberStoreConfig } from '../../store/open-subscriber-store.ts';
import type { SubscriberStore } from '../../store/subscriber-store.ts';
import type { DeregistrationReason, HssActions } from './actions.ts';
import { type HssConfig, loadHssConfig } from './config.ts';
import { registerLocationInfo } from './cx-lir.ts';
import { registerMultimediaAuth } from './cx-mar.ts';
import { pushProfile } from './cx-ppr.ts';
import { deregister } from './cx-rtr.ts';
import { registerServerAssignment } from './cx-sar.ts';
import { registerUserAuthorization } from './cx-uar.ts';
import { createHssContext } from './hss-context.ts';
import { registerProfileUpdate } from './sh-pur.ts';
import { registerSubscribeNotifications } from './sh-snr.ts';
import { registerUserData } from './sh-udr.ts';

export type { ActionOutcome, DeregistrationReason, HssActions } from './actions.ts';
export { HssActionError } from './actions.ts';
export { type HssConfig, hssConfigSchema, loadHssConfig } from './config.ts';

/** A running server the HSS stops with itself (the REST API). */
export interface ApiServer {
  close(): Promise<void>;
}

/** The seam for the REST API (api/): started after the Diameter side, stopped before it. */
export type StartApi = (
  store: SubscriberStore,
  actions: HssActions,
  context: {
    listen: HssConfig['api']['listen'];
    logger: Logger;
    /** The Diameter Origin-Realm: the IMPI of a tel IMPU provisioned without one is `<number>@<homeRealm>`. */
    homeRealm?: string;
  },
) => Promise<ApiServer>;

export interface HssOptions {
  startApi?: StartApi;
}

export interface Hss {
  readonly node: DiameterNode;
  readonly store: SubscriberStore;
  readonly actions: HssActions;
  /** The Diameter port listened on (useful with port 0). */
  readonly port: number;
  /** DPR to every peer, API and listener closed, store closed. */
  stop(): Promise<void>;
}

/** How often expired Sh subscriptions (SNR Expiry-Time) are removed. */
const PURGE_INTERVAL_MS = 60_000;

export async function startHss(config: HssConfig, logger: Logger, options: HssOptions = {}): Promise<Hss> {
  const log = logger;
  const store = await openSubscriberStore(storeConfig(config), log);
  const { diameter } = config;
  const node = new DiameterNode({
    originHost: diameter.originHost,
    originRealm: diameter.originRealm,
    productName: 'ims-core HSS',
    listen: { address: diameter.listen.address, port: diameter.listen.port },
    peers: diameter.peers.map((p) => ({ ...p })),
    acceptUnknownPeers: diameter.acceptUnknownPeers,
    requestTimeout: diameter.requestTimeoutMs,
    logger: log,
  });
  const ctx = createHssContext(
    config,
    store,
    node,
    { cx: new CxApplication(node), sh: new ShApplication(node) },
    log,
  );
  registerUserAuthorization(ctx);
  registerMultimediaAuth(ctx);
  registerServerAssignment(ctx);
  registerLocationInfo(ctx);
  registerUserData(ctx);
  registerProfileUpdate(ctx);
  registerSubscribeNotifications(ctx);
  const actions: HssActions = {
    deregister: (impu: string, reason?: string | DeregistrationReason) => deregister(ctx, impu, reason),
    pushProfile: (subscriptionId: string) => pushProfile(ctx, subscriptionId),
  };

  let api: ApiServer | undefined;
  try {
    await node.start();
    if (options.startApi && config.api.enabled)
      api = await options.startApi(store, actions, {
        listen: config.api.listen,
        logger: log,
        homeRealm: diameter.originRealm,
      });
  } catch (err) {
    await node.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw err;
  }
  const purge = setInterval(() => {
    store.purgeExpiredShSubscriptions(Date.now()).catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'purging expired Sh subscriptions failed');
    });
  }, PURGE_INTERVAL_MS);
  purge.unref();
  log.info(
    {
      originHost: diameter.originHost,
      originRealm: diameter.originRealm,
      listen: `${diameter.listen.address}:${node.port}`,
      store: config.store.backend,
      api: api !== undefined,
    },
    'HSS started',
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      clearInterval(purge);
      await api
        ?.close()
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'API close failed'));
      await node.close();
      await store.close();
      log.info('HSS stopped');
    })());
  return { node, store, actions, port: node.port, stop };
}

function storeConfig(config: HssConfig): SubscriberStoreConfig {
  const s = config.store;
  if (s.backend === 'pg')
    return {
      backend: 'pg',
      url: s.url,
      ...(s.maxConnections !== undefined ? { maxConnections: s.maxConnections } : {}),
    };
  return {
    backend: 'sqlite',
    path: s.path,
    ...(s.synchronous !== undefined ? { synchronous: s.synchronous } : {}),
  };
}

/**
 * `ims run hss --config FILE`: loads the file (ConfigError names a bad key), logs JSON lines
 * on stdout at the configured level, starts. The caller stops it (SIGINT/SIGTERM).
 */
export async function launchHss(file: string, options: HssOptions = {}): Promise<Hss> {
  const config = loadHssConfig(file);
  const logger = createLogger({ level: config.log.level, name: 'hss' });
  return startHss(config, logger, options);
}
