/**
 * ISC over real sockets (TS 24.229 §5.4.3.2 step 4, §5.4.3.3 step 3, TS 23.218 §6): tiny test
 * application servers proxy the request back by the Route the S-CSCF gave them (its original
 * dialog identifier), answer with an error, or say nothing. Order by priority, session case,
 * default handling SESSION_CONTINUED vs SESSION_TERMINATED and the return route.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DefaultHandling, SessionCase } from '../../../../src/ims/ifc/model.ts';
import { allOf, binding, ifc, method, record, sessionCase } from './fixtures.ts';
import {
  type AsMode,
  message,
  sendRequest,
  startEndpoint,
  startRoutingHarness,
  startTestAs,
} from './harness.ts';

describe('S-CSCF ↔ application servers over ISC', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function scenario(
    servers: Record<string, AsMode>,
    profile: (uri: Record<string, string>) => {
      alice: ReturnType<typeof ifc>[];
      bob: ReturnType<typeof ifc>[];
    },
  ) {
    const log: string[] = [];
    const uri: Record<string, string> = {};
    const as: Record<string, Awaited<ReturnType<typeof startTestAs>>> = {};
    for (const [name, mode] of Object.entries(servers)) {
      as[name] = await startTestAs(name, mode, log);
      uri[name] = as[name].uri;
      cleanup.push(() => as[name]!.close());
    }
    const bob = await startEndpoint('bob', 200, log);
    cleanup.push(() => bob.close());
    const h = await startRoutingHarness({ terminatingVia: 'direct', asTimeoutMs: 300 });
    cleanup.push(() => h.close());
    const ifcs = profile(uri);
    h.store.put(
      record({
        impus: ['sip:alice@ims.test'],
        ifcs: ifcs.alice,
        bindings: [binding('sip:alice@127.0.0.1:9')],
      }),
    );
    h.store.put(record({ impus: ['sip:bob@ims.test'], ifcs: ifcs.bob, bindings: [binding(bob.contact)] }));
    const send = () => sendRequest(h.port, message('sip:bob@ims.test', h.serviceRoute, 'sip:alice@ims.test'));
    return { log, as, bob, h, send };
  }

  it('originating ASs by priority, then the terminating ones, each returning by its ODI route', async () => {
    const { log, as, bob, h, send } = await scenario(
      { as1: 'proxy', as2: 'proxy', asTerm: 'proxy', asUnused: 'proxy' },
      (u) => ({
        alice: [
          ifc(20, u.as2!, [method('MESSAGE')]),
          ifc(10, u.as1!, [method('MESSAGE')]),
          ifc(15, u.asUnused!, [method('INVITE')]),
          allOf(5, u.asUnused!, [method('MESSAGE'), sessionCase(SessionCase.TERMINATING_REGISTERED)]),
        ],
        bob: [
          allOf(1, u.asTerm!, [method('MESSAGE'), sessionCase(SessionCase.TERMINATING_REGISTERED)]),
          allOf(2, u.asUnused!, [sessionCase(SessionCase.ORIGINATING_SESSION)]),
        ],
      }),
    );
    const response = await send();
    assert.equal(response?.status, 200);
    assert.deepEqual(log, ['as1', 'as2', 'asTerm', 'bob']);
    assert.equal(
      as.as1!.got[0]!.headers.get('P-Served-User'),
      '<sip:alice@ims.test>;sescase=orig;regstate=reg',
    );
    assert.equal(
      as.asTerm!.got[0]!.headers.get('P-Served-User'),
      '<sip:bob@ims.test>;sescase=term;regstate=reg',
    );
    // What an AS gets: the Request-URI kept, the Route back to the S-CSCF with an ODI.
    const odi = as.as1!.got[0]!.routes;
    assert.equal(as.as1!.got[0]!.uriText, 'sip:bob@ims.test');
    assert.equal(odi.length, 1);
    assert.match(odi[0]!.uriText, new RegExp(`^sip:odi-[\\w-]+@127\\.0\\.0\\.1:${h.port};lr$`));
    assert.notEqual(as.as2!.got[0]!.routes[0]!.uriText, odi[0]!.uriText);
    // The callee's copy: to its contact, P-Called-Party-ID, one icid all along, no P-Served-User.
    const atBob = bob.got[0]!;
    assert.equal(atBob.uriText, bob.contact);
    assert.equal(atBob.headers.get('P-Called-Party-ID'), '<sip:bob@ims.test>');
    assert.equal(atBob.headers.get('P-Charging-Vector'), as.as1!.got[0]!.headers.get('P-Charging-Vector'));
    assert.equal(atBob.headers.has('P-Served-User'), false);
    assert.equal(as.asUnused!.got.length, 0);
    // The S-CSCF saw the request four times: from the UE, back from as1, as2 and asTerm.
    assert.equal(h.seen.length, 4);
  });

  it('SESSION_CONTINUED: a silent AS (after asTimeoutMs) and a failing one are skipped', async () => {
    const { log, send } = await scenario(
      { silent: 'silent', failing: { status: 503 }, ok: 'proxy' },
      (u) => ({
        alice: [
          ifc(1, u.silent!, [method('MESSAGE')], DefaultHandling.SESSION_CONTINUED),
          ifc(2, u.failing!, [method('MESSAGE')], DefaultHandling.SESSION_CONTINUED),
          ifc(3, u.ok!, [method('MESSAGE')], DefaultHandling.SESSION_CONTINUED),
        ],
        bob: [],
      }),
    );
    const started = Date.now();
    const response = await send();
    assert.equal(response?.status, 200);
    assert.deepEqual(log.filter((n) => n !== 'silent').slice(-3), ['failing', 'ok', 'bob']);
    assert.ok(log.includes('silent'));
    assert.ok(Date.now() - started < 3000, 'the silent AS held the session only for asTimeoutMs');
  });

  it('SESSION_TERMINATED: a silent AS ends the session with 408, a failing one with its error', async () => {
    const silent = await scenario({ silent: 'silent' }, (u) => ({
      alice: [ifc(1, u.silent!, [method('MESSAGE')], DefaultHandling.SESSION_TERMINATED)],
      bob: [],
    }));
    assert.equal((await silent.send())?.status, 408);
    assert.equal(silent.bob.got.length, 0);
    const failing = await scenario({ failing: { status: 500 } }, (u) => ({
      alice: [],
      bob: [ifc(1, u.failing!, [method('MESSAGE')], DefaultHandling.SESSION_TERMINATED)],
    }));
    assert.equal((await failing.send())?.status, 500);
    assert.equal(failing.bob.got.length, 0);
    // A 4xx is the AS's own answer whatever the default handling.
    const busy = await scenario({ busy: { status: 486 } }, (u) => ({
      alice: [ifc(1, u.busy!, [method('MESSAGE')], DefaultHandling.SESSION_CONTINUED)],
      bob: [],
    }));
    assert.equal((await busy.send())?.status, 486);
  });
});
