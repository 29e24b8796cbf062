/**
 * The Cx User-Data document, TS 29.228 Annex E (IMSSubscription, schema CxDataType.xsd):
 * built from its object form and parsed back. Elements are written in the order of the
 * schema's sequences; the Extension chains of Annex E carry the later additions
 * (IdentityType, WildcardedPSI, DisplayName, WildcardedIMPU, RegistrationType,
 * IncludeRegisterRequest/Response, SharedIFCSetID).
 */

import type { IdentityType } from './identity.ts';
import {
  type ApplicationServer,
  type InitialFilterCriteria,
  type ServicePointTrigger,
  validateInitialFilterCriteria,
} from './ifc/model.ts';
import { UserDataError } from './user-data-error.ts';
import { XmlWriter } from './xml-writer.ts';

export { parseInitialFilterCriteria, parseUserData } from './user-data-parser.ts';

/** Annex E tPublicIdentity with its extensions. */
export interface UserDataPublicIdentity {
  /** Identity: the SIP or tel URI (for a wildcarded PSI or IMPU, the wildcard itself). */
  identity: string;
  barringIndication?: boolean;
  identityType?: IdentityType;
  /** WildcardedPSI: the wildcard a distinct PSI of this profile was matched by. */
  wildcardedPsi?: string;
  displayName?: string;
  aliasIdentityGroupId?: string;
  /** WildcardedIMPU: the wildcarded IMPU a non-distinct IMPU belongs to. */
  wildcardedImpu?: string;
}

/** Annex E tCoreNetworkServicesAuthorization. */
export interface CoreNetworkServicesAuthorization {
  subscribedMediaProfileId?: number;
}

/** Annex E tServiceProfile. */
export interface UserDataServiceProfile {
  publicIdentities: UserDataPublicIdentity[];
  coreNetworkServicesAuthorization?: CoreNetworkServicesAuthorization;
  initialFilterCriteria: InitialFilterCriteria[];
  /** SharedIFCSetID: iFC sets the S-CSCF holds locally (TS 29.228 §6.6.3, Shared iFC Sets feature). */
  sharedIfcSetIds: number[];
}

/** Annex E tIMSSubscription: what an S-CSCF gets in SAA / PPR User-Data. */
export interface ImsSubscription {
  /** PrivateID: the IMPI. */
  privateId: string;
  serviceProfiles: UserDataServiceProfile[];
}

export interface BuildOptions {
  /** Indent nested elements with this string (for people); default: one line (for the wire). */
  indent?: string;
}

const ROOT = 'IMSSubscription';

/** Writes the User-Data XML of TS 29.228 Annex E. Throws UserDataError for values it cannot carry. */
export function buildUserData(subscription: ImsSubscription, options: BuildOptions = {}): string {
  const w = new XmlWriter(options.indent);
  if (!nonEmpty(subscription.privateId)) throw new UserDataError(`${ROOT}/PrivateID`, 'must not be empty');
  // Annex E tIMSSubscription: ServiceProfile 1..n.
  if (subscription.serviceProfiles.length === 0)
    throw new UserDataError(`${ROOT}/ServiceProfile`, 'at least one service profile is required');
  guard(ROOT, () => {
    w.open(ROOT).leaf('PrivateID', subscription.privateId);
    subscription.serviceProfiles.forEach((profile, i) => {
      writeServiceProfile(w, profile, `${ROOT}/ServiceProfile[${i}]`);
    });
    w.close();
  });
  return w.toString();
}

/**
 * Writes iFCs alone, as in a file given to `ims subscriber add --ifc`: one
 * `<InitialFilterCriteria>` root, or several under `<InitialFilterCriteriaList>`.
 */
export function buildInitialFilterCriteria(
  list: InitialFilterCriteria[],
  options: BuildOptions = {},
): string {
  const w = new XmlWriter(options.indent);
  if (list.length === 1) writeIfc(w, list[0]!, 'InitialFilterCriteria');
  else {
    w.open('InitialFilterCriteriaList');
    list.forEach((ifc, i) => {
      writeIfc(w, ifc, `InitialFilterCriteriaList/InitialFilterCriteria[${i}]`);
    });
    w.close();
  }
  return w.toString();
}

function writeServiceProfile(w: XmlWriter, profile: UserDataServiceProfile, path: string): void {
  // Annex E tServiceProfile: PublicIdentity 1..n, CoreNetworkServicesAuthorization 0..1,
  // InitialFilterCriteria 0..n, Extension (SharedIFCSetID 0..n) 0..1.
  if (profile.publicIdentities.length === 0)
    throw new UserDataError(`${path}/PublicIdentity`, 'at least one public identity is required');
  w.open('ServiceProfile');
  profile.publicIdentities.forEach((pi, i) => {
    writePublicIdentity(w, pi, `${path}/PublicIdentity[${i}]`);
  });
  const cnsa = profile.coreNetworkServicesAuthorization;
  if (cnsa !== undefined) {
    w.open('CoreNetworkServicesAuthorization');
    if (cnsa.subscribedMediaProfileId !== undefined) {
      checkUnsigned(
        cnsa.subscribedMediaProfileId,
        `${path}/CoreNetworkServicesAuthorization/SubscribedMediaProfileId`,
      );
      w.leaf('SubscribedMediaProfileId', cnsa.subscribedMediaProfileId);
    }
    w.close();
  }
  profile.initialFilterCriteria.forEach((ifc, i) => {
    writeIfc(w, ifc, `${path}/InitialFilterCriteria[${i}]`);
  });
  if (profile.sharedIfcSetIds.length > 0) {
    w.open('Extension');
    profile.sharedIfcSetIds.forEach((id, i) => {
      checkUnsigned(id, `${path}/Extension/SharedIFCSetID[${i}]`);
      w.leaf('SharedIFCSetID', id);
    });
    w.close();
  }
  w.close();
}

