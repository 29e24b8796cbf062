import { detachedString } from '../../util/detached-string.ts';
import {
  type Contact,
  Headers,
  NameAddr,
  parseNameAddr,
  parseUri,
  SipRequest,
  type SipResponse,
  SipUri,
  type Uri,
} from '../message/index.ts';

/*
 * A dialog lives as long as its session or subscription (hours): what it keeps of the message
 * that created it is copied (detachedString), so that it does not keep that message's text.
 */
function ownId(callId: string, localTag: string, remoteTag: string): DialogId {
  return {
    callId: detachedString(callId),
    localTag: detachedString(localTag),
    remoteTag: detachedString(remoteTag),
  };
}

function ownAddress(address: NameAddr, header: string): NameAddr {
  return parseNameAddr(detachedString(address.toString()), header);
}

function ownUri(uri: Uri): Uri {
  return parseUri(detachedString(uri.toString()));
}

/** RFC 3261 §12: a dialog is early until a 2xx confirms it, then confirmed until it ends. */
export enum DialogState {
  Early = 'early',
  Confirmed = 'confirmed',
  Terminated = 'terminated',
}

/** RFC 3261 §12: Call-ID, local tag and remote tag identify a dialog. */
export interface DialogId {
  callId: string;
  localTag: string;
  remoteTag: string;
}

export function dialogKey(id: DialogId): string {
  return `${id.callId}\n${id.localTag}\n${id.remoteTag}`;
}

/** Why an in-dialog request was refused (RFC 3261 §12.2.2). */
export class DialogRequestError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`${status} ${reason}`);
    this.name = 'DialogRequestError';
  }
}

/** Methods that refresh the remote target (RFC 3261 §12.2, RFC 3311 §5.1, RFC 6665 §4.1.2.2). */
const TARGET_REFRESH = new Set(['INVITE', 'UPDATE', 'SUBSCRIBE', 'NOTIFY']);

function contactUri(m: SipRequest | SipResponse): Uri | undefined {
  const c = m.contacts[0];
  return c && c !== '*' ? (c as Contact).uri : undefined;
}

function isLooseRoute(route: NameAddr): boolean {
  const uri = route.uri;
  return uri instanceof SipUri && uri.hasParam('lr');
}

/**
 * The state of one dialog, RFC 3261 §12: identifiers, sequence numbers, remote target and
 * route set, and the construction of requests inside it (§12.2.1.1). It holds no timers and
 * sends nothing: the user agent core drives it.
 */
export class Dialog {
  state = DialogState.Early;
  /** Local CSeq; undefined until we send a request in the dialog (UAS side). */
  localSeq: number | undefined;
  /** Remote CSeq; undefined until a request arrives in the dialog (UAC side). */
  remoteSeq: number | undefined;

  private constructor(
    readonly id: DialogId,
    /** RFC 3261 §12.1.1: our URI (From for the UAC, To for the UAS) with our tag. */
    readonly localUri: NameAddr,
    readonly remoteUri: NameAddr,
    public remoteTarget: Uri,
    /** Route set, in the order of the Route headers of requests we send. */
    public routeSet: NameAddr[],
    /** RFC 3261 §12.1.1: sips Request-URI over TLS. */
    readonly secure: boolean,
    /** Which side created it: the UAC sent the dialog-creating request. */
    readonly role: 'uac' | 'uas',
  ) {}

  get key(): string {
    return dialogKey(this.id);
  }

  /**
   * RFC 3261 §12.1.2: the UAC's dialog from a 1xx-with-tag or 2xx response: route set from
   * Record-Route in reverse order, remote target from the Contact.
   */
  static fromUacResponse(request: SipRequest, response: SipResponse): Dialog {
    const remoteTag = response.to.tag;
    const localTag = request.from.tag;
    if (!remoteTag || !localTag) throw new DialogRequestError(400, 'Missing dialog tag');
    const target = contactUri(response) ?? request.uri;
    const routes = response.recordRoutes.slice().reverse();
    const d = new Dialog(
      ownId(request.callId, localTag, remoteTag),
      ownAddress(request.from, 'From'),
      ownAddress(response.to, 'To'),
      ownUri(target),
      routes.map((r) => ownAddress(r, 'Record-Route')),
      request.uri instanceof SipUri && request.uri.scheme === 'sips',
      'uac',
    );
    d.localSeq = request.cseq.seq;
    if (response.status >= 200 && response.status < 300) d.state = DialogState.Confirmed;
    return d;
  }

