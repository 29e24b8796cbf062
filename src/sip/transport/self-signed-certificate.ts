import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface CertificatePems {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

/**
 * The demo TLS certificate: `dir/tls.crt` and `dir/tls.key`, created self-signed (RSA 2048,
 * SHA-256, 10 years) with every hostname and IP address as a subjectAltName when missing,
 * read back when present. Peers trust it by listing it as their CA (RFC 5922 §7.1: the
 * SIP domain must appear as a DNS subjectAltName).
 */
export async function ensureSelfSignedCertificate(
  dir: string,
  hostnames: string[],
): Promise<CertificatePems> {
  const certPath = join(dir, 'tls.crt');
  const keyPath = join(dir, 'tls.key');
  try {
    const [cert, key] = await Promise.all([readFile(certPath, 'utf8'), readFile(keyPath, 'utf8')]);
    return { cert, key, certPath, keyPath };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const names = hostnames.length > 0 ? hostnames : ['localhost'];
  const notBeforeDate = new Date();
  const notAfterDate = new Date(notBeforeDate);
  notAfterDate.setFullYear(notAfterDate.getFullYear() + 10);
  const pems = await generate([{ name: 'commonName', value: names[0]! }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((n) => (isIP(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n })),
      },
    ],
  });
  await mkdir(dir, { recursive: true });
  // The key is written first and private to the owner: a crash leaves no certificate without it.
  await writeFile(keyPath, pems.private, { mode: 0o600 });
  await writeFile(certPath, pems.cert);
  return { cert: pems.cert, key: pems.private, certPath, keyPath };
}