function writePublicIdentity(w: XmlWriter, pi: UserDataPublicIdentity, path: string): void {
  if (!nonEmpty(pi.identity)) throw new UserDataError(`${path}/Identity`, 'must not be empty');
  // Annex E tPublicIdentity: BarringIndication 0..1, Identity, Extension 0..1.
  w.open('PublicIdentity').optional('BarringIndication', pi.barringIndication).leaf('Identity', pi.identity);
  const ext3 = pi.wildcardedImpu !== undefined;
  const ext2 = ext3 || pi.displayName !== undefined || pi.aliasIdentityGroupId !== undefined;
  if (ext2 || pi.identityType !== undefined || pi.wildcardedPsi !== undefined) {
    // tPublicIdentityExtension: IdentityType, WildcardedPSI, Extension.
    w.open('Extension').optional('IdentityType', pi.identityType).optional('WildcardedPSI', pi.wildcardedPsi);
    if (ext2) {
      // tPublicIdentityExtension2: DisplayName, AliasIdentityGroupID, Extension.
      w.open('Extension')
        .optional('DisplayName', pi.displayName)
        .optional('AliasIdentityGroupID', pi.aliasIdentityGroupId);
      // tPublicIdentityExtension3: WildcardedIMPU first.
      if (ext3) w.open('Extension').leaf('WildcardedIMPU', pi.wildcardedImpu!).close();
      w.close();
    }
    w.close();
  }
  w.close();
}

function writeIfc(w: XmlWriter, ifc: InitialFilterCriteria, path: string): void {
  const issue = validateInitialFilterCriteria(ifc)[0];
  if (issue !== undefined) throw new UserDataError(path, `${issue.field}: ${issue.message}`);
  // Annex E tInitialFilterCriteria: Priority, TriggerPoint 0..1, ApplicationServer, ProfilePartIndicator 0..1.
  w.open('InitialFilterCriteria').leaf('Priority', ifc.priority);
  if (ifc.triggerPoint !== undefined) {
    w.open('TriggerPoint').leaf('ConditionTypeCNF', ifc.triggerPoint.conditionTypeCNF);
    for (const spt of ifc.triggerPoint.spts) writeSpt(w, spt);
    w.close();
  }
  writeApplicationServer(w, ifc.applicationServer);
  w.optional('ProfilePartIndicator', ifc.profilePartIndicator).close();
}

function writeSpt(w: XmlWriter, spt: ServicePointTrigger): void {
  // Annex E tSePoTri: ConditionNegated, Group 1..n, one choice, Extension (RegistrationType 0..n).
  w.open('SPT').leaf('ConditionNegated', spt.conditionNegated);
  for (const g of spt.groups) w.leaf('Group', g);
  switch (spt.kind) {
    case 'requestUri':
      w.leaf('RequestURI', spt.requestUri);
      break;
    case 'method':
      w.leaf('Method', spt.method);
      break;
    case 'sipHeader':
      w.open('SIPHeader').leaf('Header', spt.header).optional('Content', spt.content).close();
      break;
    case 'sessionCase':
      w.leaf('SessionCase', spt.sessionCase);
      break;
    case 'sessionDescription':
      w.open('SessionDescription').leaf('Line', spt.line).optional('Content', spt.content).close();
      break;
  }
  if (spt.kind === 'method' && spt.registrationTypes !== undefined) {
    w.open('Extension');
    for (const t of spt.registrationTypes) w.leaf('RegistrationType', t);
    w.close();
  }
  w.close();
}

function writeApplicationServer(w: XmlWriter, as: ApplicationServer): void {
  // Annex E tApplicationServer: ServerName, DefaultHandling 0..1, ServiceInfo 0..1, Extension 0..1.
  w.open('ApplicationServer')
    .leaf('ServerName', as.serverName)
    .optional('DefaultHandling', as.defaultHandling)
    .optional('ServiceInfo', as.serviceInfo);
  if (as.includeRegisterRequest || as.includeRegisterResponse) {
    // tApplicationServerExtension: IncludeRegisterRequest, IncludeRegisterResponse (tEmpty).
    w.open('Extension');
    if (as.includeRegisterRequest) w.leaf('IncludeRegisterRequest', '');
    if (as.includeRegisterResponse) w.leaf('IncludeRegisterResponse', '');
    w.close();
  }
  w.close();
}

function nonEmpty(s: unknown): s is string {
  return typeof s === 'string' && s.trim() !== '';
}

function checkUnsigned(n: number, path: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
    throw new UserDataError(path, 'must be an integer 0..4294967295');
}

/** Turns the writer's RangeError (a character XML cannot carry) into a UserDataError. */
function guard(path: string, write: () => void): void {
  try {
    write();
  } catch (err) {
    if (err instanceof RangeError) throw new UserDataError(path, err.message);
    throw err;
  }
}
