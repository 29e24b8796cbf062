/**
 * The initial Filter Criteria of TS 29.228 Annex B.2.2 (data model) and Annex E (XML schema,
 * types tInitialFilterCriteria, tTrigger, tSePoTri, tApplicationServer). Types and validation
 * only: the S-CSCF owns the evaluator (TS 23.218 §6.5, TS 29.228 Annex F).
 */
import { parseSipUri } from '../../sip/message/uri.ts';
import { at, isPrintable, isUnsigned, type ValidationIssue } from '../validation.ts';

/** Annex E tDirectionOfRequest: which session case an SPT matches. */
export enum SessionCase {
  ORIGINATING_SESSION = 0,
  TERMINATING_REGISTERED = 1,
  TERMINATING_UNREGISTERED = 2,
  ORIGINATING_UNREGISTERED = 3,
  ORIGINATING_CDIV = 4,
}

/** Annex E tDefaultHandling: what the S-CSCF does when the application server cannot be reached. */
export enum DefaultHandling {
  SESSION_CONTINUED = 0,
  SESSION_TERMINATED = 1,
}

/** Annex E tProfilePartIndicator: the registration state an iFC applies to (absent: both). */
export enum ProfilePartIndicator {
  REGISTERED = 0,
  UNREGISTERED = 1,
}

/** Annex E tRegistrationType (in the SPT Extension): which REGISTER requests a Method SPT matches. */
export enum RegistrationType {
  INITIAL_REGISTRATION = 0,
  RE_REGISTRATION = 1,
  DE_REGISTRATION = 2,
}

/** What every Service Point Trigger has, whatever it tests (Annex B.2.2). */
interface ServicePointTriggerBase {
  /** ConditionNegated: the SPT matches when its test fails. */
  conditionNegated: boolean;
  /** Group: the clauses this SPT belongs to (ORed terms in CNF, ANDed terms in DNF). At least one. */
  groups: number[];
}

/**
 * One SPT (Annex E tSePoTri): exactly one of RequestURI, Method, SIPHeader, SessionCase or
 * SessionDescription. The text values are regular expressions where Annex B.2.2 says so
 * (RequestURI, Header, Content, Line).
 */
export type ServicePointTrigger =
  | (ServicePointTriggerBase & { kind: 'requestUri'; requestUri: string })
  | (ServicePointTriggerBase & {
      kind: 'method';
      method: string;
      /** Only for Method REGISTER (Annex B.2.2): which REGISTERs match; absent = all. */
      registrationTypes?: RegistrationType[];
    })
  | (ServicePointTriggerBase & { kind: 'sipHeader'; header: string; content?: string })
  | (ServicePointTriggerBase & { kind: 'sessionCase'; sessionCase: SessionCase })
  | (ServicePointTriggerBase & { kind: 'sessionDescription'; line: string; content?: string });

/** Annex E tTrigger. */
export interface TriggerPoint {
  /** ConditionTypeCNF: true = conjunctive normal form, false = disjunctive normal form. */
  conditionTypeCNF: boolean;
  spts: ServicePointTrigger[];
}

/** Annex E tApplicationServer (IncludeRegister* come from its Extension, Rel-9 on). */
export interface ApplicationServer {
  /** ServerName: the SIP URI of the application server. */
  serverName: string;
  /** DefaultHandling; absent in the XML means SESSION_CONTINUED to most S-CSCFs. */
  defaultHandling?: DefaultHandling;
  /** ServiceInfo: opaque text the S-CSCF forwards to the AS in a third-party REGISTER body. */
  serviceInfo?: string;
  /** TS 24.229 §5.4.1.7: include the REGISTER request in the third-party REGISTER body. */
  includeRegisterRequest?: boolean;
  /** TS 24.229 §5.4.1.7: include the 200 OK to REGISTER in the third-party REGISTER body. */
  includeRegisterResponse?: boolean;
}

