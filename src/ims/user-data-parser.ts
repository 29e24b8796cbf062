/**
 * Reads the User-Data XML of TS 29.228 Annex E into its object form (see user-data.ts).
 * Strict where a mistake changes the meaning (unknown elements outside Extension, missing or
 * repeated elements, values out of range, invalid iFCs), lenient where Annex E is built to
 * grow: unknown elements inside an Extension are skipped, and sibling order is not enforced.
 * Text values are trimmed. A DOCTYPE is refused (no entity expansion from the document).
 */
import { IdentityType } from './identity.ts';
import {
  type ApplicationServer,
  DefaultHandling,
  type InitialFilterCriteria,
  ProfilePartIndicator,
  RegistrationType,
  type ServicePointTrigger,
  SessionCase,
  type TriggerPoint,
  validateApplicationServer,
  validateServicePointTrigger,
} from './ifc/model.ts';
import type { ImsSubscription, UserDataPublicIdentity, UserDataServiceProfile } from './user-data.ts';
import { UserDataError } from './user-data-error.ts';
import { readXml, type XmlElement, XmlSyntaxError } from './xml-reader.ts';

interface Element {
  name: string;
  path: string;
  children: Element[];
  text: string;
}

/** Parses an `IMSSubscription` document; throws UserDataError naming the element at fault. */
export function parseUserData(xml: string): ImsSubscription {
  const root = parseDocument(xml, ['IMSSubscription']);
  const c = children(root, ['PrivateID', 'ServiceProfile', 'Extension']);
  const profiles = c.all('ServiceProfile');
  if (profiles.length === 0)
    throw new UserDataError(`${root.path}/ServiceProfile`, 'at least one is required');
  return { privateId: text(c.required('PrivateID')), serviceProfiles: profiles.map(serviceProfile) };
}

/**
 * Parses iFCs given alone (e.g. `ims subscriber add --ifc FILE.xml`): a document whose root is
 * one `InitialFilterCriteria`, or `InitialFilterCriteriaList` holding several.
 */
export function parseInitialFilterCriteria(xml: string): InitialFilterCriteria[] {
  const root = parseDocument(xml, ['InitialFilterCriteria', 'InitialFilterCriteriaList']);
  if (root.name === 'InitialFilterCriteria') return [initialFilterCriteria(root)];
  const list = children(root, ['InitialFilterCriteria'])
    .all('InitialFilterCriteria')
    .map(initialFilterCriteria);
  checkPriorities(list, root.path);
  return list;
}

function parseDocument(xml: string, roots: string[]): Element {
  if (typeof xml !== 'string') throw new UserDataError('', 'the document must be a string');
  let root: Element;
  try {
    root = toElement(readXml(xml), '', 0);
  } catch (err) {
    if (err instanceof XmlSyntaxError)
      throw new UserDataError(
        '',
        err.reason === 'a DOCTYPE is not allowed' ? err.reason : `not well-formed XML: ${err.message}`,
      );
    throw err;
  }
  if (!roots.includes(root.name))
    throw new UserDataError(root.path, `the root element must be ${roots.join(' or ')}`);
  return root;
}

/** The element tree with paths (`A/B[0]/C[1]`: the index counts same-named siblings); text trimmed. */
function toElement(node: XmlElement, parentPath: string, index: number): Element {
  const path = parentPath === '' ? node.name : `${parentPath}/${node.name}[${index}]`;
  const counts = new Map<string, number>();
  const children = node.children.map((child) => {
    const i = counts.get(child.name) ?? 0;
    counts.set(child.name, i + 1);
    return toElement(child, path, i);
  });
  return { name: node.name, path, children, text: node.text.trim() };
}

/** Access to the children of `el` by name; names outside `known` are refused unless `lenient`. */
function children(el: Element, known: readonly string[], lenient = false) {
  if (!lenient)
    for (const child of el.children)
      if (!known.includes(child.name))
        throw new UserDataError(child.path, `unexpected element in ${el.name}`);
  const all = (name: string) => el.children.filter((c) => c.name === name);
  const optional = (name: string): Element | undefined => {
    const found = all(name);
    if (found.length > 1) throw new UserDataError(found[1]!.path, `${name} may appear only once`);
    return found[0];
  };
  const required = (name: string): Element => {
    const found = optional(name);
    if (found === undefined) throw new UserDataError(`${el.path}/${name}`, 'is required');
    return found;
  };
  return { all, optional, required };
}

function text(el: Element): string {
  if (el.children.length > 0) throw new UserDataError(el.children[0]!.path, `${el.name} holds text only`);
  if (el.text === '') throw new UserDataError(el.path, 'must not be empty');
  return el.text;
}

/** Annex E tBool (xs:boolean). */
function bool(el: Element): boolean {
  const t = text(el);
  if (t === '1' || t === 'true') return true;
  if (t === '0' || t === 'false') return false;
  throw new UserDataError(el.path, `must be 0 or 1, not "${t}"`);
}

