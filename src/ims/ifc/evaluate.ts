/**
 * The S-CSCF's evaluation of initial Filter Criteria: TS 29.228 Annex B.2.2 (what each Service
 * Point Trigger tests), Annex F (CNF/DNF over SPT groups) and TS 23.218 §6.5 (iFCs in priority
 * order; after an AS returns the request, evaluation resumes after the iFC that sent it there).
 * Pure functions of the iFCs, the request and the context: no I/O, never throws on bad data.
 */
import type { SipRequest } from '../../sip/message/index.ts';
import {
  type InitialFilterCriteria,
  ProfilePartIndicator,
  type RegistrationType,
  type ServicePointTrigger,
  type SessionCase,
  type TriggerPoint,
} from './model.ts';
import { requestSdpLines, type SdpLine } from './request-sdp.ts';

export interface IfcEvaluationContext {
  sessionCase: SessionCase;
  /** Registration state of the served user: iFCs with ProfilePartIndicator REGISTERED apply only when true, UNREGISTERED only when false; absent indicator: always. */
  registered: boolean;
  /** For REGISTER: which kind it is (Method SPT RegistrationType extension, Annex B.2.2); absent SPT list = all kinds. */
  registrationType?: RegistrationType;
}

/** Compiled regular expressions by flags and source; null for a source that does not compile. */
const regexCache = new Map<string, RegExp | null>();
/** Bounds the cache: iFCs come from a finite set of profiles, so a full cache is simply reset. */
const REGEX_CACHE_LIMIT = 4096;

/**
 * Annex B.2.2 values are "regular expressions": ECMAScript syntax, unanchored search.
 * Undefined when the text is not a valid expression.
 */
export function ifcRegex(source: string, flags = ''): RegExp | undefined {
  const key = `${flags}/${source}`;
  let re = regexCache.get(key);
  if (re === undefined) {
    try {
      re = new RegExp(source, flags);
    } catch {
      re = null;
    }
    if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
    regexCache.set(key, re);
  }
  return re ?? undefined;
}

/** A header given as a plain name (no regular expression syntax) is looked up by name. */
const PLAIN_HEADER_NAME = /^[A-Za-z0-9-]+$/;

/** What one evaluation of a trigger point computes at most once. */
class RequestView {
  #sdp: SdpLine[] | undefined;
  constructor(readonly request: SipRequest) {}

  get sdpLines(): SdpLine[] {
    this.#sdp ??= requestSdpLines(this.request);
    return this.#sdp;
  }
}

/**
 * The result of one SPT before ConditionNegated: true/false, or undefined when it cannot be
 * evaluated (an invalid regular expression), which never matches, negated or not.
 */
function testSpt(
  spt: ServicePointTrigger,
  view: RequestView,
  ctx: IfcEvaluationContext,
): boolean | undefined {
  const request = view.request;
  switch (spt.kind) {
    case 'requestUri': {
      // Annex B.2.2 RequestURI: a regular expression on the Request-URI as sent.
      const re = ifcRegex(spt.requestUri);
      return re === undefined ? undefined : re.test(request.uriText);
    }
    case 'method': {
      // Annex B.2.2 Method: the method name, case-sensitive as methods are (RFC 3261 §7.1).
      if (request.method !== spt.method) return false;
      // Annex B.2.2 / Annex E tRegistrationType: a REGISTER SPT with registration types
      // matches only those kinds of REGISTER; without them, every REGISTER.
      if (spt.method === 'REGISTER' && spt.registrationTypes !== undefined)
        return ctx.registrationType !== undefined && spt.registrationTypes.includes(ctx.registrationType);
      return true;
    }
    case 'sipHeader':
      return testSipHeader(spt.header, spt.content, request);
    case 'sessionCase':
      // Annex B.2.2 SessionCase: the direction of the request as the S-CSCF serves it.
      return spt.sessionCase === ctx.sessionCase;
    case 'sessionDescription': {
      // Annex B.2.2 SessionDescription: Line matches the type of an SDP line, Content (if
      // present) its value; without an SDP body nothing matches.
      const line = ifcRegex(spt.line);
      const content = spt.content === undefined ? null : ifcRegex(spt.content);
      if (line === undefined || content === undefined) return undefined;
      return view.sdpLines.some((l) => line.test(l.type) && (content === null || content.test(l.value)));
    }
    default:
      return undefined;
  }
}

/**
 * Annex B.2.2 SIPHeader: without Content, the presence of the header; with Content, any value
 * of any instance of it matching Content.
 *
 * DEVIATION: Header is an expression per Annex B.2.2, but a plain header name (letters, digits,
 * `-`) is compared as a SIP header name: case-insensitive, compact and long forms equal
 * (RFC 3261 §7.3.3, §7.3.5), and `To` not found inside `Reply-To` as a search would. Any other
 * Header is searched case-insensitively in the canonical and the received name of each field.
 */
