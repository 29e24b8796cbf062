/**
 * A reginfo document (RFC 3680 §5, application/reginfo+xml) that cannot be read or built:
 * `path` names the element at fault (`reginfo/registration[0]/contact[1]`, indexes counting
 * elements of that name from 0; '' when the document itself is not XML).
 */
export class ReginfoError extends Error {
  readonly code = 'ERR_REGINFO';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path === '' ? `reginfo: ${reason}` : `reginfo ${path}: ${reason}`);
    this.name = 'ReginfoError';
  }
}
