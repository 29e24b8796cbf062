import type { Socket } from 'node:net';
import type { Logger } from '../../log/logger.ts';
import { isRequest, readHeader } from '../codec/header.ts';
import type { DiameterMessage } from '../codec/message.ts';
import { decodeMessage } from '../codec/message-decoder.ts';
import type { Dictionary } from '../dictionary/dictionary.ts';
import { DiameterDecodeError } from '../errors.ts';
import { ResultCode } from '../result-code.ts';
import type { BaseMessages } from './base-messages.ts';
import type { Peer } from './peer.ts';
import { PeerConnection } from './peer-connection.ts';

export interface AcceptorOptions {
  dictionary: Dictionary;
  messages: BaseMessages;
  log: Logger;
  /** The peer a CER's Origin-Host names, created on the fly when the node accepts unknown peers. */
  findPeer(originHost: string): Peer | undefined;
  /** How long a new connection may stay silent before its CER, ms. */
  timeout: number;
}

/**
 * Receives new transport connections (RFC 6733 §5.3): the first message must be a CER; its
 * Origin-Host picks the Peer, whose state machine takes the connection (R-Conn-CER). A CER from
 * an unknown host is answered 3010 DIAMETER_UNKNOWN_PEER and the connection closed.
 */
export class PeerAcceptor {
  /** Connections whose CER has not come yet. */
  private readonly waiting = new Set<PeerConnection>();

  constructor(private readonly options: AcceptorOptions) {}

  /** Drops the connections still waiting for their CER. */
  close(): void {
    for (const conn of this.waiting) conn.destroy();
    this.waiting.clear();
  }

  accept(socket: Socket): void {
    const { log } = this.options;
    const conn = new PeerConnection(socket);
    this.waiting.add(conn);
    const timer = setTimeout(() => conn.destroy(), this.options.timeout);
    conn.once('close', () => {
      clearTimeout(timer);
      this.waiting.delete(conn);
    });
    conn.once('message', (bytes) => {
      clearTimeout(timer);
      this.waiting.delete(conn);
      conn.removeAllListeners();
      let cer: DiameterMessage;
      try {
        const header = readHeader(bytes);
        if (!isRequest(header) || header.commandCode !== 257 || header.applicationId !== 0)
          throw new Error('not a CER');
        cer = decodeMessage(bytes, this.options.dictionary);
      } catch (err) {
        log.info(
          { err: (err as Error).message, from: conn.remoteAddress },
          'first message is not a valid CER',
        );
        // RFC 6733 §7.1.3-7.1.5: a request whose header could be read (bad bits 3008, version
        // 5011, a CER that does not decode) gets its error answer before the connection closes.
        const header = err instanceof DiameterDecodeError ? err.header : undefined;
        if (err instanceof DiameterDecodeError && header && isRequest(header)) {
          const answer = this.options.messages.errorAnswer(bytes, header, err, conn.localAddress);
          if (answer) conn.send(answer);
          conn.close();
        } else {
          conn.destroy();
        }
        return;
      }
      const host = cer.avps.originHost as string;
      const peer = this.options.findPeer(host);
      if (!peer) {
        log.warn({ host, from: conn.remoteAddress }, 'CER from an unknown peer');
        conn.send(this.options.messages.cea(cer, ResultCode.DIAMETER_UNKNOWN_PEER, conn.localAddress));
        conn.close();
        return;
      }
      peer.acceptConnection(conn, cer);
    });
  }
}
