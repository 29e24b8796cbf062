/**
 * The S-CSCF side of Cx towards the HSS (TS 29.228 §6.1.2 SAR, §6.3 MAR; messages TS 29.229
 * §6.1.3, §6.1.7): authentication data and server assignment, with their outcomes mapped
 * onto what the registrar answers the UE (TS 24.229 §5.4.1.2).
 */
import {
  type ChargingInformation,
  type CxApplication,
  ServerAssignmentType,
  UserDataAlreadyAvailable,
} from '../../diameter/apps/cx.ts';
import { type AnswerResult, answerResult } from '../../diameter/apps/result.ts';
import { ExperimentalResultCode as E } from '../../diameter/result-code.ts';
import type { Logger } from '../../log/logger.ts';
import type { Registration } from '../../store/registrations/types.ts';
import type { ScscfConfig } from './config.ts';

/** SIP-Authentication-Scheme values (TS 29.229 §6.3.9) the HSS of this project reads. */
export const AUTH_SCHEME = {
  AKA_V1: 'Digest-AKAv1-MD5',
  AKA_V2: 'Digest-AKAv2-MD5',
  DIGEST: 'SIP Digest',
  UNKNOWN: 'Unknown',
} as const;

/** An AKA vector (TS 33.203 §6.1) from SIP-Auth-Data-Item (TS 29.229 §6.3.13). */
export interface AkaVector {
  rand: Buffer;
  autn: Buffer;
  xres: Buffer;
  ck: Buffer;
  ik: Buffer;
}

export type AuthenticationData =
  | { kind: 'aka'; algorithm: 'AKAv1-MD5' | 'AKAv2-MD5'; vector: AkaVector }
  | { kind: 'digest'; algorithm: 'MD5' | 'SHA-256'; realm: string; ha1: string };

/** Why a Cx request did not give what was asked, as the SIP status to answer with. */
export interface CxFailure {
  status: number;
  reason: string;
  result?: AnswerResult;
}

export type CxOutcome<T> = { ok: true; value: T } | { ok: false; failure: CxFailure };

/** What SAA brings back (TS 29.229 §6.1.4). */
export interface Assignment {
  userName?: string;
  /** User-Data XML (absent when USER_DATA_ALREADY_AVAILABLE was sent). */
  userData?: string;
  charging?: Registration['charging'];
}

export class ScscfCx {
  constructor(
    private readonly cx: CxApplication,
    private readonly config: ScscfConfig,
    private readonly log: Logger,
  ) {}

