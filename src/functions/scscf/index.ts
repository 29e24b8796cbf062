/**
 * The S-CSCF (ARCHITECTURE.md §2, TS 24.229 §5.4): registrar with IMS AKA and SIP Digest
 * authentication over Cx, the reg event notifier, third-party registration, and session
 * routing with iFCs (routing/). One stateful proxy whose policy (scscf-policy.ts) sends each
 * request to the part that serves it; a Diameter client towards the HSS that also answers RTR
 * and PPR; the registration store; an expiry sweep.
 */
import { CxApplication, ServerAssignmentType } from '../../diameter/apps/cx.ts';
import type { DiameterNode } from '../../diameter/index.ts';
import { createLogger, type Logger } from '../../log/logger.ts';
import { NameAddr, SipUri } from '../../sip/message/index.ts';
import { StatefulProxy } from '../../sip/proxy/index.ts';
import { openRegistrationStore } from '../../store/registrations/index.ts';
import type { Registration, RegistrationStore } from '../../store/registrations/types.ts';
import { createDiameterClient, hasOpenPeer, peerStatuses } from '../diameter-client.ts';
import type { FunctionStatus, RunningFunction } from '../running-function.ts';
import { startSipStack } from '../sip-stack.ts';
import { loadScscfConfig, registrationStoreConfig, type ScscfConfig } from './config.ts';
import { ScscfCx } from './cx-client.ts';
import { pushProfile } from './cx-ppr.ts';
import { registrationTermination } from './cx-rtr.ts';
import { Deregistrar } from './deregistration.ts';
import { LocalRequests } from './local-requests.ts';
import { RegEventNotifier } from './reg-event-notifier.ts';
import { RegisterAuthenticator } from './register-auth.ts';
import { Registrar } from './registrar.ts';
import { SessionRouter } from './routing/session-router.ts';
import { ScscfPolicy } from './scscf-policy.ts';
import { ThirdPartyRegistrar } from './third-party-register.ts';
import { canonicalImpu, servedProfile } from './user-profile.ts';

export { loadScscfConfig, type ScscfConfig, scscfConfigSchema } from './config.ts';

export interface Scscf extends RunningFunction {
  /** The port of the first SIP listener (useful with port 0). */
  readonly port: number;
  readonly registrations: RegistrationStore;
  readonly proxy: StatefulProxy;
  readonly diameter: DiameterNode;
  /** The Service-Route handed out at registration: `<sip:orig@host:port;lr>`. */
  readonly serviceRoute: string;
  /** The reg event notifier (subscriptions, for tests and status). */
  readonly notifier: RegEventNotifier;
  /**
   * Administrative de-registration (TS 24.229 §5.4.1.5): NOTIFY with the contacts
   * "deactivated", SAR ADMINISTRATIVE_DEREGISTRATION, clean-up. False when `impu` is not
   * registered here.
   */
  deregister(impu: string): Promise<boolean>;
  /**
   * TS 24.229 §5.4.3.3: Cx SAR UNREGISTERED_USER for a callee not registered; the record
   * (state 'unregistered', with the profile) or undefined when the HSS refuses.
   */
  assignUnregistered(impu: string): Promise<Registration | undefined>;
}

export interface ScscfOptions {
  /** A registration store to use instead of opening the configured one (closed with the S-CSCF). */
  registrations?: RegistrationStore;
}

