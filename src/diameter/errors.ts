import type { DiameterHeader } from './codec/header.ts';
import type { DiameterMessage } from './codec/message.ts';
import type { RawAvp } from './codec/raw-avp.ts';
import { ResultCode } from './result-code.ts';

// The error family of the Diameter library, kept in one file like undici's core/errors: each
// class is a few lines and callers switch on the stable `code`. Every error carries the
// Result-Code a node answers with when the error ends the processing of a request.

export interface DiameterErrorOptions {
  /** AVPs to put in Failed-AVP (RFC 6733 §7.5). */
  failedAvp?: RawAvp[];
  cause?: unknown;
}

/** Base class: an error that maps onto a Result-Code (and optional Failed-AVP) on the wire. */
export class DiameterError extends Error {
  readonly code: string = 'ERR_DIAMETER';
  readonly resultCode: number;
  readonly failedAvp: RawAvp[] | undefined;

  constructor(message: string, resultCode: number, options: DiameterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DiameterError';
    this.resultCode = resultCode;
    this.failedAvp = options.failedAvp;
  }
}

/**
 * Bytes received that are not a valid message: bad header (3008, 5011, 5015), bad AVP (5014,
 * 5004, 3009), AVP unknown with the M bit (5001) or ABNF broken (5005, 5008, 5009). `header` is
 * there when the header itself could be read, so that a request can still be answered.
 */
export class DiameterDecodeError extends DiameterError {
  override readonly code = 'ERR_DIAMETER_DECODE';
  readonly header: DiameterHeader | undefined;
  constructor(message: string, resultCode: number, header?: DiameterHeader, options?: DiameterErrorOptions) {
    super(message, resultCode, options);
    this.name = 'DiameterDecodeError';
    this.header = header;
  }
}

/** A message the local code asked to send cannot be encoded (wrong value type, unknown AVP, ...). */
export class DiameterEncodeError extends DiameterError {
  override readonly code = 'ERR_DIAMETER_ENCODE';
  constructor(message: string, resultCode: number = ResultCode.DIAMETER_UNABLE_TO_COMPLY) {
    super(message, resultCode);
    this.name = 'DiameterEncodeError';
  }
}

/** No answer came before the request timer expired, on any peer tried. */
export class DiameterTimeoutError extends DiameterError {
  override readonly code = 'ERR_DIAMETER_TIMEOUT';
  constructor(message: string) {
    super(message, ResultCode.DIAMETER_UNABLE_TO_DELIVER);
    this.name = 'DiameterTimeoutError';
  }
}

/** No peer can take the request: 3003 when the realm is unknown, 3002 when no peer is up. */
export class DiameterRoutingError extends DiameterError {
  override readonly code = 'ERR_DIAMETER_ROUTING';
  constructor(message: string, resultCode: number = ResultCode.DIAMETER_UNABLE_TO_DELIVER) {
    super(message, resultCode);
    this.name = 'DiameterRoutingError';
  }
}

/** The peer answered with the E bit set (a protocol error, RFC 6733 §7.1.3). */
export class DiameterAnswerError extends DiameterError {
  override readonly code = 'ERR_DIAMETER_ANSWER';
  readonly answer: DiameterMessage;
  constructor(answer: DiameterMessage, resultCode: number, errorMessage?: string) {
    super(`peer answered ${resultCode}${errorMessage ? `: ${errorMessage}` : ''}`, resultCode);
    this.name = 'DiameterAnswerError';
    this.answer = answer;
  }
}

/** RFC 6733 §5.3: capabilities exchange found no application in common (5010). */
export class NoCommonApplicationError extends DiameterError {
  override readonly code = 'ERR_DIAMETER_NO_COMMON_APPLICATION';
  constructor(message: string) {
    super(message, ResultCode.DIAMETER_NO_COMMON_APPLICATION);
    this.name = 'NoCommonApplicationError';
  }
}

/** The connection to a peer closed or failed before the exchange finished. */
export class DiameterPeerError extends DiameterError {
  override readonly code = 'ERR_DIAMETER_PEER';
  constructor(message: string, resultCode: number = ResultCode.DIAMETER_UNABLE_TO_DELIVER, cause?: unknown) {
    super(message, resultCode, { cause });
    this.name = 'DiameterPeerError';
  }
}

/** A proxy policy failed (threw, or asked for changes that cannot be encoded): 5012 for the client. */
export class ProxyPolicyError extends DiameterError {
  override readonly code = 'ERR_DIAMETER_PROXY_POLICY';
  constructor(message: string, cause?: unknown) {
    super(message, ResultCode.DIAMETER_UNABLE_TO_COMPLY, { cause });
    this.name = 'ProxyPolicyError';
  }
}
