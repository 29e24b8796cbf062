import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig, validateConfig } from '../../../src/config/load.ts';
import { FlowTokenCodec, pcscfConfigSchema } from '../../../src/functions/pcscf/index.ts';
import type { Flow } from '../../../src/sip/transport/types.ts';

describe('P-CSCF configuration', () => {
  it('{} is the demo: every UE transport on 127.0.0.1, the demo I-CSCF, sec-agree tls', () => {
    const c = validateConfig(pcscfConfigSchema, {});
    assert.deepEqual(
      c.sip.listen.map((l) => `${l.protocol}:${l.host}:${l.port}`),
      [
        'udp:127.0.0.1:5060',
        'tcp:127.0.0.1:5060',
        'tls:127.0.0.1:5061',
        'ws:127.0.0.1:5066',
        'wss:127.0.0.1:7443',
      ],
    );
    assert.equal(c.icscf, 'sip:icscf.ims.test:4060');
    assert.equal(c.domain, 'ims.test');
    assert.deepEqual(c.secAgree.mechanisms, ['tls']);
    assert.equal(c.subscribeRegEvent, true);
    assert.equal(c.unknownPreferredIdentity, 'default-identity');
  });

  it('sip.port moves the default udp and tcp listeners; tls, ws and wss keep their ports', () => {
    const c = validateConfig(pcscfConfigSchema, { sip: { port: 15060 } });
    assert.deepEqual(
      c.sip.listen.map((l) => `${l.protocol}:${l.port}`),
      ['udp:15060', 'tcp:15060', 'tls:5061', 'ws:5066', 'wss:7443'],
    );
  });

  it('icscf: null means RFC 3263 on the home domain', () => {
    assert.equal(validateConfig(pcscfConfigSchema, { icscf: null }).icscf, null);
  });

  it('rx.enabled is refused: not implemented yet', () => {
    assert.throws(
      () => parseConfig(pcscfConfigSchema, 'rx:\n  enabled: true\n', 'p.yaml'),
      (err: unknown) => err instanceof ConfigError && /not implemented yet \(PCRF issue\)/.test(err.message),
    );
  });

  it('ipsec-3gpp as a mechanism and unknown keys are refused, naming the key', () => {
    assert.throws(
      () => validateConfig(pcscfConfigSchema, { secAgree: { mechanisms: ['ipsec-3gpp'] } }),
      /secAgree\.mechanisms\[0\]/,
    );
    assert.throws(() => validateConfig(pcscfConfigSchema, { bogus: 1 }), /bogus/);
  });
});

describe('flow tokens (RFC 5626 §5.2)', () => {
  const udp: Flow = {
    protocol: 'udp',
    local: { host: '127.0.0.1', port: 5060 },
    remote: { host: '198.51.100.7', port: 40123 },
  };
  const ws: Flow = { ...udp, protocol: 'ws', connectionId: 'c42' };

  it('round-trips a UDP and a connection flow', () => {
    const codec = new FlowTokenCodec();
    assert.deepEqual(codec.decode(codec.encode(udp)), udp);
    assert.deepEqual(codec.decode(codec.encode(ws)), ws);
    assert.match(codec.encode(ws), /^[A-Za-z0-9_-]+$/);
  });

  it('a tampered token, or one of another key, names no flow', () => {
    const codec = new FlowTokenCodec();
    const token = codec.encode(udp);
    const raw = Buffer.from(token, 'base64url');
    raw.writeUInt8(raw.readUInt8(raw.length - 1) ^ 1, raw.length - 1);
    assert.equal(codec.decode(raw.toString('base64url')), undefined);
    assert.equal(new FlowTokenCodec().decode(token), undefined);
    assert.equal(codec.decode('not-a-token'), undefined);
    assert.equal(codec.decode(''), undefined);
  });

  it('decodes a token again from its cache of verified tokens, each time a flow of its own', () => {
    const codec = new FlowTokenCodec();
    const token = codec.encode(ws);
    const first = codec.decode(token)!;
    first.remote.port = 1;
    assert.deepEqual(codec.decode(token), ws);
    const raw = Buffer.from(token, 'base64url');
    raw.writeUInt8(raw.readUInt8(0) ^ 1, 0);
    assert.equal(codec.decode(raw.toString('base64url')), undefined);
  });
});

describe('launchPcscf', () => {
  it('starts from a YAML file, creating a self-signed certificate in tlsDir, and stops', async () => {
    const { mkdtemp, rm, writeFile, stat } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { launchPcscf } = await import('../../../src/functions/pcscf/index.ts');
    const dir = await mkdtemp(join(tmpdir(), 'pcscf-launch-'));
    try {
      const file = join(dir, 'pcscf.yaml');
      await writeFile(
        file,
        [
          'sip:',
          '  listen:',
          '    - { protocol: udp, host: 127.0.0.1, port: 0 }',
          '    - { protocol: wss, host: 127.0.0.1, port: 0 }',
          `tlsDir: ${join(dir, 'tls')}`,
          'log: { level: silent }',
          '',
        ].join('\n'),
      );
      const pcscf = await launchPcscf(file);
      try {
        const status = await pcscf.status();
        assert.deepEqual(
          status.sip?.map((l) => l.protocol),
          ['udp', 'wss'],
        );
        assert.equal(status.registeredUsers, 0);
        assert.ok((await stat(join(dir, 'tls', 'tls.crt'))).isFile());
      } finally {
        await pcscf.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('tls/wss listeners without a certificate are refused with a clear error', async () => {
    const { startPcscf } = await import('../../../src/functions/pcscf/index.ts');
    const { silentLogger } = await import('../../../src/log/logger.ts');
    const config = validateConfig(pcscfConfigSchema, {
      sip: { listen: [{ protocol: 'tls', host: '127.0.0.1', port: 0 }] },
    });
    await assert.rejects(startPcscf(config, silentLogger), /need a certificate: set sip\.tls/);
  });
});