export async function startScscf(
  config: ScscfConfig,
  logger: Logger,
  options: ScscfOptions = {},
): Promise<Scscf> {
  const log = logger;
  const registrations =
    options.registrations ?? (await openRegistrationStore(registrationStoreConfig(config), log));
  const stack = await startSipStack(config.sip, log).catch(async (err: unknown) => {
    await registrations.close();
    throw err;
  });
  const node = createDiameterClient(config.diameter, 'ims-core S-CSCF', log);
  const cxApp = new CxApplication(node);
  const cx = new ScscfCx(cxApp, config, log);
  const selfUri = new SipUri({ host: config.sip.host, port: config.sip.port });

  let proxy: StatefulProxy | undefined;
  const isLocal = (uri: Parameters<StatefulProxy['isLocal']>[0]) => proxy?.isLocal(uri) ?? false;
  // Late-bound: the proxy's layer sends our NOTIFYs and third-party REGISTERs.
  const requests = new LocalRequests(
    () => {
      if (proxy === undefined) throw new Error('S-CSCF proxy not started');
      return proxy.layer;
    },
    stack.transport,
    stack.resolve,
    log,
  );
  const notifier = new RegEventNotifier({
    config,
    registrations,
    requests,
    contact: NameAddr.of(selfUri),
    logger: log,
  });
  let deregistrar: Deregistrar | undefined;
  const thirdParty = new ThirdPartyRegistrar({
    config,
    requests,
    logger: log,
    onAsFailure: (impu, as) => {
      // TS 24.229 §5.4.1.7: network-initiated de-registration (§5.4.1.5), the UE not to retry.
      deregistrar
        ?.end(impu, {
          sar: ServerAssignmentType.ADMINISTRATIVE_DEREGISTRATION,
          event: 'rejected',
          why: `third-party REGISTER to ${as} failed`,
        })
        .catch((err: unknown) => log.warn({ impu, err: (err as Error).message }, 'de-registration failed'));
    },
  });
  deregistrar = new Deregistrar({ registrations, cx, notifier, thirdParty, logger: log });
  const ending = deregistrar;
  const auth = new RegisterAuthenticator(cx, config, log, async (impu, impi) => {
    const record = await registrations.get(impu);
    const now = Date.now();
    return (
      record?.state === 'registered' && record.impi === impi && record.bindings.some((b) => b.expiresAt > now)
    );
  });
  const registrar = new Registrar({
    config,
    registrations,
    cx,
    auth,
    notifier,
    thirdParty,
    deregistrar: ending,
    logger: log,
  });

  /** TS 24.229 §5.4.3.3, TS 29.228 §6.1.2: SAR UNREGISTERED_USER for a callee not registered. */
  const assignUnregistered = async (impuText: string): Promise<Registration | undefined> => {
    const impu = canonicalImpu(impuText);
    const existing = await registrations.get(impu);
    if (existing !== undefined) return existing;
    const sar = await cx.assign(ServerAssignmentType.UNREGISTERED_USER, undefined, [impu], true);
    if (!sar.ok || sar.value.userData === undefined) return undefined;
    let profile: ReturnType<typeof servedProfile>;
    try {
      profile = servedProfile(sar.value.userData, impu);
    } catch (err) {
      log.warn({ impu, err: (err as Error).message }, 'unregistered user profile not usable');
      return undefined;
    }
    const userData = sar.value.userData;
    return registrations
      .update(impu, (current) =>
        current !== undefined
          ? undefined
          : {
              impus: profile.impus,
              barred: profile.barred,
              impi: sar.value.userName ?? profile.privateId,
              state: 'unregistered',
              userData,
              ...(sar.value.charging !== undefined ? { charging: sar.value.charging } : {}),
              bindings: [],
              revision: 0,
            },
      )
      .then(async (stored) => stored ?? (await registrations.get(impu)));
  };

  const router = new SessionRouter({
    config,
    registrations,
    logger: log,
    selfUri,
    assignUnregistered,
    flowFailed: (impu, contact) => ending.flowFailed(impu, contact),
  });
  const policy = new ScscfPolicy({ config, registrations, registrar, notifier, router, isLocal });
  proxy = new StatefulProxy({
    transport: stack.transport,
    policy,
    resolve: stack.resolve,
    localAddresses: stack.localAddresses,
    timerValues: config.sip.timers,
    logger: log,
  });
  const running = proxy;

  cxApp.onRegistrationTermination((req) => registrationTermination(req, registrations, ending, log));
  cxApp.onPushProfile((req) => pushProfile(req, registrations, notifier, log));
  try {
    await node.start();
  } catch (err) {
    running.dispose();
    router.close();
    await stack.transport.close();
    await registrations.close();
    throw err;
  }

  // RFC 3261 §10.3: bindings live until they expire; the sweep ends them (and old challenges).
  let sweeping = false;
  const sweep = setInterval(() => {
    // A registration ends only when the HSS can be told (SAR TIMEOUT_DEREGISTRATION, TS 29.228
    // §6.1.2): with no peer open (just started, or the HSS down) the sweep waits for one.
    if (sweeping || !hasOpenPeer(node)) return;
    sweeping = true;
    const now = Date.now();
    auth.purge(now);
    registrations
      .expiring(now)
      .then(async (impus) => {
        for (const impu of impus) await ending.expire(impu, now);
      })
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'expiry sweep failed'))
      .finally(() => {
        sweeping = false;
      });
  }, config.registrar.sweepIntervalMs);
  sweep.unref();

  const listeners = stack.transport.listening();
  const port = listeners[0]?.port ?? config.sip.port;
  log.info(
    {
      sip: listeners.map((l) => `${l.protocol}:${l.host}:${l.port}`),
      serverName: config.serverName,
      domains: config.domains,
      diameterPeers: config.diameter.peers.map((p) => p.host),
      store: config.store.backend,
    },
    'S-CSCF started',
  );

  let stopping: Promise<void> | undefined;
  return {
    name: 'scscf',
    port,
    registrations,
    proxy: running,
    diameter: node,
    serviceRoute: registrar.serviceRoute,
    notifier,
    assignUnregistered,
    sipLayers: [running.layer],
    async status(): Promise<FunctionStatus> {
      return {
        // Without the HSS nobody can register.
        healthy: node.allPeers().some((p) => p.usable),
        sip: listeners.map((l) => ({ protocol: l.protocol, host: l.host, port: l.port })),
        diameterPeers: peerStatuses(node),
        registeredUsers: await registrations.countRegistered(),
        details: {
          serverName: config.serverName,
          domains: config.domains,
          regSubscriptions: notifier.size,
          pendingChallenges: auth.outstanding,
        },
      };
    },
    async deregister(impu: string): Promise<boolean> {
      const record = await ending.end(canonicalImpu(impu), {
        sar: ServerAssignmentType.ADMINISTRATIVE_DEREGISTRATION,
        event: 'deactivated',
        why: 'administrative',
      });
      return record !== undefined;
    },
    // No SAR at stop: the registrations stay (the memory store's snapshot or Redis keeps them).
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(sweep);
        notifier.close();
        router.close();
        running.dispose();
        await node.close();
        await registrations.close();
        await stack.transport.close();
        log.info('S-CSCF stopped');
      })()),
  };
}

/** `ims run scscf --config FILE`: loads the file, logs JSON lines on stdout, starts. */
export async function launchScscf(file: string): Promise<Scscf> {
  const config = loadScscfConfig(file);
  return startScscf(config, createLogger({ level: config.log.level, name: 'scscf' }));
}
