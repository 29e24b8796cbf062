import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ConfigError, parseConfig } from '../../src/config/load.ts';

const schema = z
  .object({
    domain: z.string(),
    listen: z.array(z.object({ host: z.string(), port: z.number().int().min(1).max(65535) }).strict()),
    log: z.object({ level: z.enum(['info', 'debug']).default('info') }).default({ level: 'info' }),
  })
  .strict();

describe('config loader', () => {
  it('parses YAML, applies defaults and freezes the result', () => {
    const cfg = parseConfig(schema, 'domain: ims.test\nlisten:\n  - host: 127.0.0.1\n    port: 5060\n');
    assert.equal(cfg.domain, 'ims.test');
    assert.equal(cfg.listen[0]?.port, 5060);
    assert.equal(cfg.log.level, 'info');
    assert.ok(Object.isFrozen(cfg) && Object.isFrozen(cfg.listen[0]));
  });

  it('names the bad key in the error', () => {
    assert.throws(
      () => parseConfig(schema, 'domain: ims.test\nlisten:\n  - host: h\n    port: 70000\n', 'pcscf.yaml'),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.key === 'listen[0].port' &&
        /pcscf\.yaml: key 'listen\[0\]\.port'/.test(err.message),
    );
  });

  it('rejects unknown keys by name', () => {
    assert.throws(
      () => parseConfig(schema, 'domain: x\nlisten: []\ndomian: y\n'),
      (err: unknown) => err instanceof ConfigError && /domian/.test(err.message),
    );
  });

  it('reports YAML syntax errors as ConfigError', () => {
    assert.throws(() => parseConfig(schema, 'domain: [unclosed\n'), ConfigError);
  });
});