  /**
   * MAR (TS 29.228 §6.3): one vector or the digest H(A1) for `impi`/`impu`. With `resync`
   * (RAND ‖ AUTS, TS 29.229 §6.3.11) the HSS resynchronises SQN first (TS 33.102 §6.3.5).
   */
  async authenticationData(
    impi: string,
    impu: string,
    scheme: string,
    resync?: Buffer,
  ): Promise<CxOutcome<AuthenticationData>> {
    let answer: Awaited<ReturnType<CxApplication['multimediaAuth']>>;
    try {
      answer = await this.cx.multimediaAuth({
        destinationRealm: this.config.diameter.destinationRealm,
        userName: impi,
        publicIdentity: impu,
        sipNumberAuthItems: 1,
        sipAuthDataItem: {
          sipAuthenticationScheme: scheme,
          ...(resync !== undefined ? { sipAuthorization: resync } : {}),
        },
        serverName: this.config.serverName,
      });
    } catch (err) {
      return this.#unreachable('MAR', impi, err);
    }
    const result = answerResult(answer);
    if (!result.success) return { ok: false, failure: this.#failure('MAR', impi, result) };
    const item = answer.sipAuthDataItem?.[0];
    const name = (item?.sipAuthenticationScheme ?? '').toLowerCase();
    if (item?.sipDigestAuthenticate !== undefined) {
      const d = item.sipDigestAuthenticate;
      const algorithm = (d.digestAlgorithm ?? 'MD5').toUpperCase() === 'SHA-256' ? 'SHA-256' : 'MD5';
      return {
        ok: true,
        value: {
          kind: 'digest',
          algorithm,
          realm: d.digestRealm,
          ha1: d.digestHa1.toString('ascii').toLowerCase(),
        },
      };
    }
    const auth = item?.sipAuthenticate;
    if (
      auth !== undefined &&
      auth.length === 32 &&
      item?.sipAuthorization !== undefined &&
      item.confidentialityKey !== undefined &&
      item.integrityKey !== undefined
    ) {
      return {
        ok: true,
        value: {
          kind: 'aka',
          algorithm: name === AUTH_SCHEME.AKA_V2.toLowerCase() ? 'AKAv2-MD5' : 'AKAv1-MD5',
          vector: {
            rand: auth.subarray(0, 16),
            autn: auth.subarray(16, 32),
            xres: item.sipAuthorization,
            ck: item.confidentialityKey,
            ik: item.integrityKey,
          },
        },
      };
    }
    this.log.warn({ impi, scheme: item?.sipAuthenticationScheme }, 'MAA without usable authentication data');
    return { ok: false, failure: { status: 500, reason: 'No authentication data from the HSS' } };
  }

  /**
   * SAR (TS 29.228 §6.1.2) of `type` for `impus` (none: the HSS takes the IMPI's), with or
   * without the user profile.
   */
  async assign(
    type: number,
    impi: string | undefined,
    impus: string[],
    wantUserData = true,
  ): Promise<CxOutcome<Assignment>> {
    let answer: Awaited<ReturnType<CxApplication['serverAssignment']>>;
    try {
      answer = await this.cx.serverAssignment({
        destinationRealm: this.config.diameter.destinationRealm,
        ...(impi !== undefined ? { userName: impi } : {}),
        publicIdentity: impus,
        serverName: this.config.serverName,
        serverAssignmentType: type,
        userDataAlreadyAvailable: wantUserData
          ? UserDataAlreadyAvailable.USER_DATA_NOT_AVAILABLE
          : UserDataAlreadyAvailable.USER_DATA_ALREADY_AVAILABLE,
      });
    } catch (err) {
      return this.#unreachable(`SAR ${satName(type)}`, impi ?? impus[0] ?? '', err);
    }
    const result = answerResult(answer);
    if (!result.success) return { ok: false, failure: this.#failure(`SAR ${satName(type)}`, impi, result) };
    const charging = chargingAddresses(answer.chargingInformation);
    return {
      ok: true,
      value: {
        ...(answer.userName !== undefined ? { userName: answer.userName } : {}),
        ...(answer.userData !== undefined ? { userData: answer.userData.toString('utf8') } : {}),
        ...(charging !== undefined ? { charging } : {}),
      },
    };
  }

  #unreachable(what: string, user: string, err: unknown): { ok: false; failure: CxFailure } {
    this.log.warn({ user, err: (err as Error).message }, `${what} failed`);
    // RFC 3261 §21.5.5: 504 when a server the request needed did not answer in time.
    return { ok: false, failure: { status: 504, reason: 'HSS not reachable' } };
  }

  #failure(what: string, user: string | undefined, result: AnswerResult): CxFailure {
    this.log.info({ user, code: result.code, vendorId: result.vendorId }, `${what} refused`);
    if (result.vendorId === undefined)
      // DIAMETER_TOO_BUSY / UNABLE_TO_DELIVER and the like: a server problem, not the user's.
      return { status: result.code === 5012 ? 403 : 500, reason: `HSS answered ${result.code}`, result };
    switch (result.code) {
      // TS 24.229 §5.4.1.2.1: the user is not known or not allowed: 403 (Forbidden).
      case E.DIAMETER_ERROR_USER_UNKNOWN:
        return { status: 403, reason: 'Unknown user', result };
      case E.DIAMETER_ERROR_IDENTITIES_DONT_MATCH:
        return { status: 403, reason: 'Identities do not match', result };
      case E.DIAMETER_ERROR_AUTH_SCHEME_NOT_SUPPORTED:
        return { status: 403, reason: 'Authentication scheme not supported', result };
      case E.DIAMETER_ERROR_ROAMING_NOT_ALLOWED:
        return { status: 403, reason: 'Roaming not allowed', result };
      case E.DIAMETER_ERROR_IDENTITY_NOT_REGISTERED:
        return { status: 403, reason: 'Identity not registered', result };
      case E.DIAMETER_ERROR_IDENTITY_ALREADY_REGISTERED:
        return { status: 403, reason: 'Served by another S-CSCF', result };
      default:
        return { status: 500, reason: `HSS answered ${result.code}`, result };
    }
  }
}

function chargingAddresses(info: ChargingInformation | undefined): Registration['charging'] {
  if (info === undefined) return undefined;
  const ccf = [info.primaryChargingCollectionFunctionName, info.secondaryChargingCollectionFunctionName];
  const ecf = [info.primaryEventChargingFunctionName, info.secondaryEventChargingFunctionName];
  const defined = (list: (string | undefined)[]) => list.filter((v): v is string => v !== undefined);
  return { ccf: defined(ccf), ecf: defined(ecf) };
}

/** The name of a Server-Assignment-Type value, for logs. */
export function satName(type: number): string {
  return Object.entries(ServerAssignmentType).find(([, v]) => v === type)?.[0] ?? String(type);
}

/** The charging addresses of a PPR, as stored. */
export { chargingAddresses };
