/**
 * S-CSCF selection by the I-CSCF (TS 23.228 §5.8.1, TS 29.228 §6.7 and Annex: Server
 * capabilities): among the configured S-CSCFs, those offering every mandatory capability the
 * HSS asks for, then those offering the most optional ones, then a weighted random choice.
 * S-CSCFs that failed recently go last, so new users stop landing on a dead one first.
 */
import { parseUri, SipUri } from '../../sip/message/index.ts';
import type { ScscfEntry } from './config.ts';

/** What the HSS says the S-CSCF must offer (Server-Capabilities, TS 29.229 §6.3.4). */
export interface RequiredCapabilities {
  mandatoryCapability?: readonly number[];
  optionalCapability?: readonly number[];
  serverName?: readonly string[];
}

export interface ScscfSelectorOptions {
  /** How long a failed S-CSCF stays at the back of the queue, ms. */
  failurePenaltyMs?: number;
  random?: () => number;
  now?: () => number;
}

/** True when two S-CSCF names designate the same server (scheme, host, port; RFC 3261 §19.1.4 defaults). */
export function sameServer(a: string, b: string): boolean {
  const ka = serverKey(a);
  return ka !== undefined && ka === serverKey(b);
}

function serverKey(name: string): string | undefined {
  try {
    const uri = parseUri(name);
    if (!(uri instanceof SipUri)) return name.toLowerCase();
    const port = uri.port ?? (uri.scheme === 'sips' ? 5061 : 5060);
    return `${uri.scheme}:${uri.host.toLowerCase()}:${port}`;
  } catch {
    return name.toLowerCase();
  }
}

export class ScscfSelector {
  private readonly failedAt = new Map<string, number>();
  private readonly penalty: number;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(
    private readonly scscfs: readonly ScscfEntry[],
    options: ScscfSelectorOptions = {},
  ) {
    this.penalty = options.failurePenaltyMs ?? 30_000;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /**
   * The S-CSCF to use for a user whose S-CSCF must be chosen here, or undefined when no
   * configured one fits (or all fitting ones were tried). `exclude`: names already tried.
   */
  select(required: RequiredCapabilities | undefined, exclude: readonly string[] = []): string | undefined {
    const untried = (name: string) => !exclude.some((e) => sameServer(e, name));
    // TS 29.229 §6.3.4: Server-Names in Server-Capabilities are S-CSCFs the operator prefers
    // for this user; the first one not tried yet wins.
    for (const name of required?.serverName ?? []) if (untried(name)) return name;
    const mandatory = required?.mandatoryCapability ?? [];
    const optional = required?.optionalCapability ?? [];
    const fitting = this.scscfs
      .filter((s) => untried(s.uri) && mandatory.every((c) => s.capabilities.includes(c)))
      .map((s) => ({
        scscf: s,
        healthy: !this.recentlyFailed(s.uri),
        optional: optional.filter((c) => s.capabilities.includes(c)).length,
      }));
    if (fitting.length === 0) return undefined;
    const rank = (f: (typeof fitting)[number]) => (f.healthy ? 1_000_000 : 0) + f.optional;
    const best = Math.max(...fitting.map(rank));
    return this.weighted(fitting.filter((f) => rank(f) === best).map((f) => f.scscf)).uri;
  }

  /** An S-CSCF did not answer, or answered with a server failure. */
  markFailed(name: string): void {
    const key = serverKey(name);
    if (key !== undefined) this.failedAt.set(key, this.now());
  }

  /** An S-CSCF answered: it is alive again. */
  markAnswered(name: string): void {
    const key = serverKey(name);
    if (key !== undefined) this.failedAt.delete(key);
  }

  private recentlyFailed(name: string): boolean {
    const key = serverKey(name);
    const at = key === undefined ? undefined : this.failedAt.get(key);
    return at !== undefined && this.now() - at < this.penalty;
  }

  private weighted(candidates: readonly ScscfEntry[]): ScscfEntry {
    const total = candidates.reduce((sum, c) => sum + c.weight, 0);
    let pick = this.random() * total;
    for (const c of candidates) {
      pick -= c.weight;
      if (pick < 0) return c;
    }
    return candidates[candidates.length - 1]!;
  }
}
