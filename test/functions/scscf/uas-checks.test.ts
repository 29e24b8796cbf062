/**
 * The S-CSCF as a UAS (RFC 3261 §8.2, §11): OPTIONS addressed to it answered 200 with Allow
 * and Supported, 420 for an unknown Require, 400 naming a malformed header; a REGISTER whose
 * headers the registrar reads is validated before anything else happens (400, no challenge).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ScscfEnv, startScscfEnv } from './helpers/scscf-env.ts';
import { TestUe } from './helpers/test-ue.ts';

describe('S-CSCF as a UAS: OPTIONS to itself, REGISTER validation', () => {
  let env: ScscfEnv;
  let ue: TestUe;
  let self: string;

  before(async () => {
    env = await startScscfEnv();
    ue = await TestUe.start(env.port);
    self = `sip:127.0.0.1:${env.port}`;
  });
  after(async () => {
    await ue.close();
    await env.stop();
  });

  const options = (headers: [string, string][] = [], from = 'sip:ue@ims.test') =>
    ue.send(ue.build('OPTIONS', self, { from, to: self, headers }));

  it('RFC 3261 §11: OPTIONS to the S-CSCF itself gets 200 with Allow and Supported', async () => {
    const r = await options();
    assert.equal(r.status, 200, r.reason);
    assert.match(r.headers.get('Allow') ?? '', /\bREGISTER\b.*\bOPTIONS\b/);
    assert.equal(r.headers.get('Supported'), 'path, outbound');
    // Still a request for a user when it names one: not answered as the S-CSCF's own.
    const forUser = await ue.send(
      ue.build('OPTIONS', `sip:nobody@127.0.0.1:${env.port}`, { from: 'sip:ue@ims.test', to: self }),
    );
    assert.notEqual(forUser.status, 200);
  });

  it('RFC 3261 §8.2.2.3: an unknown option tag in Require gets 420 with Unsupported', async () => {
    const r = await options([['Require', 'path, foobar']]);
    assert.equal(r.status, 420);
    assert.equal(r.headers.get('Unsupported'), 'foobar');
  });

  it('RFC 3261 §8.2: a malformed From gets 400 naming it', async () => {
    const r = await options([], '<<');
    assert.equal(r.status, 400);
    assert.match(r.reason, /From|URI/);
  });

  it('REGISTER with Expires: abc gets 400 before any challenge', async () => {
    const r = await ue.register({
      impu: 'sip:nobody@ims.test',
      secret: { password: 'x' },
      headers: [['Expires', 'abc']],
    });
    assert.equal(r.response.status, 400);
    assert.match(r.response.reason, /Expires/);
    assert.equal(r.challenges.length, 0);
  });
});
