import { randomText } from '../../sip/message/index.ts';

/**
 * RFC 7315 §4.6, TS 24.229 §5.2.6.3.1 and §5.2.2.1: the P-Charging-Vector the P-CSCF creates
 * on the first request of a dialog or a standalone transaction: a globally unique icid, where
 * it was generated, and the originating inter-operator identifier (our home network).
 */
export function newChargingVector(options: { generatedAt: string; origIoi: string }): string {
  // RFC 7315 §5.6: "The icid-value ... MUST be globally unique": 128 random bits.
  const icid = randomText(16, 'hex');
  return `icid-value=${icid};icid-generated-at=${options.generatedAt};orig-ioi=${options.origIoi}`;
}
