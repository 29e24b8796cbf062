/**
 * The P-CSCF (ARCHITECTURE.md §2, TS 24.229 §5.2): the first SIP hop of UEs over UDP, TCP,
 * TLS, WS and WSS. It puts itself on the Path of REGISTERs with a flow token (RFC 3327,
 * RFC 5626), keeps each UE's registration from the 200 (OK) and the reg event (§5.2.3),
 * asserts identities and enforces the Service-Route on originating requests (§5.2.6, RFC 3608),
 * delivers terminating requests over the UE's flow (§5.2.7), agrees on TLS with RFC 3329, and
 * creates charging vectors. Rx (QoS) is a seam (qos-hook.ts) a later issue fills.
 */
import type { Reginfo } from '../../ims/reginfo-model.ts';
import { createLogger, type Logger } from '../../log/logger.ts';
import { StatefulProxy } from '../../sip/proxy/index.ts';
import { systemTimers } from '../../sip/transaction/index.ts';
import { ensureSelfSignedCertificate } from '../../sip/transport/index.ts';
import type { RunningFunction } from '../running-function.ts';
import { type SipStack, startSipStack } from '../sip-stack.ts';
import { loadPcscfConfig, type PcscfConfig } from './config.ts';
import { FlowTokenCodec } from './flow-token.ts';
import { loadFlowTokenKey } from './flow-token-key.ts';
import { PcscfContext } from './pcscf-context.ts';
import { PcscfPolicy } from './pcscf-policy.ts';
import type { QosPolicyHook } from './qos-hook.ts';
import { RegEventSubscriber } from './reg-event-subscriber.ts';
import { subscribeRegEvent } from './register.ts';
import { loadRegistrations, saveRegistrations } from './registration-snapshot.ts';
import { RegistrationTable, type UeRegistrationView } from './registration-table.ts';
import { SecurityAgreement } from './sec-agree.ts';

export { loadPcscfConfig, type PcscfConfig, pcscfConfigSchema } from './config.ts';
export { FlowTokenCodec } from './flow-token.ts';
export type { QosPolicyHook, QosSessionEvent } from './qos-hook.ts';
export type { UeContact, UeRegistrationView } from './registration-table.ts';

export interface PcscfOptions {
  /**
   * Certificate and key (PEM text) for the tls/wss listeners when the config has no
   * `sip.tls`: what `ims up` passes after ensureSelfSignedCertificate.
   */
  tlsMaterial?: { cert: string; key: string };
  /** Told of SDP offers/answers and session ends (the Rx seam); none: nothing is called. */
  qosHook?: QosPolicyHook;
  /** The flow-token HMAC key (random per start by default). */
  flowTokenKey?: Buffer;
}

export interface Pcscf extends RunningFunction {
  /** The port of the first listener (useful with port 0). */
  readonly port: number;
  /** The SIP stack (listeners, resolver). */
  readonly sip: SipStack;
  /** The UEs' registrations the P-CSCF keeps. */
  registeredUsers(): UeRegistrationView[];
}

async function withTls(config: PcscfConfig, options: PcscfOptions): Promise<PcscfConfig['sip']> {
  const sip = config.sip;
  const needsTls = sip.listen.some((l) => l.protocol === 'tls' || l.protocol === 'wss');
  if (!needsTls || sip.tls) return sip;
  let material = options.tlsMaterial;
  if (!material && config.tlsDir) {
    const names = [sip.host, ...new Set(sip.listen.map((l) => l.advertise?.host ?? l.host))];
    material = await ensureSelfSignedCertificate(config.tlsDir, names);
  }
  if (!material)
    throw new Error(
      'P-CSCF: the tls/wss listeners need a certificate: set sip.tls (cert, key) or tlsDir, or pass tlsMaterial',
    );
  return {
    ...sip,
    tls: { cert: material.cert, key: material.key, rejectUnauthorized: true, requestCert: false },
  };
}