/** Annex E tInitialFilterCriteria. */
export interface InitialFilterCriteria {
  /** Priority: lower value = evaluated first; unique within a service profile. */
  priority: number;
  /** TriggerPoint; absent means the iFC always matches (Annex B.2.2). */
  triggerPoint?: TriggerPoint;
  applicationServer: ApplicationServer;
  profilePartIndicator?: ProfilePartIndicator;
}

/** Annex E tPriority and tGroupID are xs:int / xs:unsignedInt: kept to non-negative 32-bit signed. */
const MAX_INT = 2 ** 31 - 1;
/** RFC 3261 §25.1 token: what a SIP method name is made of. */
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;

function checkRegex(value: unknown, field: string, issues: ValidationIssue[], optional = false): void {
  if (value === undefined && optional) return;
  if (!isPrintable(value, 2048)) {
    issues.push({ field, message: 'must be a non-empty string without control characters' });
    return;
  }
  try {
    new RegExp(value);
  } catch {
    issues.push({ field, message: 'must be a valid regular expression' });
  }
}

function isEnum(value: unknown, e: object): boolean {
  return typeof value === 'number' && Object.values(e).includes(value);
}

/** Checks one SPT; issues are reported under `path` (`...spts[2]`). */
export function validateServicePointTrigger(spt: ServicePointTrigger, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (typeof spt.conditionNegated !== 'boolean')
    issues.push({ field: at(path, 'conditionNegated'), message: 'must be true or false' });
  if (!Array.isArray(spt.groups) || spt.groups.length === 0)
    issues.push({ field: at(path, 'groups'), message: 'must list at least one group (Annex E: Group 1..n)' });
  else
    spt.groups.forEach((g, i) => {
      if (!isUnsigned(g, MAX_INT))
        issues.push({ field: at(at(path, 'groups'), i), message: 'must be an integer 0..2147483647' });
    });
  switch (spt.kind) {
    case 'requestUri':
      checkRegex(spt.requestUri, at(path, 'requestUri'), issues);
      break;
    case 'method':
      if (typeof spt.method !== 'string' || !TOKEN.test(spt.method))
        issues.push({ field: at(path, 'method'), message: 'must be a SIP method name (RFC 3261 token)' });
      if (spt.registrationTypes !== undefined) {
        const field = at(path, 'registrationTypes');
        // Annex B.2.2: RegistrationType is only meaningful with Method REGISTER.
        if (spt.method !== 'REGISTER') issues.push({ field, message: 'allowed only with method REGISTER' });
        if (!Array.isArray(spt.registrationTypes) || spt.registrationTypes.length === 0)
          issues.push({ field, message: 'must list at least one registration type, or be absent' });
        else {
          spt.registrationTypes.forEach((t, i) => {
            if (!isEnum(t, RegistrationType))
              issues.push({
                field: at(field, i),
                message: 'must be 0 (INITIAL), 1 (RE) or 2 (DE_REGISTRATION)',
              });
          });
          if (new Set(spt.registrationTypes).size !== spt.registrationTypes.length)
            issues.push({ field, message: 'must not repeat a registration type' });
        }
      }
      break;
    case 'sipHeader':
      checkRegex(spt.header, at(path, 'header'), issues);
      checkRegex(spt.content, at(path, 'content'), issues, true);
      break;
    case 'sessionCase':
      if (!isEnum(spt.sessionCase, SessionCase))
        issues.push({
          field: at(path, 'sessionCase'),
          message: 'must be 0..4 (Annex E tDirectionOfRequest)',
        });
      break;
    case 'sessionDescription':
      checkRegex(spt.line, at(path, 'line'), issues);
      checkRegex(spt.content, at(path, 'content'), issues, true);
      break;
    default:
      issues.push({
        field: at(path, 'kind'),
        message: 'must be one of requestUri, method, sipHeader, sessionCase, sessionDescription',
      });
  }
  return issues;
}

