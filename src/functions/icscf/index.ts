/**
 * The I-CSCF (ARCHITECTURE.md §2, TS 24.229 §5.3): the entry of the home network. One stateful
 * proxy whose policy asks the HSS (Cx UAR for REGISTER, LIR for other initial requests) which
 * S-CSCF serves a user, or selects one by capabilities, and forwards there. It keeps no
 * per-user state; a Redirect-Host from an SLF is followed by the Diameter node.
 */
import { CxApplication } from '../../diameter/apps/cx.ts';
import { createLogger, type Logger } from '../../log/logger.ts';
import { StatefulProxy } from '../../sip/proxy/index.ts';
import { createDiameterClient, peerStatuses } from '../diameter-client.ts';
import type { FunctionStatus, RunningFunction } from '../running-function.ts';
import { startSipStack } from '../sip-stack.ts';
import { type IcscfConfig, loadIcscfConfig } from './config.ts';
import { CxQueries } from './cx-queries.ts';
import { IcscfPolicy } from './icscf-policy.ts';
import { ScscfSelector } from './scscf-selection.ts';

export { type IcscfConfig, icscfConfigSchema, loadIcscfConfig, type ScscfEntry } from './config.ts';
export { type RequiredCapabilities, ScscfSelector, sameServer } from './scscf-selection.ts';

export interface Icscf extends RunningFunction {
  /** The port of the first SIP listener (useful with port 0). */
  readonly port: number;
  readonly proxy: StatefulProxy;
}

export async function startIcscf(config: IcscfConfig, logger: Logger): Promise<Icscf> {
  if (config.thig.enabled) throw new Error('I-CSCF topology hiding (THIG) is not implemented yet');
  const stack = await startSipStack(config.sip, logger);
  const node = createDiameterClient(config.diameter, 'ims-core I-CSCF', logger);
  const cx = new CxApplication(node);
  const ctx = {
    config,
    cx: new CxQueries(cx, config.diameter.destinationRealm, logger),
    selector: new ScscfSelector(config.scscfs),
    logger,
  };
  let proxy: StatefulProxy | undefined;
  const policy = new IcscfPolicy(ctx, (uri) => proxy?.isLocal(uri) ?? false);
  proxy = new StatefulProxy({
    transport: stack.transport,
    policy,
    resolve: stack.resolve,
    localAddresses: stack.localAddresses,
    timerValues: config.sip.timers,
    logger,
  });
  try {
    await node.start();
  } catch (err) {
    proxy.dispose();
    await stack.transport.close();
    throw err;
  }
  const listeners = stack.transport.listening();
  const port = listeners[0]?.port ?? config.sip.port;
  logger.info(
    {
      sip: listeners.map((l) => `${l.protocol}:${l.host}:${l.port}`),
      diameterPeers: config.diameter.peers.map((p) => p.host),
      scscfs: config.scscfs.map((s) => s.uri),
    },
    'I-CSCF started',
  );
  const running = proxy;
  let stopping: Promise<void> | undefined;
  return {
    name: 'icscf',
    port,
    proxy: running,
    sipLayers: [running.layer],
    diameter: node,
    status(): FunctionStatus {
      const diameterPeers = peerStatuses(node);
      return {
        // Without the HSS no request can be routed.
        healthy: node.allPeers().some((p) => p.usable),
        sip: listeners.map((l) => ({ protocol: l.protocol, host: l.host, port: l.port })),
        diameterPeers,
        details: { scscfs: config.scscfs.map((s) => s.uri), domains: config.domains },
      };
    },
    stop: () =>
      (stopping ??= (async () => {
        running.dispose();
        await node.close();
        await stack.transport.close();
        logger.info('I-CSCF stopped');
      })()),
  };
}

/** `ims run icscf --config FILE`: loads the file, logs JSON lines on stdout, starts. */
export async function launchIcscf(file: string): Promise<Icscf> {
  const config = loadIcscfConfig(file);
  return startIcscf(config, createLogger({ level: config.log.level, name: 'icscf' }));
}
