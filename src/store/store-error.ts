import type { ValidationIssue } from '../ims/validation.ts';

/**
 * Stable codes of {@link StoreError}:
 * - NOT_FOUND: no subscription, identity or item under that key;
 * - CONFLICT: a public or private identity (or subscription id) already belongs to another
 *   subscription; `field` says which;
 * - INVALID: the data does not validate; `issues` lists every field at fault;
 * - OUT_OF_SYNC: an Sh repository data update whose Sequence-Number does not follow the stored
 *   one (TS 29.328 §6.1.2.1: DIAMETER_ERROR_TRANSPARENT_DATA_OUT_OF_SYNC);
 * - UNAVAILABLE: the database cannot be reached or opened.
 */
export type StoreErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'INVALID' | 'OUT_OF_SYNC' | 'UNAVAILABLE';

/** The one error type of the stores; callers switch on `code`. */
export class StoreError extends Error {
  /** The field at fault (CONFLICT, and INVALID when there is a single one). */
  readonly field: string | undefined;
  /** INVALID: every field at fault. */
  readonly issues: ValidationIssue[];

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options: { field?: string; issues?: ValidationIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
    this.issues = options.issues ?? (options.field ? [{ field: options.field, message }] : []);
    this.field = options.field ?? (this.issues.length === 1 ? this.issues[0]?.field : undefined);
  }

  static invalid(issues: ValidationIssue[], what = 'subscription'): StoreError {
    const first = issues[0];
    const summary = first ? `${first.field || what}: ${first.message}` : 'invalid';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    return new StoreError('INVALID', `invalid ${what}: ${summary}${more}`, { issues });
  }
}
