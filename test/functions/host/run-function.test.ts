/**
 * The host of one network function: the registry finds every function whose code is in the
 * tree, and runFunction starts one with its /health and /metrics endpoint.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type ConfigError, validateConfig } from '../../../src/config/load.ts';
import { DISCOVERED_FUNCTIONS, isFunctionAvailable } from '../../../src/functions/host/availability.ts';
import {
  FunctionUnavailableError,
  loadFunction,
  readFunctionFile,
  runFunction,
} from '../../../src/functions/host/index.ts';
import { hssConfigSchema } from '../../../src/functions/hss/config.ts';
import { silentLogger } from '../../../src/log/logger.ts';

const dir = mkdtempSync(join(tmpdir(), 'ims-host-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('function registry', () => {
  it('loads every function in the tree with its schema ({} valid: the demo topology)', async () => {
    for (const name of ['hss', ...DISCOVERED_FUNCTIONS.filter(isFunctionAvailable)]) {
      const launcher = await loadFunction(name);
      assert.equal(launcher.name, name);
      assert.equal(launcher.schema.safeParse({}).success, true, `${name}: {} is a valid configuration`);
    }
    // The SLF needs its HSS table: no demo default.
    assert.equal((await loadFunction('slf')).schema.safeParse({}).success, false);
  });
  it('a function not in the tree is unavailable, with a clear error', async () => {
    assert.equal(isFunctionAvailable('nosuch'), false);
    await assert.rejects(loadFunction('nosuch'), FunctionUnavailableError);
  });
});

describe('readFunctionFile', () => {
  it('takes the http section out of the function’s configuration', () => {
    const file = join(dir, 'f.yaml');
    writeFileSync(file, 'http: { port: 9999 }\ndiameter: { originHost: x.ims.test }\n');
    const { http, data } = readFunctionFile(file);
    assert.deepEqual(http, { address: '127.0.0.1', port: 9999 });
    assert.deepEqual(data, { diameter: { originHost: 'x.ims.test' } });
  });
  it('a bad http key is named', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'http: { port: 99999 }\n');
    assert.throws(
      () => readFunctionFile(file),
      (err: ConfigError) => err.key === 'http.port',
    );
  });
});

describe('runFunction', () => {
  it('runs the HSS with /health (its status) and /metrics, and stops both', async () => {
    const config = validateConfig(hssConfigSchema, {
      diameter: { listen: { port: 0 } },
      store: { backend: 'sqlite', path: join(dir, 'hss.sqlite') },
      api: { enabled: false },
    });
    const hosted = await runFunction('hss', config, {
      logger: silentLogger,
      http: { address: '127.0.0.1', port: 0 },
      processMetrics: false,
    });
    try {
      const res = await fetch(`${hosted.http!.url}/health`);
      assert.equal(res.status, 200);
      const health = (await res.json()) as Record<string, unknown>;
      assert.equal(health.name, 'hss');
      assert.equal(health.pid, process.pid);
      assert.equal(health.healthy, true);
      assert.equal(typeof health.diameterPort, 'number');
      // The CSCFs it accepts, none connected.
      assert.deepEqual(health.diameterPeers, [
        { host: 'scscf.ims.test', state: 'Closed' },
        { host: 'icscf.ims.test', state: 'Closed' },
      ]);
      const metrics = await (await fetch(`${hosted.http!.url}/metrics`)).text();
      assert.match(metrics, /^ims_function_up\{function="hss"\} 1$/m);
    } finally {
      await hosted.stop();
    }
    await assert.rejects(fetch(`${hosted.http!.url}/health`), 'the endpoint is closed');
  });
});
