/**
 * Third-party REGISTER towards application servers (TS 24.229 §5.4.1.7, TS 23.218 §6.3): after
 * a registration, re-registration or de-registration, each AS whose iFC matches the REGISTER
 * gets a REGISTER from the S-CSCF for the user's public identity, with the registration's
 * expiry and, when the iFC asks, the ServiceInfo and the UE's REGISTER and 200 OK as bodies.
 * An AS that fails with DefaultHandling SESSION_TERMINATED gets the user de-registered.
 */
import { matchingIfcs } from '../../ims/ifc/evaluate.ts';
import {
  DefaultHandling,
  type InitialFilterCriteria,
  RegistrationType,
  SessionCase,
} from '../../ims/ifc/model.ts';
import type { Logger } from '../../log/logger.ts';
import {
  type BodyPart,
  formatMultipart,
  Headers,
  newTag,
  randomText,
  SipRequest,
  type SipResponse,
} from '../../sip/message/index.ts';
import type { Registration } from '../../store/registrations/types.ts';
import type { ScscfConfig } from './config.ts';
import type { LocalRequests } from './local-requests.ts';
import { ifcsOf } from './user-profile.ts';

export interface ThirdPartyDeps {
  config: ScscfConfig;
  requests: LocalRequests;
  logger: Logger;
  /** §5.4.1.7: an AS with SESSION_TERMINATED failed: de-register the user (network initiated). */
  onAsFailure(impu: string, as: string): void;
}

/** TS 24.229 §7.6: the body carrying ServiceInfo to the AS. */
const IMS_3GPP_CONTENT_TYPE = 'application/3gpp-ims+xml';

function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'));
}

export class ThirdPartyRegistrar {
  readonly #log: Logger;

  constructor(private readonly deps: ThirdPartyDeps) {
    this.#log = deps.logger.child({ component: 'third-party-register' });
  }

  /**
   * After a successful REGISTER of `impu` (the UE's request and our 200 OK), or a
   * de-registration (expires 0; `register` absent when the network de-registered).
   */
  send(
    record: Pick<Registration, 'userData'>,
    impu: string,
    type: RegistrationType,
    expires: number,
    register?: SipRequest,
    ok?: SipResponse,
  ): Promise<void> {
    const probe = register ?? this.#request(impu, `sip:${this.deps.config.domains[0]}`, expires);
    const ifcs = this.#matching(record.userData, impu, probe, type);
    const jobs = ifcs.map((ifc) => this.#registerAt(ifc, impu, type, expires, register, ok));
    return Promise.all(jobs).then(() => undefined);
  }

  #matching(
    userData: string,
    impu: string,
    request: SipRequest,
    type: RegistrationType,
  ): InitialFilterCriteria[] {
    const all = matchingIfcs(ifcsOf(userData, impu), request, {
      sessionCase: SessionCase.ORIGINATING_SESSION,
      registered: type !== RegistrationType.DE_REGISTRATION,
      registrationType: type,
    });
    // One REGISTER per AS, that of the first matching iFC (by priority).
    const seen = new Set<string>();
    return all.filter((ifc) => {
      const name = ifc.applicationServer.serverName;
      if (seen.has(name)) return false;
      seen.add(name);
      return true;
    });
  }

  async #registerAt(
    ifc: InitialFilterCriteria,
    impu: string,
    type: RegistrationType,
    expires: number,
    register: SipRequest | undefined,
    ok: SipResponse | undefined,
  ): Promise<void> {
    const as = ifc.applicationServer;
    const request = this.#request(impu, as.serverName, expires);
    const parts: BodyPart[] = [];
    if (as.serviceInfo !== undefined)
      parts.push(
        part(
          IMS_3GPP_CONTENT_TYPE,
          `<?xml version="1.0" encoding="UTF-8"?><ims-3gpp version="1"><service-info>${escapeXml(as.serviceInfo)}</service-info></ims-3gpp>`,
        ),
      );
    if (as.includeRegisterRequest && register !== undefined)
      parts.push(part('message/sip', register.toBuffer()));
    if (as.includeRegisterResponse && ok !== undefined) parts.push(part('message/sip', ok.toBuffer()));
    if (parts.length === 1) {
      request.body = parts[0]!.content;
      request.headers.set('Content-Type', parts[0]!.headers.get('content-type')!);
    } else if (parts.length > 1) {
      const multipart = formatMultipart(parts);
      request.body = multipart.body;
      request.headers.set('Content-Type', multipart.contentType);
    }
    let response: SipResponse;
    try {
      response = await this.deps.requests.send(request, {
        timeoutMs: this.deps.config.registrar.thirdPartyTimeoutMs,
      });
    } catch (err) {
      this.#log.warn(
        { impu, as: as.serverName, err: (err as Error).message },
        'third-party REGISTER not sent',
      );
      return;
    }
    const log = { impu, as: as.serverName, status: response.status, expires };
    if (response.status < 300) {
      this.#log.info(log, 'third-party REGISTER accepted');
      return;
    }
    this.#log.info({ ...log, defaultHandling: as.defaultHandling }, 'third-party REGISTER failed');
    // TS 24.229 §5.4.1.7: SESSION_TERMINATED → network-initiated de-registration (§5.4.1.5).
    if (
      as.defaultHandling === DefaultHandling.SESSION_TERMINATED &&
      type !== RegistrationType.DE_REGISTRATION
    )
      this.deps.onAsFailure(impu, as.serverName);
  }

  /** TS 24.229 §5.4.1.7: From and Contact the S-CSCF, To the served identity. */
  #request(impu: string, uri: string, expires: number): SipRequest {
    const self = this.deps.config.serverName;
    const headers = new Headers();
    headers.append('Max-Forwards', '70');
    headers.append('From', `<${self}>;tag=${newTag()}`);
    headers.append('To', `<${impu}>`);
    headers.append('Call-ID', `${randomText(12, 'hex')}@${this.deps.config.sip.host}`);
    headers.append('CSeq', '1 REGISTER');
    headers.append('Contact', `<${self}>`);
    headers.append('Expires', String(expires));
    return new SipRequest('REGISTER', uri, headers);
  }
}

function part(contentType: string, content: string | Buffer): BodyPart {
  return {
    headers: new Map([['content-type', contentType]]),
    content: typeof content === 'string' ? Buffer.from(content, 'utf8') : content,
  };
}
