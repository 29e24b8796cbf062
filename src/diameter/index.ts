// The Diameter library's public surface. Network functions import from here (or from apps/*.ts
// for an application's generated types and enumerations).

export { DiameterApplication } from './apps/application.ts';
export { CX_APPLICATION_ID, CxApplication, VENDOR_3GPP } from './apps/cx.ts';
export { type AnswerResult, answerResult, experimentalResult } from './apps/result.ts';
export { RF_APPLICATION_ID, RfApplication } from './apps/rf.ts';
export { RX_APPLICATION_ID, RxApplication } from './apps/rx.ts';
export { SH_APPLICATION_ID, ShApplication } from './apps/sh.ts';
export type { DiameterHeader } from './codec/header.ts';
export type { AddressValue, AvpValue, AvpValues, DiameterMessage, MessageInit } from './codec/message.ts';
export { decodeMessage } from './codec/message-decoder.ts';
export { encodeMessage } from './codec/message-encoder.ts';
export { MessageFramer } from './codec/message-framer.ts';
export { AvpFlag, CommandFlag, type RawAvp } from './codec/raw-avp.ts';
export {
  type DiameterAnswerEvent,
  DiameterChannel,
  type DiameterFailureEvent,
  type DiameterPeerEvent,
  type DiameterRequestEvent,
} from './diagnostics/diameter-diagnostics.ts';
export { Dictionary } from './dictionary/dictionary.ts';
export { createStandardDictionary } from './dictionary/standard.ts';
export type { ApplicationDefinition, AvpDefinition, AvpType, CommandDefinition } from './dictionary/types.ts';
export {
  DiameterAnswerError,
  DiameterDecodeError,
  DiameterEncodeError,
  DiameterError,
  DiameterPeerError,
  DiameterRoutingError,
  DiameterTimeoutError,
  NoCommonApplicationError,
  ProxyPolicyError,
} from './errors.ts';
export { DiameterNode, type DiameterNodeOptions, type PeerConfig, type RequestInit } from './node.ts';
export type { AdvertisedApplication, LocalIdentity } from './peer/capabilities.ts';
export type { DynamicPeerOptions } from './peer/dynamic-peers.ts';
export { DisconnectCause, Peer } from './peer/peer.ts';
export { isOpen, PeerState } from './peer/peer-state.ts';
export { WatchdogState } from './peer/watchdog.ts';
export { ExperimentalResultCode, ResultCode } from './result-code.ts';
export type {
  ProxiedAnswer,
  ProxiedRequest,
  ProxyAnswerDecision,
  ProxyPolicy,
  ProxyRequestDecision,
} from './routing/proxy-agent.ts';
export { RedirectHostUsage } from './routing/redirect-cache.ts';
export type {
  RedirectDecision,
  RedirectPolicy,
  RequestHandler,
  RequestInfo,
} from './routing/request-dispatcher.ts';
export type { RouteAction, RouteEntry } from './routing/routing-table.ts';
