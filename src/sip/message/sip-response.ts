import type { Headers } from './headers.ts';
import { SipMessage } from './sip-message.ts';

/** A SIP response, RFC 3261 §7.2: `SIP-Version SP Status-Code SP Reason-Phrase CRLF`. */
export class SipResponse extends SipMessage {
  readonly isRequest = false;

  constructor(
    public status: number,
    public reason: string,
    headers?: Headers,
    body?: Buffer,
    headerEncoding?: 'utf8' | 'latin1',
  ) {
    super(headers, body, headerEncoding);
  }

  startLine(): string {
    return `SIP/2.0 ${this.status} ${this.reason}`;
  }
}
