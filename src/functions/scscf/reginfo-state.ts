/**
 * The `<registration>` elements the S-CSCF puts in reg event NOTIFYs (RFC 3680 §5, TS 24.229
 * §5.4.2.1.2): one per public identity of the implicit registration set that is not barred,
 * each listing the bindings of the set (they are registered together).
 */
import { createHash } from 'node:crypto';
import type { ContactEvent, ReginfoContact, ReginfoRegistration } from '../../ims/reginfo-model.ts';
import type { Binding, Registration } from '../../store/registrations/types.ts';

/** A binding that changed, with the RFC 3680 §5.1 state and event to report. */
export interface ContactChange {
  binding: Binding;
  state: 'active' | 'terminated';
  event: ContactEvent;
}

/** RFC 3680 §5.1 registration id: stable for an AOR (the same in every NOTIFY). */
export function registrationId(aor: string): string {
  return `reg-${createHash('sha1').update(aor).digest('hex').slice(0, 10)}`;
}

/** The Contact parameters of a binding as `<unknown-param>` (TS 24.229 §5.4.2.1.2). */
function unknownParams(params: string): ReginfoContact['unknownParams'] {
  const out: { name: string; value?: string }[] = [];
  for (const part of params.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (name === '' || name === 'expires' || name === 'q') continue;
    const raw = eq < 0 ? undefined : part.slice(eq + 1).trim();
    const value = raw?.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
    out.push(value === undefined ? { name } : { name, value });
  }
  return out.length > 0 ? out : undefined;
}

function contactOf(change: ContactChange, now: number): ReginfoContact {
  const b = change.binding;
  const params = unknownParams(b.params);
  return {
    id: b.id,
    state: change.state,
    event: change.event,
    uri: b.contact,
    expires: change.state === 'active' ? Math.max(0, Math.round((b.expiresAt - now) / 1000)) : 0,
    durationRegistered: Math.max(0, Math.round((now - b.registeredAt) / 1000)),
    callId: b.callId,
    cseq: b.cseq,
    ...(params !== undefined ? { unknownParams: params } : {}),
  };
}

/** The identities a NOTIFY reports: the set without its barred ones (TS 24.229 §5.4.2.1.2). */
export function reportedIdentities(record: Pick<Registration, 'impus' | 'barred'>): string[] {
  return record.impus.filter((i) => !record.barred.includes(i));
}

/** RFC 3680 full state of a registration record (every binding active). */
export function fullState(record: Registration, now: number): ReginfoRegistration[] {
  const contacts = record.bindings.map((binding) =>
    contactOf({ binding, state: 'active', event: 'registered' }, now),
  );
  return reportedIdentities(record).map((aor) => ({
    aor,
    id: registrationId(aor),
    state: contacts.length > 0 ? 'active' : 'terminated',
    contacts,
  }));
}

/**
 * RFC 3680 §5.3 partial state: the changed contacts of each identity; the registration is
 * terminated when no binding is left.
 */
export function partialState(
  identities: readonly string[],
  changes: readonly ContactChange[],
  remaining: number,
  now: number,
): ReginfoRegistration[] {
  const contacts = changes.map((c) => contactOf(c, now));
  return identities.map((aor) => ({
    aor,
    id: registrationId(aor),
    state: remaining > 0 ? 'active' : 'terminated',
    contacts,
  }));
}
