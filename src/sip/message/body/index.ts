/** Message bodies: SDP (RFC 4566) and multipart/mixed (RFC 2046 §5.1). */
export type { BodyPart, MultipartBody } from './multipart.ts';
export { boundaryFromContentType, formatMultipart, isValidBoundary, parseMultipart } from './multipart.ts';
export type { MediaDescription, SessionDescription } from './sdp.ts';
export { formatSdp, otherAttributes, parseSdp } from './sdp.ts';