export async function startPcscf(
  config: PcscfConfig,
  log: Logger,
  options: PcscfOptions = {},
): Promise<Pcscf> {
  const sip = await startSipStack(await withTls(config, options), log);
  const registrations = new RegistrationTable(config.registrationGraceSeconds * 1000, (r, why) =>
    log.info({ impu: r.impu, flow: r.flowKey, why }, 'registration state dropped'),
  );
  const ctx = new PcscfContext(
    config,
    sip.transport,
    new FlowTokenCodec(
      options.flowTokenKey ??
        (config.flowTokenKeyFile === undefined ? undefined : await loadFlowTokenKey(config.flowTokenKeyFile)),
    ),
    registrations,
    new SecurityAgreement(config.secAgree.mechanisms),
    options.qosHook,
    log,
  );
  const proxy: StatefulProxy = new StatefulProxy({
    transport: sip.transport,
    policy: new PcscfPolicy(ctx, (uri) => proxy.isLocal(uri)),
    resolve: sip.resolve,
    localAddresses: sip.localAddresses,
    // RFC 3329 §2.3.1: UEs put sec-agree in Proxy-Require.
    supportedProxyRequire: ['sec-agree'],
    timerValues: config.sip.timers,
    logger: log,
  });
  // The subscriber sends its SUBSCRIBEs through the proxy's transaction layer.
  const regEvent = config.subscribeRegEvent
    ? new RegEventSubscriber({
        outgoing: {
          layer: proxy.layer,
          transport: sip.transport,
          resolve: sip.resolve,
          timers: systemTimers,
          timerValues: proxy.layer.timerValues,
          logger: log,
          absorb2xx: () => false,
        },
        ownUri: ctx.ownUri,
        chargingVector: () => ctx.chargingVector(),
        logger: log,
        onReginfo: (reginfo) => applyReginfo(ctx, reginfo),
      })
    : undefined;
  ctx.regEvent = regEvent;
  const snapshot = config.registrationSnapshotPath;
  if (snapshot !== undefined) {
    const restored = await loadRegistrations(snapshot, registrations);
    for (const r of restored) subscribeRegEvent(ctx, r);
    if (restored.length > 0)
      log.info({ path: snapshot, restored: restored.length }, 'registrations restored');
  }

  const listening = sip.transport.listening();
  log.info(
    { listen: listening.map((l) => `${l.protocol}:${l.host}:${l.port}`), icscf: config.icscf },
    'P-CSCF started',
  );
  let stopping: Promise<void> | undefined;
  return {
    name: 'pcscf',
    port: listening[0]?.port ?? 0,
    sip,
    sipLayers: [proxy.layer],
    registeredUsers: () => registrations.all().map((r) => registrations.view(r)),
    status: () => ({
      healthy: true,
      sip: listening.map((l) => ({ protocol: l.protocol, host: l.host, port: l.port })),
      registeredUsers: registrations.size,
    }),
    stop: () =>
      (stopping ??= (async () => {
        regEvent?.dispose();
        if (snapshot !== undefined) {
          await saveRegistrations(snapshot, registrations).then(
            (saved) => log.info({ path: snapshot, saved }, 'registrations saved'),
            (err: unknown) => log.error({ err, path: snapshot }, 'registrations not saved'),
          );
        }
        registrations.dispose();
        proxy.dispose();
        sip.resolver.close();
        await sip.transport.close();
        log.info('P-CSCF stopped');
      })()),
  };
}

/**
 * TS 24.229 §5.2.3 (RFC 3680 §5): a registration or contact the reginfo marks terminated ends
 * the UE's registration state here; its next request is refused.
 */
function applyReginfo(ctx: PcscfContext, reginfo: Reginfo): void {
  for (const registration of reginfo.registrations) {
    const affected = ctx.registrations.withIdentity(registration.aor);
    if (registration.state === 'terminated') {
      for (const r of affected) ctx.registrations.remove(r, 'reg event: registration terminated');
      continue;
    }
    for (const contact of registration.contacts) {
      if (contact.state !== 'terminated') continue;
      for (const r of affected)
        if (ctx.registrations.hasContact(r, contact.uri))
          ctx.registrations.removeContact(r, contact.uri, `reg event: contact ${contact.event}`);
    }
  }
}

/**
 * `ims run pcscf --config FILE`: loads the file (ConfigError names a bad key), logs JSON lines
 * at the configured level, starts. The caller stops it (SIGINT/SIGTERM).
 */
export async function launchPcscf(file: string, options: PcscfOptions = {}): Promise<Pcscf> {
  const config = loadPcscfConfig(file);
  const logger = createLogger({ level: config.log.level, name: 'pcscf' });
  return startPcscf(config, logger, options);
}