function testSipHeader(
  header: string,
  contentText: string | undefined,
  request: SipRequest,
): boolean | undefined {
  const content = contentText === undefined ? null : ifcRegex(contentText);
  if (content === undefined) return undefined;
  let keys: string[];
  if (PLAIN_HEADER_NAME.test(header)) {
    const fields = request.headers.fieldsOf(header);
    if (fields.length === 0) return false;
    keys = [fields[0]!.key];
  } else {
    const re = ifcRegex(header, 'i');
    if (re === undefined) return undefined;
    const found = new Set<string>();
    for (const f of request.headers) if (re.test(f.key) || re.test(f.name)) found.add(f.key);
    if (found.size === 0) return false;
    keys = [...found];
  }
  if (content === null) return true;
  for (const key of keys) {
    // Each field as a whole, and each value of a list header (RFC 3261 §7.3.1) on its own so
    // that an anchored Content can match one entry of a comma-separated field.
    for (const f of request.headers.fieldsOf(key)) if (content.test(f.value)) return true;
    let values: string[];
    try {
      values = request.headers.values(key);
    } catch {
      continue; // a list field with an empty element: its whole-field text was tested above
    }
    if (values.some((v) => content.test(v))) return true;
  }
  return false;
}

/** Annex F: whether a trigger point matches a request; an absent trigger point matches all. */
function evaluateTriggerPoint(
  tp: TriggerPoint | undefined,
  view: RequestView,
  ctx: IfcEvaluationContext,
): boolean {
  if (tp === undefined) return true;
  // Annex E: a trigger point holds at least one SPT; one without any is invalid and applies to nothing.
  if (tp.spts.length === 0) return false;
  // An SPT can belong to several groups (Annex B.2.2 Group): evaluate it once.
  const results = new Map<ServicePointTrigger, boolean>();
  const result = (spt: ServicePointTrigger): boolean => {
    let r = results.get(spt);
    if (r === undefined) {
      const tested = testSpt(spt, view, ctx);
      // Annex B.2.2 ConditionNegated: the SPT matches when its test fails.
      r = tested === undefined ? false : tested !== spt.conditionNegated;
      results.set(spt, r);
    }
    return r;
  };
  const groups = new Map<number, ServicePointTrigger[]>();
  for (const spt of tp.spts)
    for (const g of spt.groups) {
      const members = groups.get(g);
      if (members) members.push(spt);
      else groups.set(g, [spt]);
    }
  const clauses = [...groups.values()];
  // Annex F: CNF = AND of groups, each an OR of its SPTs; DNF = OR of groups, each an AND.
  return tp.conditionTypeCNF
    ? clauses.every((members) => members.some(result))
    : clauses.some((members) => members.every(result));
}

export function triggerPointMatches(
  tp: TriggerPoint | undefined,
  request: SipRequest,
  ctx: IfcEvaluationContext,
): boolean {
  return evaluateTriggerPoint(tp, new RequestView(request), ctx);
}

/** Annex B.2.2 ProfilePartIndicator: REGISTERED / UNREGISTERED parts apply in that state only. */
function profilePartApplies(ifc: InitialFilterCriteria, ctx: IfcEvaluationContext): boolean {
  switch (ifc.profilePartIndicator) {
    case undefined:
      return true;
    case ProfilePartIndicator.REGISTERED:
      return ctx.registered;
    case ProfilePartIndicator.UNREGISTERED:
      return !ctx.registered;
    default:
      return false;
  }
}

/** TS 23.218 §6.5: iFCs are checked in order of Priority, the lowest value first. */
function byPriority(ifcs: readonly InitialFilterCriteria[]): InitialFilterCriteria[] {
  return [...ifcs].sort((a, b) => a.priority - b.priority);
}

/** The iFCs that apply to the request, lowest Priority first. */
export function matchingIfcs(
  ifcs: readonly InitialFilterCriteria[],
  request: SipRequest,
  ctx: IfcEvaluationContext,
): InitialFilterCriteria[] {
  const view = new RequestView(request);
  return byPriority(ifcs).filter(
    (ifc) => profilePartApplies(ifc, ctx) && evaluateTriggerPoint(ifc.triggerPoint, view, ctx),
  );
}

/** The first applying iFC with Priority strictly greater than afterPriority (undefined = from the start): where evaluation resumes when the request comes back from an AS (TS 23.218 §6.5). */
export function nextMatchingIfc(
  ifcs: readonly InitialFilterCriteria[],
  request: SipRequest,
  ctx: IfcEvaluationContext,
  afterPriority?: number,
): InitialFilterCriteria | undefined {
  const view = new RequestView(request);
  for (const ifc of byPriority(ifcs)) {
    if (afterPriority !== undefined && ifc.priority <= afterPriority) continue;
    if (profilePartApplies(ifc, ctx) && evaluateTriggerPoint(ifc.triggerPoint, view, ctx)) return ifc;
  }
  return undefined;
}
