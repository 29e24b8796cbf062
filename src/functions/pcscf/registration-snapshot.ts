/**
 * The P-CSCF's registrations across a restart (the S-CSCF keeps its own): written when the
 * P-CSCF stops, read when it starts, so that a UE registered before is still served after it
 * (its originating requests accepted, terminating requests sent over its flow) without waiting
 * for its next refresh. Only UDP flows are kept: a TCP, TLS or WebSocket connection ends with
 * the process, and the UE registers again over a new one (RFC 5626 §4.4). Registrations whose
 * contacts all expired meanwhile are not restored. Written to a temporary file, then renamed
 * over the old one, so a crash leaves a whole snapshot or the previous one.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Flow } from '../../sip/transport/types.ts';
import type { RegistrationTable, UeContact, UeRegistration } from './registration-table.ts';

const FORMAT = 'ims-core P-CSCF registrations';
const VERSION = 1;

interface StoredRegistration {
  flow: Flow;
  impu: string;
  associatedUris: string[];
  serviceRoute: string[];
  contacts: UeContact[];
}

/** Writes the registrations over UDP flows to `path`. */
export async function saveRegistrations(path: string, table: RegistrationTable): Promise<number> {
  const registrations: StoredRegistration[] = table
    .all()
    .filter((r) => r.flow.protocol === 'udp')
    .map((r) => ({
      flow: { protocol: r.flow.protocol, local: r.flow.local, remote: r.flow.remote },
      impu: r.impu,
      associatedUris: r.associatedUris,
      serviceRoute: r.serviceRoute,
      contacts: r.contacts,
    }));
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.tmp`;
  await writeFile(temporary, JSON.stringify({ format: FORMAT, version: VERSION, registrations }), {
    mode: 0o600,
  });
  await rename(temporary, path);
  return registrations.length;
}

/**
 * Puts the registrations of the snapshot at `path` back into `table` (none when there is no
 * file) and returns them. A file that is not a snapshot of this format is an error naming it.
 */
export async function loadRegistrations(path: string, table: RegistrationTable): Promise<UeRegistration[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const stored = parse(text);
  if (!stored)
    throw new Error(`${path}: not a ${FORMAT} snapshot version ${VERSION}; move it away to start without`);
  const now = Date.now();
  const restored: UeRegistration[] = [];
  for (const s of stored) {
    const contacts = s.contacts.filter((c) => c.expiresAt > now);
    if (contacts.length === 0) continue;
    const registration = table.save(s.flow, s.impu, {
      associatedUris: s.associatedUris,
      serviceRoute: s.serviceRoute,
      contacts,
    });
    if (registration) restored.push(registration);
  }
  return restored;
}

function parse(text: string): StoredRegistration[] | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const d = data as { format?: unknown; version?: unknown; registrations?: unknown };
  if (d?.format !== FORMAT || d.version !== VERSION || !Array.isArray(d.registrations)) return undefined;
  return d.registrations.every(isStored) ? (d.registrations as StoredRegistration[]) : undefined;
}

function isStored(r: unknown): boolean {
  const s = r as Partial<StoredRegistration>;
  const strings = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === 'string');
  return (
    typeof s?.impu === 'string' &&
    s.flow?.protocol === 'udp' &&
    typeof s.flow.local?.host === 'string' &&
    typeof s.flow.remote?.port === 'number' &&
    strings(s.associatedUris) &&
    strings(s.serviceRoute) &&
    Array.isArray(s.contacts) &&
    s.contacts.every((c) => typeof c?.uri === 'string' && typeof c.expiresAt === 'number')
  );
}
