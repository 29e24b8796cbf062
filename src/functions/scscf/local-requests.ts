/**
 * Requests the S-CSCF sends as a UAC from its proxy's transaction layer (RFC 3261 §8.1): reg
 * event NOTIFYs and third-party REGISTERs. Each goes in an OutgoingRequest (RFC 3263
 * failover, 408/503 synthesized) and resolves with its final response.
 */
import type { Logger } from '../../log/logger.ts';
import { OutgoingRequest, type OutgoingRequestContext } from '../../sip/dialog/outgoing-request.ts';
import { createResponse, type SipRequest, type SipResponse, type Uri } from '../../sip/message/index.ts';
import { systemTimers, type TransactionLayer } from '../../sip/transaction/index.ts';
import type { Destination, TransportLayer } from '../../sip/transport/types.ts';

export class LocalRequests {
  #context: OutgoingRequestContext | undefined;

  constructor(
    /** The transaction layer, asked for at the first send (the proxy owning it comes later). */
    private readonly layer: () => TransactionLayer,
    private readonly transport: Pick<TransportLayer, 'viaSentBy'>,
    private readonly resolve: (uri: Uri) => Promise<Destination[]>,
    private readonly logger: Logger,
  ) {}

  #outgoing(): OutgoingRequestContext {
    if (this.#context === undefined) {
      const layer = this.layer();
      this.#context = {
        layer,
        transport: this.transport,
        resolve: this.resolve,
        timers: systemTimers,
        timerValues: layer.timerValues,
        logger: this.logger,
        // Only non-INVITE requests are sent here: no 2xx to absorb.
        absorb2xx: () => false,
      };
    }
    return this.#context;
  }

  /**
   * Sends `request` (our Via added per attempt) and resolves with the final response; after
   * `timeoutMs` without one, with a 408 made up here (the transaction goes on and is ignored).
   */
  send(request: SipRequest, options: { timeoutMs?: number; destination?: Destination } = {}) {
    return new Promise<SipResponse>((resolve) => {
      let done = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (response: SipResponse) => {
        if (done) return;
        done = true;
        if (timer !== undefined) clearTimeout(timer);
        resolve(response);
      };
      const outgoing = new OutgoingRequest(
        this.#outgoing(),
        request,
        {
          onResponse: (response) => {
            if (response.status >= 200) finish(response);
          },
        },
        options.destination,
      );
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => finish(createResponse(outgoing.request, 408)), options.timeoutMs);
        timer.unref();
      }
      outgoing.start();
    });
  }
}
