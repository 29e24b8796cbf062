import type { Headers } from './headers.ts';
import { SipMessage } from './sip-message.ts';
import { parseUri, type Uri } from './uri.ts';

/** A SIP request, RFC 3261 §7.1: `Method SP Request-URI SP SIP-Version CRLF`. */
export class SipRequest extends SipMessage {
  readonly isRequest = true;
  private parsedUri: Uri | undefined;
  private uriString: string;

  constructor(
    /** Method token, case-sensitive (RFC 3261 §7.1). */
    public method: string,
    uri: Uri | string,
    headers?: Headers,
    body?: Buffer,
    headerEncoding?: 'utf8' | 'latin1',
  ) {
    super(headers, body, headerEncoding);
    if (typeof uri === 'string') {
      this.uriString = uri;
    } else {
      this.parsedUri = uri;
      this.uriString = uri.toString();
    }
  }

  /** The Request-URI, parsed on first use. */
  get uri(): Uri {
    this.parsedUri ??= parseUri(this.uriString);
    return this.parsedUri;
  }

  set uri(uri: Uri) {
    this.parsedUri = uri;
    this.uriString = uri.toString();
  }

  /** The Request-URI as written. */
  get uriText(): string {
    return this.uriString;
  }

  startLine(): string {
    return `${this.method} ${this.uriString} SIP/2.0`;
  }
}
