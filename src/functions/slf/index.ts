/**
 * The SLF (ARCHITECTURE.md §2): a Diameter redirect agent in front of several HSSs. Cx/Dx and
 * Sh/Dh requests get 3006 with the Redirect-Host of the HSS holding the user (slf-redirect.ts);
 * the CSCFs and ASs follow it (DiameterNode, RFC 6733 §6.1.8) and may cache it per user.
 */
import { CX_APPLICATION_ID, CxApplication } from '../../diameter/apps/cx.ts';
import { experimentalResult } from '../../diameter/apps/result.ts';
import { SH_APPLICATION_ID, ShApplication } from '../../diameter/apps/sh.ts';
import { DiameterNode } from '../../diameter/node.ts';
import { ExperimentalResultCode } from '../../diameter/result-code.ts';
import { createLogger, type Logger } from '../../log/logger.ts';
import { loadSlfConfig, type SlfConfig } from './config.ts';
import type { IdentityTable } from './identity-table.ts';
import { type HssTarget, identityTable, redirectPolicy } from './slf-redirect.ts';

export { loadSlfConfig, type SlfConfig, slfConfigSchema } from './config.ts';

export interface Slf {
  readonly node: DiameterNode;
  readonly table: IdentityTable<HssTarget>;
  /** The Diameter port listened on (useful with port 0). */
  readonly port: number;
  /** DPR to every peer, listener closed. */
  stop(): Promise<void>;
}

export async function startSlf(config: SlfConfig, logger: Logger): Promise<Slf> {
  const { diameter } = config;
  const node = new DiameterNode({
    originHost: diameter.originHost,
    originRealm: diameter.originRealm,
    productName: 'ims-core SLF',
    listen: { address: diameter.listen.address, port: diameter.listen.port },
    peers: diameter.peers.map((p) => ({ ...p })),
    acceptUnknownPeers: diameter.acceptUnknownPeers,
    logger,
  });
  // Advertising Cx and Sh (CER/CEA) is what lets the clients send these applications here.
  const cx = new CxApplication(node);
  const sh = new ShApplication(node);
  const table = identityTable(config);
  const policy = redirectPolicy(table, config.redirect);
  node.redirect(CX_APPLICATION_ID, policy);
  node.redirect(SH_APPLICATION_ID, policy);
  // No HSS for the user: TS 29.228 §6.4, DIAMETER_ERROR_USER_UNKNOWN (the policy declined).
  const unknown = () => experimentalResult(ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN);
  cx.onUserAuthorization(unknown);
  cx.onMultimediaAuth(unknown);
  cx.onServerAssignment(unknown);
  cx.onLocationInfo(unknown);
  sh.onUserData(unknown);
  sh.onProfileUpdate(unknown);
  sh.onSubscribeNotifications(unknown);

  await node.start();
  logger.info(
    {
      originHost: diameter.originHost,
      listen: `${diameter.listen.address}:${node.port}`,
      hss: Object.keys(config.hss),
      routes: table.size,
    },
    'SLF started',
  );
  let stopping: Promise<void> | undefined;
  return {
    node,
    table,
    port: node.port,
    stop: () =>
      (stopping ??= node.close().then(() => {
        logger.info('SLF stopped');
      })),
  };
}

/** `ims run slf --config FILE`: loads the file, logs JSON lines on stdout, starts. */
export async function launchSlf(file: string): Promise<Slf> {
  const config = loadSlfConfig(file);
  return startSlf(config, createLogger({ level: config.log.level, name: 'slf' }));
}
