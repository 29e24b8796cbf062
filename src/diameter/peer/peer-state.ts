/** RFC 6733 §5.6 peer states (R- = responder connection, I- = initiator connection). */
export enum PeerState {
  Closed = 'Closed',
  WaitConnAck = 'Wait-Conn-Ack',
  WaitICEA = 'Wait-I-CEA',
  WaitConnAckElect = 'Wait-Conn-Ack/Elect',
  WaitReturns = 'Wait-Returns',
  ROpen = 'R-Open',
  IOpen = 'I-Open',
  Closing = 'Closing',
}

/** The transitions the RFC 6733 §5.6 state table allows (every state may also fail to Closed). */
export const PEER_TRANSITIONS: Record<PeerState, readonly PeerState[]> = {
  [PeerState.Closed]: [PeerState.WaitConnAck, PeerState.ROpen],
  [PeerState.WaitConnAck]: [PeerState.WaitICEA, PeerState.WaitConnAckElect, PeerState.Closed],
  [PeerState.WaitICEA]: [PeerState.IOpen, PeerState.WaitReturns, PeerState.Closed],
  [PeerState.WaitConnAckElect]: [
    PeerState.WaitReturns,
    PeerState.ROpen,
    PeerState.WaitConnAck,
    PeerState.Closed,
  ],
  [PeerState.WaitReturns]: [PeerState.ROpen, PeerState.IOpen, PeerState.WaitICEA, PeerState.Closed],
  [PeerState.ROpen]: [PeerState.Closing, PeerState.Closed],
  [PeerState.IOpen]: [PeerState.Closing, PeerState.Closed],
  [PeerState.Closing]: [PeerState.Closed],
};

export function isOpen(state: PeerState): boolean {
  return state === PeerState.ROpen || state === PeerState.IOpen;
}
