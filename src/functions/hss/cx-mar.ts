/**
 * MAR/MAA: authentication data for the S-CSCF, TS 29.228 §6.3 (detailed behaviour §6.3.1),
 * messages TS 29.229 §6.1.7-6.1.8. IMS AKA vectors (TS 33.203 §6.1, TS 33.102 §6.3), several
 * at once if asked, with re-synchronisation from AUTS; or the H(A1) of SIP Digest.
 *
 * The whole procedure is one store call (`updateAuthentication`): the auth data, the public
 * identity's registration and the S-CSCF name are read, and the new SQN_HE and S-CSCF name
 * written, in one transaction. Only error answers look the identities up again.
 */
import { AkaError } from '../../aka/errors.ts';
import { Milenage } from '../../aka/milenage.ts';
import { generateAuthenticationVector, verifyAuts } from '../../aka/vectors.ts';
import type {
  CxAnswer,
  MultimediaAuthAnswer,
  MultimediaAuthRequest,
  SipAuthDataItem,
} from '../../diameter/apps/cx.ts';
import type { RequestInfo } from '../../diameter/routing/request-dispatcher.ts';
import { StoreError } from '../../store/store-error.ts';
import type { AuthenticationState, AuthenticationUpdate } from '../../store/subscriber-store.ts';
import { ExperimentalResultCode, experimental, ResultCode, result, success } from './answers.ts';
import { chooseScheme, isAka, requestedScheme, schemeName } from './auth-schemes.ts';
import type { HssContext } from './hss-context.ts';
import { mismatchCode } from './identities.ts';
import { type AuthenticationScheme, DEFAULT_AMF, type ServerAssignment } from './model.ts';

type Maa = CxAnswer<MultimediaAuthAnswer>;

/** TS 29.229 §6.3.11: for re-synchronisation SIP-Authorization holds RAND (16) ‖ AUTS (14). */
const RAND_LENGTH = 16;
const AUTS_LENGTH = 14;

type Outcome =
  | { kind: 'items'; items: SipAuthDataItem[] }
  | { kind: 'unknown-impu' }
  | { kind: 'identities-dont-match' }
  | { kind: 'scheme-not-supported' }
  | { kind: 'resync-failed'; reason: string };

export function registerMultimediaAuth(ctx: HssContext): void {
  ctx.cx.onMultimediaAuth((req, info) => multimediaAuth(ctx, req, info));
}

export async function multimediaAuth(
  ctx: HssContext,
  req: MultimediaAuthRequest,
  info?: RequestInfo,
): Promise<Maa> {
  const impi = req.userName;
  const item = req.sipAuthDataItem;
  let resync: { rand: Buffer; auts: Buffer } | undefined;
  const authorization = item?.sipAuthorization;
  if (authorization !== undefined && authorization.length > 0) {
    if (authorization.length !== RAND_LENGTH + AUTS_LENGTH)
      return result(ResultCode.DIAMETER_INVALID_AVP_VALUE) as Maa;
    resync = {
      rand: authorization.subarray(0, RAND_LENGTH),
      auts: authorization.subarray(RAND_LENGTH),
    };
  }
  // TS 29.229 §6.3.8: how many vectors the S-CSCF wants; the HSS may send fewer.
  const count = Math.min(Math.max(req.sipNumberAuthItems, 1), ctx.config.auth.maxVectors);
  // TS 29.228 §6.3.1 step 5: the S-CSCF name (and where to reach it) is stored at MAR.
  const scscf: ServerAssignment = {
    scscfName: req.serverName,
    diameterHost: req.originHost,
    diameterRealm: req.originRealm,
  };

  let outcome: Outcome;
  try {
    outcome = await ctx.store.updateAuthentication(impi, req.publicIdentity, (state) =>
      authenticate(ctx, state, {
        requested: item?.sipAuthenticationScheme,
        count,
        resync,
        scscf,
      }),
    );
  } catch (err) {
    // Step 1: the private identity does not exist.
    if (err instanceof StoreError && err.code === 'NOT_FOUND')
      return experimental(ExperimentalResultCode.DIAMETER_ERROR_USER_UNKNOWN) as Maa;
    throw err;
  }
  switch (outcome.kind) {
    case 'unknown-impu':
      return experimental(await mismatchCode(ctx.store, impi, req.publicIdentity)) as Maa;
    case 'identities-dont-match':
      return experimental(ExperimentalResultCode.DIAMETER_ERROR_IDENTITIES_DONT_MATCH) as Maa;
    case 'scheme-not-supported':
      return experimental(ExperimentalResultCode.DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED) as Maa;
    case 'resync-failed':
      // DEVIATION: TS 29.228 names no result for an AUTS whose MAC-S fails (TS 33.102 §6.3.5
      // only says the HE does not resynchronise); UNABLE_TO_COMPLY makes the S-CSCF refuse.
      ctx.log.warn({ impi, peer: info?.peer, reason: outcome.reason }, 'MAR re-synchronisation refused');
      return result(ResultCode.DIAMETER_UNABLE_TO_COMPLY) as Maa;
    case 'items':
      return {
        ...success(),
        userName: impi,
        publicIdentity: req.publicIdentity,
        sipNumberAuthItems: outcome.items.length,
        sipAuthDataItem: outcome.items,
      };
  }
}

