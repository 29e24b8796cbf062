/**
 * The SLF's table from user identity to HSS (TS 23.228 §5.8.1, TS 29.228 §6.4): exact identities
 * (public or private), identity prefixes (e.g. a number range `tel:+1201`), and regular
 * expressions. Exact rows are found in a map, so a table of a million users costs one lookup.
 */
import { normalizePublicIdentity, publicIdentityScheme } from '../../ims/identity.ts';

export type IdentityRoute<T> =
  | { exact: string; hss: T }
  | { prefix: string; hss: T }
  | { regex: string; hss: T };

export class IdentityTable<T> {
  readonly #exact = new Map<string, T>();
  /** Longest prefix first. */
  readonly #prefixes: { prefix: string; hss: T }[] = [];
  readonly #patterns: { pattern: RegExp; hss: T }[] = [];

  constructor(
    routes: readonly IdentityRoute<T>[],
    private readonly fallback?: T,
  ) {
    for (const route of routes) {
      if ('exact' in route) {
        // The first row for an identity wins, as it would in a list read top to bottom.
        const key = IdentityTable.key(route.exact);
        if (!this.#exact.has(key)) this.#exact.set(key, route.hss);
      } else if ('prefix' in route) this.#prefixes.push({ prefix: route.prefix, hss: route.hss });
      else this.#patterns.push({ pattern: new RegExp(route.regex), hss: route.hss });
    }
    this.#prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The HSS of the first identity that matches, trying them in the order given; else the default. */
  lookup(identities: readonly string[]): T | undefined {
    const keys = identities.map(IdentityTable.key);
    for (const key of keys) {
      const hss = this.#exact.get(key);
      if (hss !== undefined) return hss;
    }
    for (const key of keys) {
      const hit = this.#prefixes.find((p) => key.startsWith(p.prefix));
      if (hit !== undefined) return hit.hss;
    }
    for (const key of keys) {
      const hit = this.#patterns.find((p) => p.pattern.test(key));
      if (hit !== undefined) return hit.hss;
    }
    return this.fallback;
  }

  get size(): number {
    return this.#exact.size + this.#prefixes.length + this.#patterns.length;
  }

  /** Public identities in their stored form (identity.ts), so `sip:Alice@IMS.test` finds `sip:Alice@ims.test`. */
  static key(identity: string): string {
    if (publicIdentityScheme(identity) === undefined) return identity;
    try {
      return normalizePublicIdentity(identity);
    } catch {
      return identity;
    }
  }
}
