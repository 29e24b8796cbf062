/**
 * How the REST API answers failures, one body shape for all: `{ error, field?, issues? }`.
 * - 400: the request is not what the OpenAPI document describes (JSON types, required or
 *   unknown fields, query parameters, an identity in the path that is not one);
 * - 404: no such subscriber, identity, profile or definition, or no such path;
 * - 405: a known path that does not take the method (`Allow` lists those it takes);
 * - 409: a value is taken by another subscription (`field` names it);
 * - 422: the request has the right shape but the subscriber model refuses it (every issue);
 * - 501: a runtime action (de-registration) this HSS was started without;
 * - 502: that action failed (the S-CSCF did not answer, or refused);
 * - 413, 415: a body too large, or of a media type the API does not read;
 * - 503: the database cannot be reached.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ValidationIssue } from '../../../ims/validation.ts';
import type { Logger } from '../../../log/logger.ts';
import { StoreError } from '../../../store/store-error.ts';

export class ApiError extends Error {
  readonly issues: ValidationIssue[] | undefined;
  readonly field: string | undefined;

  constructor(
    readonly status: number,
    message: string,
    options: { issues?: ValidationIssue[]; field?: string } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.issues = options.issues;
    this.field = options.field;
  }

  static badRequest(issues: ValidationIssue[], what = 'request'): ApiError {
    const first = issues[0];
    const summary = first ? `${first.field || what}: ${first.message}` : 'invalid';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    return new ApiError(400, `invalid ${what}: ${summary}${more}`, { issues });
  }

  static notFound(message: string): ApiError {
    return new ApiError(404, message);
  }

  static unprocessable(issues: ValidationIssue[], what = 'subscription'): ApiError {
    const first = issues[0];
    const summary = first ? `${first.field || what}: ${first.message}` : 'invalid';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    return new ApiError(422, `invalid ${what}: ${summary}${more}`, { issues });
  }
}

/** `privateIdentities[0].k` from zod's path `['privateIdentities', 0, 'k']`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out;
}

/** zod's issues as ours: one per field, unknown keys named each. */
export function zodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        issues.push({ field: fieldPath([...path, key]), message: 'is not a known field' });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // The branch that got furthest says best what is wrong.
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      if (best.length === 0 || best.every((i) => i.path.length === 0))
        issues.push({ field: fieldPath(path), message: issue.message });
      else
        for (const i of best)
          issues.push({
            field: fieldPath([...path, ...i.path]),
            message: i.message.replace(/^Invalid input: /, ''),
          });
    } else issues.push({ field: fieldPath(path), message: issue.message.replace(/^Invalid input: /, '') });
  }
  return issues;
}

/** Parses `value` with `schema`, or throws a 400 naming every field at fault. */
export function parseOr400<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what = 'request body',
): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw ApiError.badRequest(zodIssues(result.error), what);
  return result.data;
}

/** The API's answer to a StoreError. */
export function fromStoreError(err: StoreError): ApiError {
  switch (err.code) {
    case 'NOT_FOUND':
      return new ApiError(404, err.message);
    case 'CONFLICT':
      return new ApiError(409, err.message, {
        ...(err.field !== undefined ? { field: err.field } : {}),
        issues: err.issues,
      });
    case 'INVALID':
      return new ApiError(422, err.message, { issues: err.issues });
    case 'OUT_OF_SYNC':
      return new ApiError(409, err.message);
    default:
      return new ApiError(503, `the subscriber database is unavailable: ${err.message}`);
  }
}

/** The fastify error handler: every failure as `{ error, field?, issues? }`. */
export function apiErrorHandler(logger: Logger) {
  return (err: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void => {
    const api =
      err instanceof ApiError
        ? err
        : err instanceof StoreError
          ? fromStoreError(err)
          : fromFastifyError(err, request);
    if (api.status >= 500)
      logger.error({ err, method: request.method, url: request.url }, 'hss api: request failed');
    const body: { error: string; field?: string; issues?: ValidationIssue[] } = { error: api.message };
    if (api.field !== undefined) body.field = api.field;
    if (api.issues !== undefined) body.issues = api.issues;
    void reply.code(api.status).send(body);
  };
}

/**
 * What fastify itself refuses (before a route runs: the URL, the body's media type or JSON),
 * in the API's terms. A 400 names the part at fault in `issues` like any other 400.
 */
function fromFastifyError(err: FastifyError | Error, request: FastifyRequest): ApiError {
  const status = (err as FastifyError).statusCode;
  const code = (err as FastifyError).code;
  const reason = (field: string, message: string) =>
    new ApiError(400, `invalid ${field || 'request body'}: ${message}`, { issues: [{ field, message }] });
  switch (code) {
    case 'FST_ERR_BAD_URL':
      return reason('url', 'the path is not valid percent-encoded UTF-8');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError(414, 'a path segment is too long', {
        issues: [{ field: 'url', message: 'a path segment is too long' }],
      });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return reason('', 'not valid JSON');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return reason('', 'empty, where content-type says application/json');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const type = request.headers['content-type'];
      return new ApiError(
        415,
        `${type ? `unsupported media type '${type}'` : 'a body without Content-Type'}: send application/json` +
          ' (application/x-ndjson to :import)',
      );
    }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, `request body too large: ${err.message}`);
  }
  if (typeof status === 'number' && status >= 400 && status < 500)
    return status === 400 ? reason('', err.message) : new ApiError(status, err.message);
  return new ApiError(500, 'internal error');
}