interface AuthenticationRequest {
  requested: string | undefined;
  count: number;
  resync: { rand: Buffer; auts: Buffer } | undefined;
  scscf: ServerAssignment;
}

/**
 * TS 29.228 §6.3.1 steps 2-5, run inside the store transaction (synchronous: the SQN must be
 * stored before any vector computed from it leaves the HSS, TS 33.102 Annex C).
 */
function authenticate(
  ctx: HssContext,
  state: AuthenticationState,
  request: AuthenticationRequest,
): AuthenticationUpdate<Outcome> {
  const pu = state.publicIdentity;
  if (pu === undefined) return { result: { kind: 'unknown-impu' } };
  // Step 2: an IMPI restricted to some IMPUs (TS 23.228 figure 4.6) may not use the others.
  if (state.publicIdentities !== undefined && !state.publicIdentities.includes(pu.impu))
    return { result: { kind: 'identities-dont-match' } };
  // Step 3: the scheme asked for must be one the private identity may use.
  const scheme = chooseScheme(requestedScheme(request.requested), state.allowedSchemes, ctx.config.auth);
  if (scheme === undefined) return { result: { kind: 'scheme-not-supported' } };
  if (!isAka(scheme))
    return {
      serverAssignment: request.scscf,
      result: { kind: 'items', items: [digestItem(ctx, state, scheme)] },
    };
  try {
    const { sqn, items } = akaItems(ctx, state, scheme, request);
    return { sqn, serverAssignment: request.scscf, result: { kind: 'items', items } };
  } catch (err) {
    if (err instanceof AkaError && err.code === 'MAC_FAILURE' && request.resync !== undefined)
      return { result: { kind: 'resync-failed', reason: err.message } };
    throw err;
  }
}

/**
 * AKA quintets as SIP-Auth-Data-Items (TS 29.229 §6.3.13): SIP-Authenticate = RAND ‖ AUTN,
 * SIP-Authorization = XRES, Confidentiality-Key = CK, Integrity-Key = IK. Step 4: after a
 * synchronisation failure, SQN_MS is recovered from AUTS and SQN_HE reset (TS 33.102 §6.3.5).
 */
function akaItems(
  ctx: HssContext,
  state: AuthenticationState,
  scheme: AuthenticationScheme,
  request: AuthenticationRequest,
): { sqn: number; items: SipAuthDataItem[] } {
  const hex = (v: string | undefined) => (v === undefined ? undefined : Buffer.from(v, 'hex'));
  const milenage = Milenage.fromKeys({
    k: Buffer.from(state.k ?? '', 'hex'),
    op: hex(state.op),
    opc: hex(state.opc),
  });
  const amf = Buffer.from(state.amf ?? DEFAULT_AMF, 'hex');
  let sqn = state.sqn;
  if (request.resync !== undefined) {
    const sqnMs = verifyAuts(milenage, request.resync.rand, request.resync.auts);
    sqn = ctx.sqnScheme.afterResync(sqn, sqnMs);
  }
  const items: SipAuthDataItem[] = [];
  for (let i = 1; i <= request.count; i++) {
    // TS 33.102 Annex C.1.2: each vector takes the next SEQ, IND cycling.
    sqn = ctx.sqnScheme.next(sqn);
    const v = generateAuthenticationVector(milenage, { sqn, amf });
    items.push({
      sipItemNumber: i,
      sipAuthenticationScheme: schemeName(scheme),
      sipAuthenticate: Buffer.concat([v.rand, v.autn]),
      sipAuthorization: v.xres,
      confidentialityKey: v.ck,
      integrityKey: v.ik,
    });
  }
  return { sqn, items };
}

/**
 * SIP Digest (TS 29.229 §6.3.36 SIP-Digest-Authenticate): realm, algorithm, QoP and H(A1) as
 * hex text (RFC 4740 §9.5.19 Digest-HA1). One item: H(A1) is the same whatever is asked.
 */
function digestItem(
  ctx: HssContext,
  state: AuthenticationState,
  scheme: AuthenticationScheme,
): SipAuthDataItem {
  const ha1 = scheme === 'SHA-256' ? state.ha1Sha256 : state.ha1Md5;
  const realm = state.digestRealm ?? state.impi.slice(state.impi.lastIndexOf('@') + 1);
  return {
    sipItemNumber: 1,
    sipAuthenticationScheme: schemeName(scheme),
    sipDigestAuthenticate: {
      digestRealm: realm,
      digestAlgorithm: scheme,
      digestQop: ctx.config.auth.digestQop,
      digestHa1: Buffer.from(ha1 ?? '', 'ascii'),
    },
  };
}
