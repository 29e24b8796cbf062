/**
 * The HSS REST API as the `ims subscriber` commands use it (ARCHITECTURE.md §7: `--hss URL`,
 * default http://127.0.0.1:8080, so that they work the same against a remote HSS). Every
 * failure becomes a CliError with one line: the API's own `error` text, or why the HSS could
 * not be reached.
 */
import { CliError, EXIT_USAGE } from './errors.ts';

export const DEFAULT_HSS_URL = 'http://127.0.0.1:8080';
const TIMEOUT_MS = 120_000;

export interface ApiAnswer {
  status: number;
  body: unknown;
}

export interface RequestOptions {
  json?: unknown;
  /** Body as NDJSON text (one record a line). */
  ndjson?: string;
}

/** The one-line reason of a failed fetch: the socket error code when there is one. */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause as
    | { code?: string; message?: string; errors?: { code?: string }[] }
    | undefined;
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (err as Error).message;
}

export class HssClient {
  readonly baseUrl: string;

  /** `command` prefixes error lines (`ims subscriber show`). Throws a usage error for a bad URL. */
  constructor(
    url: string,
    private readonly command: string,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CliError(`${command}: --hss must be an http:// URL, not '${url}'`, EXIT_USAGE);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new CliError(`${command}: --hss must be an http:// or https:// URL, not '${url}'`, EXIT_USAGE);
    this.baseUrl = url.replace(/\/+$/, '');
  }

  /** The path of a subscriber resource, its identity URL-encoded. */
  static subscriberPath(impu: string, suffix = ''): string {
    return `/api/v1/subscribers/${encodeURIComponent(impu)}${suffix}`;
  }

  /** Sends one request; throws only when the HSS cannot be reached. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.ndjson !== undefined) {
      headers['content-type'] = 'application/x-ndjson';
      body = options.ndjson;
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      throw new CliError(`ims subscriber: cannot reach the HSS at ${this.baseUrl}: ${networkReason(err)}`);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed };
  }

  /** Sends one request and returns its body when the status is one of `ok`; a CliError otherwise. */
  async expect(method: string, path: string, ok: number[], options: RequestOptions = {}): Promise<unknown> {
    const answer = await this.request(method, path, options);
    if (ok.includes(answer.status)) return answer.body;
    throw this.failure(answer);
  }

  /** The CliError for an answer that is not a success. */
  failure(answer: ApiAnswer): CliError {
    const error = (answer.body as { error?: unknown } | undefined)?.error;
    const reason =
      typeof error === 'string' ? error : `the HSS at ${this.baseUrl} answered HTTP ${answer.status}`;
    return new CliError(`${this.command}: ${reason.split('\n')[0]}`);
  }
}
