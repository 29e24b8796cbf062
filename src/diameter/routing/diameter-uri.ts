/** RFC 6733 §4.3.1 DiameterURI: `aaa://FQDN[:port][;transport=tcp|sctp|udp][;protocol=diameter]`, `aaas://` for TLS. */
export interface DiameterUri {
  host: string;
  port: number;
  secure: boolean;
  transport: string;
}

const URI = /^(aaas?):\/\/(\[[^\]]+\]|[^:;/]+)(?::(\d+))?((?:;[a-z]+=[a-z0-9]+)*)$/i;

/** Parses a DiameterURI; undefined if it is not one. Default port 3868, 5658 for aaas (§4.3.1). */
export function parseDiameterUri(text: string): DiameterUri | undefined {
  const m = URI.exec(text.trim());
  if (!m) return undefined;
  const secure = m[1]!.toLowerCase() === 'aaas';
  const params = new Map(
    (m[4] ?? '')
      .split(';')
      .filter(Boolean)
      .map((p) => p.split('=') as [string, string]),
  );
  return {
    host: m[2]!.replace(/^\[|\]$/g, ''),
    port: m[3] ? Number(m[3]) : secure ? 5658 : 3868,
    secure,
    transport: params.get('transport') ?? 'tcp',
  };
}

export function formatDiameterUri(host: string, port: number, secure = false): string {
  return `${secure ? 'aaas' : 'aaa'}://${host}:${port};transport=tcp;protocol=diameter`;
}
