/**
 * The HSS REST API as the `ims subscriber` commands use it (ARCHITECTURE.md §7: `--hss URL`,
 * default http://127.0.0.1:8080, so that they work the same against a remote HSS). Every
 * failure becomes a CliError with one line: the API's own `error` text, or why the HSS could
 * not be reached.
 *
 * Over node:http(s), not fetch: fetch refuses the ports browsers block (1, 6000, 5060 ...:
 * the WHATWG Fetch "bad port" list, a defence of browsers against cross-protocol requests that
 * a command given its URL by the operator has no use for), so an HSS API on any port is reached.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
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

/** Thrown when the HSS has not answered within TIMEOUT_MS. */
class NoAnswerError extends Error {}

/** The one-line reason a request failed: the socket error code when there is one. */
function networkReason(err: unknown): string {
  if (err instanceof NoAnswerError) return `no answer within ${TIMEOUT_MS / 1000} s`;
  // A name with several addresses tried in turn fails with an AggregateError of each attempt.
  const e = err as { code?: string; errors?: { code?: string }[]; message?: string };
  return e.code ?? e.errors?.[0]?.code ?? e.message ?? String(err);
}

/** One HTTP exchange: the status and the whole body as text. */
function exchange(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, { method, headers }, (response: IncomingMessage) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      response.on('error', reject);
    });
    const timer = setTimeout(() => request.destroy(new NoAnswerError()), TIMEOUT_MS);
    request.on('close', () => clearTimeout(timer));
    request.on('error', reject);
    request.end(body);
  });
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
    let answer: { status: number; text: string };
    try {
      answer = await exchange(new URL(`${this.baseUrl}${path}`), method, headers, body);
    } catch (err) {
      throw new CliError(`${this.command}: cannot reach the HSS at ${this.baseUrl}: ${networkReason(err)}`);
    }
    const { text } = answer;
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: answer.status, body: parsed };
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
