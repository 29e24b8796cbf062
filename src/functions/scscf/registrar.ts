/**
 * The S-CSCF registrar (TS 24.229 §5.4.1.2 registration and re-registration, §5.4.1.4
 * de-registration by the UE; RFC 3261 §10.3): authenticate, update the bindings, Cx SAR, store
 * the registration and answer 200 OK with Service-Route, P-Associated-URI and Path; then tell
 * the reg event watchers and the application servers.
 */
import { ServerAssignmentType } from '../../diameter/apps/cx.ts';
import { RegistrationType } from '../../ims/ifc/model.ts';
import type { Logger } from '../../log/logger.ts';
import {
  AUTHORIZATION,
  CONTACT,
  type Contact,
  createResponse,
  EXPIRES,
  PATH,
  REQUIRE,
  type SipRequest,
  type SipResponse,
  type STAR,
  TO,
} from '../../sip/message/index.ts';
import type { RequestContext } from '../../sip/proxy/proxy-policy.ts';
import { validationRefusal } from '../../sip/proxy/uas-checks.ts';
import type { Registration, RegistrationStore } from '../../store/registrations/types.ts';
import { type BindingPlan, contactValue, liveBindings, planBindings, type RegisterData } from './bindings.ts';
import type { ScscfConfig } from './config.ts';
import type { ScscfCx } from './cx-client.ts';
import type { Deregistrar } from './deregistration.ts';
import type { RegEventNotifier } from './reg-event-notifier.ts';
import { reportedIdentities } from './reginfo-state.ts';
import type { RegisterAuthenticator } from './register-auth.ts';
import type { ThirdPartyRegistrar } from './third-party-register.ts';
import { canonicalImpu, type ServedProfile, servedProfile } from './user-profile.ts';

/** What the registrar reads of a REGISTER, checked before acting (RFC 3261 §8.2, §10.3). */
const READS = [TO, CONTACT, EXPIRES, REQUIRE, PATH, AUTHORIZATION];

/** Option tags a REGISTER may require of us (RFC 3261 §8.2.2.3): Path (RFC 3327), outbound (RFC 5626). */
const SUPPORTED = new Set(['path', 'outbound']);

export interface RegistrarDeps {
  config: ScscfConfig;
  registrations: RegistrationStore;
  cx: ScscfCx;
  auth: RegisterAuthenticator;
  notifier: RegEventNotifier;
  thirdParty: ThirdPartyRegistrar;
  deregistrar: Deregistrar;
  logger: Logger;
}

type Reply = (status: number, options?: { reason?: string; headers?: [string, string][] }) => SipResponse;

export class Registrar {
  readonly #log: Logger;
  /** TS 24.229 §5.4.1.2.2: the Service-Route with the originating marker the routing side looks for. */
  readonly serviceRoute: string;

  constructor(private readonly deps: RegistrarDeps) {
    this.#log = deps.logger.child({ component: 'registrar' });
    const { host, port } = deps.config.sip;
    this.serviceRoute = `<sip:orig@${host}:${port};lr>`;
  }

  /** Answers a REGISTER addressed to one of our domains in `context.transaction`. */
  async handle(context: RequestContext): Promise<void> {
    const { request, transaction } = context;
    const reply: Reply = (status, options = {}) => {
      const response = createResponse(request, status, options);
      transaction.respond(response);
      return response;
    };
    try {
      await this.#register(request, reply);
    } catch (err) {
      this.#log.error({ err, callId: request.callId }, 'REGISTER failed');
      reply(500, { reason: 'Registrar error' });
    }
  }

