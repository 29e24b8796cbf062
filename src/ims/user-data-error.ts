/**
 * A User-Data document (TS 29.228 Annex E) that cannot be read or built: `path` names the
 * element, `IMSSubscription/ServiceProfile[0]/InitialFilterCriteria[1]/Priority`, indexes
 * counting elements of that name from 0 ('' when the document itself is not XML).
 */
export class UserDataError extends Error {
  readonly code = 'ERR_USER_DATA';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(path === '' ? reason : `${path}: ${reason}`);
    this.name = 'UserDataError';
  }
}