function unsigned(el: Element, max = 0xffffffff): number {
  const t = text(el);
  const n = /^[0-9]{1,10}$/.test(t) ? Number(t) : Number.NaN;
  if (!(n <= max)) throw new UserDataError(el.path, `must be an integer 0..${max}, not "${t}"`);
  return n;
}

function enumerated<E extends number>(el: Element, e: object): E {
  const n = unsigned(el);
  if (!Object.values(e).includes(n)) {
    const names = Object.entries(e).filter(([, v]) => typeof v === 'number');
    throw new UserDataError(el.path, `must be one of ${names.map(([k, v]) => `${v} (${k})`).join(', ')}`);
  }
  return n as E;
}

function serviceProfile(el: Element): UserDataServiceProfile {
  const c = children(el, [
    'PublicIdentity',
    'CoreNetworkServicesAuthorization',
    'InitialFilterCriteria',
    'Extension',
  ]);
  const identities = c.all('PublicIdentity');
  if (identities.length === 0)
    throw new UserDataError(`${el.path}/PublicIdentity`, 'at least one is required');
  const profile: UserDataServiceProfile = {
    publicIdentities: identities.map(publicIdentity),
    initialFilterCriteria: c.all('InitialFilterCriteria').map(initialFilterCriteria),
    sharedIfcSetIds: [],
  };
  checkPriorities(profile.initialFilterCriteria, el.path);
  const cnsa = c.optional('CoreNetworkServicesAuthorization');
  if (cnsa !== undefined) {
    const smp = children(cnsa, ['SubscribedMediaProfileId', 'Extension']).optional(
      'SubscribedMediaProfileId',
    );
    profile.coreNetworkServicesAuthorization =
      smp === undefined ? {} : { subscribedMediaProfileId: unsigned(smp) };
  }
  const ext = c.optional('Extension');
  if (ext !== undefined)
    profile.sharedIfcSetIds = children(ext, [], true)
      .all('SharedIFCSetID')
      .map((e) => unsigned(e));
  return profile;
}

function publicIdentity(el: Element): UserDataPublicIdentity {
  const c = children(el, ['BarringIndication', 'Identity', 'Extension']);
  const pi: UserDataPublicIdentity = { identity: text(c.required('Identity')) };
  const barring = c.optional('BarringIndication');
  if (barring !== undefined) pi.barringIndication = bool(barring);
  const ext1 = c.optional('Extension');
  if (ext1 === undefined) return pi;
  const e1 = children(ext1, [], true);
  const type = e1.optional('IdentityType');
  if (type !== undefined) pi.identityType = enumerated<IdentityType>(type, IdentityType);
  const psi = e1.optional('WildcardedPSI');
  if (psi !== undefined) pi.wildcardedPsi = text(psi);
  // Some HSSs put WildcardedIMPU in the first Extension; Annex E has it in the third.
  let wildcardedImpu = e1.optional('WildcardedIMPU');
  const ext2 = e1.optional('Extension');
  if (ext2 !== undefined) {
    const e2 = children(ext2, [], true);
    const displayName = e2.optional('DisplayName');
    if (displayName !== undefined) pi.displayName = text(displayName);
    const alias = e2.optional('AliasIdentityGroupID');
    if (alias !== undefined) pi.aliasIdentityGroupId = text(alias);
    const ext3 = e2.optional('Extension');
    if (ext3 !== undefined) wildcardedImpu ??= children(ext3, [], true).optional('WildcardedIMPU');
  }
  if (wildcardedImpu !== undefined) pi.wildcardedImpu = text(wildcardedImpu);
  return pi;
}

function initialFilterCriteria(el: Element): InitialFilterCriteria {
  const c = children(el, [
    'Priority',
    'TriggerPoint',
    'ApplicationServer',
    'ProfilePartIndicator',
    'Extension',
  ]);
  const ifc: InitialFilterCriteria = {
    priority: unsigned(c.required('Priority'), 2 ** 31 - 1),
    applicationServer: applicationServer(c.required('ApplicationServer')),
  };
  const tp = c.optional('TriggerPoint');
  if (tp !== undefined) ifc.triggerPoint = triggerPoint(tp);
  const ppi = c.optional('ProfilePartIndicator');
  if (ppi !== undefined)
    ifc.profilePartIndicator = enumerated<ProfilePartIndicator>(ppi, ProfilePartIndicator);
  // Keep the key order of the builder's input (Priority, TriggerPoint, ApplicationServer, ...).
  const { priority, triggerPoint: t, applicationServer: as, profilePartIndicator: p } = ifc;
  return {
    priority,
    ...(t ? { triggerPoint: t } : {}),
    applicationServer: as,
    ...(p !== undefined ? { profilePartIndicator: p } : {}),
  };
}

function triggerPoint(el: Element): TriggerPoint {
  const c = children(el, ['ConditionTypeCNF', 'SPT', 'Extension']);
  const spts = c.all('SPT');
  if (spts.length === 0) throw new UserDataError(`${el.path}/SPT`, 'at least one is required');
  return { conditionTypeCNF: bool(c.required('ConditionTypeCNF')), spts: spts.map(servicePointTrigger) };
}