  /**
   * RFC 3261 §12.1.1: the UAS's dialog from the request, with the tag we put in our To:
   * route set from Record-Route in order, remote target from the Contact.
   */
  static fromUasRequest(request: SipRequest, localTag: string, confirmed = false): Dialog {
    const remoteTag = request.from.tag;
    if (!remoteTag) throw new DialogRequestError(400, 'Missing From tag');
    const target = contactUri(request);
    if (!target) throw new DialogRequestError(400, 'Missing Contact header');
    const to = new NameAddr(request.to.uriText, request.to.displayName, new Map(request.to.params), 'To');
    to.tag = localTag;
    const d = new Dialog(
      ownId(request.callId, localTag, remoteTag),
      ownAddress(to, 'To'),
      ownAddress(request.from, 'From'),
      ownUri(target),
      request.recordRoutes.map((r) => ownAddress(r, 'Record-Route')),
      request.uri instanceof SipUri && request.uri.scheme === 'sips',
      'uas',
    );
    d.remoteSeq = request.cseq.seq;
    if (confirmed) d.state = DialogState.Confirmed;
    return d;
  }

  /** An early dialog confirmed by a 2xx. */
  confirm(response?: SipResponse): void {
    if (this.state === DialogState.Terminated) return;
    if (response && this.role === 'uac') {
      // RFC 3261 §13.2.2.4: the 2xx's Record-Route and Contact replace those of the early dialog.
      this.routeSet = response.recordRoutes
        .slice()
        .reverse()
        .map((r) => ownAddress(r, 'Record-Route'));
      const target = contactUri(response);
      if (target) this.remoteTarget = ownUri(target);
    }
    this.state = DialogState.Confirmed;
  }

  terminate(): void {
    this.state = DialogState.Terminated;
  }

  /**
   * RFC 3261 §12.2.1.1: a request inside the dialog. ACK and CANCEL take the CSeq number of
   * the INVITE they belong to (`cseq`); every other method takes the next local number.
   */
  createRequest(
    method: string,
    options: { cseq?: number; contact?: NameAddr; body?: Buffer; contentType?: string } = {},
  ): SipRequest {
    let seq: number;
    if (options.cseq !== undefined) {
      seq = options.cseq;
    } else {
      // §8.1.1.5: the initial number is chosen below 2**31; it then increases by one.
      this.localSeq =
        this.localSeq === undefined ? Math.floor(Math.random() * 0x7fff) + 1 : this.localSeq + 1;
      seq = this.localSeq;
    }
    const headers = new Headers();
    const routes = this.routeSet.map((r) => r.toString());
    let uri: Uri = this.remoteTarget;
    const first = this.routeSet[0];
    if (first && !isLooseRoute(first)) {
      // §12.2.1.1: strict router: its URI becomes the Request-URI and the remote target the last Route.
      uri = parseUri(first.uriText);
      routes.shift();
      routes.push(`<${this.remoteTarget.toString()}>`);
    }
    headers.append('Max-Forwards', '70');
    for (const r of routes) headers.append('Route', r);
    headers.append('From', this.localUri.toString());
    headers.append('To', this.remoteUri.toString());
    headers.append('Call-ID', this.id.callId);
    headers.append('CSeq', `${seq} ${method}`);
    if (options.contact && method !== 'ACK' && method !== 'CANCEL')
      headers.append('Contact', options.contact.toString());
    if (options.body && options.contentType) headers.append('Content-Type', options.contentType);
    return new SipRequest(method, uri, headers, options.body);
  }

  /**
   * RFC 3261 §12.2.2: checks and records a request received in the dialog. A CSeq lower than
   * the last one is refused with 500; a target refresh updates the remote target.
   */
  receiveRequest(request: SipRequest): void {
    const { seq, method } = request.cseq;
    if (method !== 'ACK' && method !== 'CANCEL') {
      // §12.2.2: "If the remote sequence number was not empty, but the sequence number of the
      // request is lower than the remote sequence number, ... reject with a 500".
      if (this.remoteSeq !== undefined && seq < this.remoteSeq) {
        throw new DialogRequestError(500, 'CSeq out of order');
      }
      this.remoteSeq = seq;
    }
    if (TARGET_REFRESH.has(method)) {
      const target = contactUri(request);
      if (target) this.remoteTarget = ownUri(target);
    }
    if (method === 'BYE') this.state = DialogState.Terminated;
  }

  /** RFC 3261 §12.2.1.2: a 2xx to a target refresh request updates the remote target. */
  receiveResponse(request: SipRequest, response: SipResponse): void {
    if (response.status >= 200 && response.status < 300 && TARGET_REFRESH.has(request.method)) {
      const target = contactUri(response);
      if (target) this.remoteTarget = ownUri(target);
    }
    // RFC 3261 §12.2.1.2: 481 or 408 to a request in the dialog ends it.
    if (response.status === 481 || response.status === 408) this.state = DialogState.Terminated;
  }
}
