/**
 * How registrations end other than by the UE's REGISTER: expiry (TS 24.229 §5.4.1.4 last
 * paragraphs, SAR TIMEOUT_DEREGISTRATION), the network (§5.4.1.5: RTR from the HSS, the
 * operator, a failed AS), each followed by the reg event NOTIFY, the third-party de-REGISTER
 * and the clean-up of the record.
 */
import { ServerAssignmentType } from '../../diameter/apps/cx.ts';
import { RegistrationType } from '../../ims/ifc/model.ts';
import type { ContactEvent } from '../../ims/reginfo-model.ts';
import type { Logger } from '../../log/logger.ts';
import type { Binding, Registration, RegistrationStore } from '../../store/registrations/types.ts';
import { liveBindings } from './bindings.ts';
import { type ScscfCx, satName } from './cx-client.ts';
import type { RegEventNotifier } from './reg-event-notifier.ts';
import { reportedIdentities } from './reginfo-state.ts';
import type { ThirdPartyRegistrar } from './third-party-register.ts';

export interface DeregistrarDeps {
  registrations: RegistrationStore;
  cx: ScscfCx;
  notifier: RegEventNotifier;
  thirdParty: ThirdPartyRegistrar;
  logger: Logger;
}

export interface Ending {
  /** The SAR to send afterwards; none after an RTR (the HSS already knows). */
  sar?: number;
  /** RFC 3680 §5.1 contact event in the NOTIFY. */
  event: ContactEvent;
  why: string;
}

export class Deregistrar {
  readonly #log: Logger;

  constructor(private readonly deps: DeregistrarDeps) {
    this.#log = deps.logger.child({ component: 'deregistration' });
  }

  /**
   * Ends the registration holding `impu` (its whole implicit set): removed from the store,
   * NOTIFY to its watchers, SAR, third-party de-REGISTER. Resolves with the record removed,
   * or undefined when there was none.
   */
  async end(impu: string, ending: Ending): Promise<Registration | undefined> {
    let removed: Registration | undefined;
    await this.deps.registrations.update(impu, (current) => {
      removed = current;
      return current === undefined ? undefined : null;
    });
    if (removed === undefined) return undefined;
    const record = removed;
    this.#log.info(
      { impu: record.impus[0], impi: record.impi, why: ending.why, event: ending.event },
      'registration ended',
    );
    if (record.state === 'registered') {
      // TS 24.229 §5.4.1.5: NOTIFY first, then the HSS.
      this.deps.notifier.changed({
        identities: reportedIdentities(record),
        after: undefined,
        changes: record.bindings.map((binding) => ({ binding, state: 'terminated', event: ending.event })),
      });
    }
    if (ending.sar !== undefined) await this.#sar(ending.sar, record);
    if (record.state === 'registered')
      this.#thirdParty(record).catch((err: unknown) =>
        this.#log.warn({ err: (err as Error).message }, 'third-party de-REGISTER failed'),
      );
    return record;
  }

  /**
   * The expiry sweep for one record (RFC 3261 §10.3: a binding lives until its expiry):
   * expired bindings dropped and reported; the last one gone ends the registration with SAR
   * TIMEOUT_DEREGISTRATION (TS 29.228 §6.1.2).
   */
  async expire(impu: string, now: number): Promise<void> {
    await this.#drop(
      impu,
      (current) => {
        const live = liveBindings(current.bindings, now);
        return current.bindings.filter((b) => !live.includes(b));
      },
      'expired',
    );
  }

  /**
   * RFC 5626 §5.3: the edge proxy answered 430 (Flow Failed) for `contact`: its binding goes,
   * reported "deactivated" (RFC 3680 §5.1: the UE is to register again); the last one gone
   * ends the registration as an expiry does.
   */
  async flowFailed(impu: string, contact: string): Promise<void> {
    await this.#drop(impu, (current) => current.bindings.filter((b) => b.contact === contact), 'deactivated');
  }

  /** Removes the bindings `pick` names from the record holding `impu`; reports and, if none is left, ends it. */
  async #drop(
    impu: string,
    pick: (current: Registration) => Binding[],
    event: 'expired' | 'deactivated',
  ): Promise<void> {
    let dropped: Binding[] = [];
    let before: Registration | undefined;
    let ended = false;
    const after = await this.deps.registrations.update(impu, (current) => {
      dropped = [];
      ended = false;
      before = current;
      if (current === undefined) return undefined;
      dropped = pick(current);
      if (dropped.length === 0) return undefined;
      const live = current.bindings.filter((b) => !dropped.includes(b));
      if (live.length === 0) {
        ended = true;
        return null;
      }
      return { ...current, bindings: live, revision: current.revision + 1 };
    });
    if (before === undefined || dropped.length === 0) return;
    const record = before;
    const changes = dropped.map((binding) => ({ binding, state: 'terminated' as const, event }));
    this.deps.notifier.changed({
      identities: reportedIdentities(record),
      after: ended ? undefined : after,
      changes,
    });
    if (!ended) {
      this.#log.info({ impu: record.impus[0], removed: dropped.length, event }, 'bindings removed');
      return;
    }
    this.#log.info(
      { impu: record.impus[0], impi: record.impi, event },
      'registration ended: no binding left',
    );
    await this.#sar(ServerAssignmentType.TIMEOUT_DEREGISTRATION, record);
    await this.#thirdParty(record).catch(() => undefined);
  }

  async #sar(type: number, record: Registration): Promise<void> {
    const outcome = await this.deps.cx.assign(type, record.impi, [record.impus[0]!], false);
    if (!outcome.ok)
      this.#log.warn(
        { impu: record.impus[0], type: satName(type), status: outcome.failure.status },
        'de-registration SAR refused',
      );
  }

  #thirdParty(record: Registration): Promise<void> {
    return this.deps.thirdParty.send(record, record.impus[0]!, RegistrationType.DE_REGISTRATION, 0);
  }
}