const SPT_CHOICE = ['RequestURI', 'Method', 'SIPHeader', 'SessionCase', 'SessionDescription'];
/** Where each field of the SPT model sits in the XML, for error paths. */
const SPT_FIELD_ELEMENT: Record<string, string> = {
  requestUri: 'RequestURI',
  method: 'Method',
  header: 'SIPHeader/Header',
  sessionCase: 'SessionCase',
  line: 'SessionDescription/Line',
  groups: 'Group',
  registrationTypes: 'Extension/RegistrationType',
  conditionNegated: 'ConditionNegated',
};

function servicePointTrigger(el: Element): ServicePointTrigger {
  const c = children(el, ['ConditionNegated', 'Group', ...SPT_CHOICE, 'Extension']);
  const negated = c.optional('ConditionNegated');
  const groupElements = c.all('Group');
  if (groupElements.length === 0) throw new UserDataError(`${el.path}/Group`, 'at least one is required');
  const base = {
    conditionNegated: negated === undefined ? false : bool(negated),
    groups: groupElements.map((g) => unsigned(g, 2 ** 31 - 1)),
  };
  const chosen = el.children.filter((child) => SPT_CHOICE.includes(child.name));
  if (chosen.length !== 1)
    throw new UserDataError(
      chosen[1]?.path ?? el.path,
      `an SPT holds exactly one of ${SPT_CHOICE.join(', ')}`,
    );
  const choice = chosen[0]!;
  let spt: ServicePointTrigger;
  switch (choice.name) {
    case 'RequestURI':
      spt = { ...base, kind: 'requestUri', requestUri: text(choice) };
      break;
    case 'Method':
      spt = { ...base, kind: 'method', method: text(choice) };
      break;
    case 'SessionCase':
      spt = { ...base, kind: 'sessionCase', sessionCase: enumerated<SessionCase>(choice, SessionCase) };
      break;
    case 'SIPHeader': {
      const h = children(choice, ['Header', 'Content', 'Extension']);
      const content = h.optional('Content');
      spt = {
        ...base,
        kind: 'sipHeader',
        header: text(h.required('Header')),
        ...(content ? { content: text(content) } : {}),
      };
      break;
    }
    default: {
      const d = children(choice, ['Line', 'Content', 'Extension']);
      const content = d.optional('Content');
      spt = {
        ...base,
        kind: 'sessionDescription',
        line: text(d.required('Line')),
        ...(content ? { content: text(content) } : {}),
      };
    }
  }
  const ext = c.optional('Extension');
  const types = ext === undefined ? [] : children(ext, [], true).all('RegistrationType');
  if (types.length > 0) {
    if (spt.kind !== 'method')
      throw new UserDataError(types[0]!.path, 'RegistrationType goes with Method REGISTER only');
    spt.registrationTypes = types.map((t) => enumerated<RegistrationType>(t, RegistrationType));
  }
  const issue = validateServicePointTrigger(spt, '')[0];
  if (issue !== undefined) {
    const [field = '', rest = ''] = issue.field.split(/(?=\[)/);
    const element = field === 'content' ? `${choice.name}/Content` : (SPT_FIELD_ELEMENT[field] ?? field);
    throw new UserDataError(`${el.path}/${element}${rest}`, issue.message);
  }
  return spt;
}

function applicationServer(el: Element): ApplicationServer {
  const c = children(el, ['ServerName', 'DefaultHandling', 'ServiceInfo', 'Extension']);
  const as: ApplicationServer = { serverName: text(c.required('ServerName')) };
  const dh = c.optional('DefaultHandling');
  if (dh !== undefined) as.defaultHandling = enumerated<DefaultHandling>(dh, DefaultHandling);
  const info = c.optional('ServiceInfo');
  if (info !== undefined) as.serviceInfo = info.text;
  const ext = c.optional('Extension');
  if (ext !== undefined) {
    const e = children(ext, [], true);
    if (e.optional('IncludeRegisterRequest') !== undefined) as.includeRegisterRequest = true;
    if (e.optional('IncludeRegisterResponse') !== undefined) as.includeRegisterResponse = true;
  }
  const issue = validateApplicationServer(as, '')[0];
  if (issue !== undefined) throw new UserDataError(`${el.path}/ServerName`, issue.message);
  return as;
}

/** Annex B.2.2: the iFCs of one service profile have different priorities. */
function checkPriorities(list: InitialFilterCriteria[], path: string): void {
  const seen = new Map<number, number>();
  list.forEach((ifc, i) => {
    const first = seen.get(ifc.priority);
    if (first !== undefined)
      throw new UserDataError(
        `${path}/InitialFilterCriteria[${i}]/Priority`,
        `same priority as InitialFilterCriteria[${first}]`,
      );
    seen.set(ifc.priority, i);
  });
}