  async #register(request: SipRequest, reply: Reply): Promise<void> {
    // RFC 3261 §8.2, §21.4.1: a malformed header we act on is a 400 naming it (Expires: abc).
    const malformed = validationRefusal(request, { headers: READS });
    if (malformed) {
      reply(malformed.status, { reason: malformed.reason! });
      return;
    }
    // RFC 3261 §10.3 step 2 / §8.2.2.3: extensions we do not know are refused.
    const unsupported = request.all(REQUIRE).filter((t) => !SUPPORTED.has(t.toLowerCase()));
    if (unsupported.length > 0) {
      reply(420, { headers: [['Unsupported', unsupported.join(', ')]] });
      return;
    }
    let impu: string;
    let contacts: (Contact | typeof STAR)[];
    let path: string[];
    try {
      impu = canonicalImpu(request.to.uri.toString());
      contacts = request.contacts;
      path = request.all(PATH).map((p) => p.toString());
    } catch (err) {
      reply(400, { reason: (err as Error).message });
      return;
    }
    if (!/^(sips?|tel):/.test(impu)) {
      reply(400, { reason: 'To is not a public user identity' });
      return;
    }
    const auth = await this.deps.auth.authenticate(request, impu);
    if (auth.kind === 'answer') {
      reply(auth.status, {
        ...(auth.reason ? { reason: auth.reason } : {}),
        ...(auth.headers ? { headers: auth.headers } : {}),
      });
      return;
    }
    const impi = auth.impi;
    const data = registerData(request, contacts, path);
    const limits = this.deps.config.registrar;
    const now = Date.now();
    const current = await this.deps.registrations.get(impu);
    const registered = isRegistered(current, now);
    const plan = planBindings(registered ? liveBindings(current!.bindings, now) : [], data, limits, now);
    if (!plan.ok) {
      reply(plan.status, { reason: plan.reason, ...(plan.headers ? { headers: plan.headers } : {}) });
      return;
    }
    const log = { impu, impi, callId: request.callId };
    if (plan.query) {
      // RFC 3261 §10.3 step 6: no Contact: the current bindings, nothing changes.
      reply(200, { headers: this.#okHeaders(request, registered ? current : undefined, now) });
      return;
    }
    if (plan.bindings.length === 0) {
      if (registered) await this.#deregister(request, reply, current!, impi, plan, log);
      else reply(200);
      return;
    }
    const type = registered ? ServerAssignmentType.RE_REGISTRATION : ServerAssignmentType.REGISTRATION;
    const needProfile = !registered || current?.userData === '';
    const sar = await this.deps.cx.assign(type, impi, [impu], needProfile);
    if (!sar.ok) {
      reply(sar.failure.status, { reason: sar.failure.reason });
      return;
    }
    const userData = sar.value.userData ?? current?.userData ?? '';
    let profile: ServedProfile;
    try {
      profile = servedProfile(userData, impu);
    } catch (err) {
      this.#log.warn({ ...log, err: (err as Error).message }, 'user profile not usable');
      reply(500, { reason: 'User profile not usable' });
      return;
    }
    if (profile.barred.includes(impu)) {
      // TS 24.229 §5.4.1.2.1: a barred identity cannot be registered.
      reply(403, { reason: 'Public identity barred' });
      await this.deps.cx.assign(ServerAssignmentType.USER_DEREGISTRATION, impi, [impu], false);
      return;
    }
    let latest: BindingPlan = plan;
    const stored = await this.deps.registrations.update(impu, (record) => {
      const base = isRegistered(record, now) ? liveBindings(record!.bindings, now) : [];
      latest = planBindings(base, data, limits, now);
      if (!latest.ok || latest.bindings.length === 0) return undefined;
      return {
        impus: profile.impus,
        barred: profile.barred,
        impi,
        state: 'registered',
        userData,
        ...(sar.value.charging !== undefined
          ? { charging: sar.value.charging }
          : record?.charging !== undefined
            ? { charging: record.charging }
            : {}),
        bindings: latest.bindings,
        revision: (record?.revision ?? 0) + 1,
      } satisfies Registration;
    });
    const applied = latest as BindingPlan;
    if (!applied.ok || stored === undefined) {
      // Another REGISTER of the same UE went first and this one is now out of order.
      reply(applied.ok ? 500 : applied.status, {
        reason: applied.ok ? 'Registration changed' : applied.reason,
      });
      return;
    }
    const ok = reply(200, { headers: this.#okHeaders(request, stored, now) });
    this.#log.info(
      { ...log, type: registered ? 're-registration' : 'registration', bindings: stored.bindings.length },
      'registered',
    );
    this.deps.notifier.changed({
      identities: reportedIdentities(stored),
      after: stored,
      changes: applied.changes,
    });
    const expires = Math.max(...stored.bindings.map((b) => Math.round((b.expiresAt - now) / 1000)));
    this.deps.thirdParty
      .send(
        stored,
        impu,
        registered ? RegistrationType.RE_REGISTRATION : RegistrationType.INITIAL_REGISTRATION,
        expires,
        request,
        ok,
      )
      .catch((err: unknown) =>
        this.#log.warn({ ...log, err: (err as Error).message }, 'third-party REGISTER failed'),
      );
  }

  /** TS 24.229 §5.4.1.4: the UE removed its last binding: SAR USER_DEREGISTRATION, clean-up. */
  async #deregister(
    request: SipRequest,
    reply: Reply,
    current: Registration,
    impi: string,
    plan: Extract<BindingPlan, { ok: true }>,
    log: Record<string, unknown>,
  ): Promise<void> {
    let removed: Registration | undefined;
    await this.deps.registrations.update(current.impus[0]!, (record) => {
      removed = record;
      return record === undefined ? undefined : null;
    });
    const ok = reply(200, { headers: this.#okHeaders(request, undefined, Date.now()) });
    this.#log.info(log, 'de-registered by the UE');
    const record = removed ?? current;
    this.deps.notifier.changed({
      identities: reportedIdentities(record),
      after: undefined,
      changes: plan.changes,
    });
    const sar = await this.deps.cx.assign(
      ServerAssignmentType.USER_DEREGISTRATION,
      impi,
      [record.impus[0]!],
      false,
    );
    if (!sar.ok) this.#log.warn({ ...log, status: sar.failure.status }, 'SAR USER_DEREGISTRATION refused');
    this.deps.thirdParty
      .send(record, record.impus[0]!, RegistrationType.DE_REGISTRATION, 0, request, ok)
      .catch(() => undefined);
  }

  /** RFC 3261 §10.3 step 8, RFC 3327 §5.3, TS 24.229 §5.4.1.2.2: the headers of the 200 OK. */
  #okHeaders(request: SipRequest, record: Registration | undefined, now: number): [string, string][] {
    const headers: [string, string][] = [];
    for (const b of record?.bindings ?? []) headers.push(['Contact', contactValue(b, now)]);
    for (const p of request.headers.values('Path')) headers.push(['Path', p]);
    if (record === undefined) return headers;
    headers.push(['Service-Route', this.serviceRoute]);
    for (const impu of reportedIdentities(record)) headers.push(['P-Associated-URI', `<${impu}>`]);
    headers.push(['Supported', 'path']);
    const ccf = record.charging?.ccf ?? [];
    const ecf = record.charging?.ecf ?? [];
    if (ccf.length + ecf.length > 0)
      headers.push([
        'P-Charging-Function-Addresses',
        [...ccf.map((c) => `ccf="${c}"`), ...ecf.map((e) => `ecf="${e}"`)].join(';'),
      ]);
    return headers;
  }
}

function isRegistered(record: Registration | undefined, now: number): boolean {
  return (
    record !== undefined && record.state === 'registered' && liveBindings(record.bindings, now).length > 0
  );
}

function registerData(
  request: SipRequest,
  contacts: (Contact | typeof STAR)[],
  path: string[],
): RegisterData {
  const last = path[path.length - 1];
  const pcscf = last?.replace(/^[^<]*<([^>]*)>.*$/, '$1');
  const header = (name: string) => request.headers.get(name);
  const chargingVector = header('P-Charging-Vector');
  const cfa = header('P-Charging-Function-Addresses');
  const ani = header('P-Access-Network-Info');
  return {
    contacts,
    expires: request.expires,
    callId: request.callId,
    cseq: request.cseq.seq,
    path,
    ...(chargingVector !== undefined ? { chargingVector } : {}),
    ...(cfa !== undefined ? { chargingFunctionAddresses: cfa } : {}),
    ...(pcscf !== undefined ? { pcscf } : {}),
    ...(ani !== undefined ? { accessNetworkInfo: ani } : {}),
  };
}
