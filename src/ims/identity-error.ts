/** A public or private identity that is not valid where it is used; `identity` is the text given. */
export class IdentityError extends Error {
  readonly code = 'ERR_IMS_IDENTITY';
  constructor(
    message: string,
    readonly identity: string,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}
