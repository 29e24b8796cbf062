/** Counters of a transport layer, for `stats()`: what was received, refused and sent. */
export interface TransportStats {
  requestsReceived: number;
  responsesReceived: number;
  /** Requests that did not parse (answered with 400/505/513 when possible, else dropped). */
  malformedRequests: number;
  /** Stateless 400/505/513 answers sent to malformed requests. */
  badRequestsAnswered: number;
  /** Responses that did not parse, dropped (RFC 3261 §18.1.2). */
  malformedResponses: number;
  /** Responses whose top Via is not ours (RFC 3261 §18.1.2), dropped. */
  misroutedDropped: number;
  /** Datagrams over the size limit, dropped (a request among them answered 513 when its headers parse). */
  oversizedDropped: number;
  /** Stream connections closed because the framing was lost (RFC 3261 §18.3). */
  framingErrors: number;
  /** CRLFCRLF pings answered (RFC 5626 §4.4.1), and keep-alive datagrams ignored. */
  keepAlives: number;
  connectionsOpened: number;
  connectionsClosed: number;
  messagesSent: number;
  sendFailures: number;
  /** Requests moved from UDP to TCP by size (RFC 3261 §18.1.1). */
  udpToTcpSwitches: number;
}

export function emptyStats(): TransportStats {
  return {
    requestsReceived: 0,
    responsesReceived: 0,
    malformedRequests: 0,
    badRequestsAnswered: 0,
    malformedResponses: 0,
    misroutedDropped: 0,
    oversizedDropped: 0,
    framingErrors: 0,
    keepAlives: 0,
    connectionsOpened: 0,
    connectionsClosed: 0,
    messagesSent: 0,
    sendFailures: 0,
    udpToTcpSwitches: 0,
  };
}