/** Checks an application server; issues under `path`. */
export function validateApplicationServer(as: ApplicationServer, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (typeof as?.serverName !== 'string' || !isSipUri(as.serverName))
    issues.push({ field: at(path, 'serverName'), message: 'must be a SIP URI (Annex E tSIP_URL)' });
  if (as?.defaultHandling !== undefined && !isEnum(as.defaultHandling, DefaultHandling))
    issues.push({
      field: at(path, 'defaultHandling'),
      message: 'must be 0 (SESSION_CONTINUED) or 1 (SESSION_TERMINATED)',
    });
  if (as?.serviceInfo !== undefined && typeof as.serviceInfo !== 'string')
    issues.push({ field: at(path, 'serviceInfo'), message: 'must be a string' });
  for (const flag of ['includeRegisterRequest', 'includeRegisterResponse'] as const)
    if (as?.[flag] !== undefined && typeof as[flag] !== 'boolean')
      issues.push({ field: at(path, flag), message: 'must be true or false' });
  return issues;
}

/** Checks one iFC against Annex B.2.2 / Annex E; issues under `path` (`serviceProfiles[0].initialFilterCriteria[1]`). */
export function validateInitialFilterCriteria(ifc: InitialFilterCriteria, path = ''): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (ifc === null || typeof ifc !== 'object') return [{ field: path, message: 'must be an object' }];
  if (!isUnsigned(ifc.priority, MAX_INT))
    issues.push({ field: at(path, 'priority'), message: 'must be an integer 0..2147483647' });
  if (ifc.triggerPoint !== undefined) {
    const tp = at(path, 'triggerPoint');
    if (typeof ifc.triggerPoint.conditionTypeCNF !== 'boolean')
      issues.push({ field: at(tp, 'conditionTypeCNF'), message: 'must be true (CNF) or false (DNF)' });
    if (!Array.isArray(ifc.triggerPoint.spts) || ifc.triggerPoint.spts.length === 0)
      issues.push({ field: at(tp, 'spts'), message: 'must hold at least one SPT (Annex E: SPT 1..n)' });
    else
      ifc.triggerPoint.spts.forEach((spt, i) => {
        issues.push(...validateServicePointTrigger(spt, at(at(tp, 'spts'), i)));
      });
  }
  if (ifc.applicationServer === null || typeof ifc.applicationServer !== 'object')
    issues.push({ field: at(path, 'applicationServer'), message: 'is required' });
  else issues.push(...validateApplicationServer(ifc.applicationServer, at(path, 'applicationServer')));
  if (ifc.profilePartIndicator !== undefined && !isEnum(ifc.profilePartIndicator, ProfilePartIndicator))
    issues.push({
      field: at(path, 'profilePartIndicator'),
      message: 'must be 0 (REGISTERED) or 1 (UNREGISTERED)',
    });
  return issues;
}

/**
 * Checks the iFCs of one service profile: each valid, and (Annex B.2.2) no two with the same
 * priority, since the priority orders their evaluation.
 */
export function validateInitialFilterCriteriaList(
  list: InitialFilterCriteria[],
  path: string,
): ValidationIssue[] {
  if (!Array.isArray(list)) return [{ field: path, message: 'must be an array' }];
  const issues: ValidationIssue[] = [];
  const seen = new Map<number, number>();
  list.forEach((ifc, i) => {
    issues.push(...validateInitialFilterCriteria(ifc, at(path, i)));
    const first = seen.get(ifc?.priority);
    if (first !== undefined)
      issues.push({ field: at(at(path, i), 'priority'), message: `same priority as ${at(path, first)}` });
    else if (typeof ifc?.priority === 'number') seen.set(ifc.priority, i);
  });
  return issues;
}

function isSipUri(text: string): boolean {
  try {
    parseSipUri(text);
    return true;
  } catch {
    return false;
  }
}
