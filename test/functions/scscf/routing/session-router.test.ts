/**
 * Routing decisions of the S-CSCF session router (TS 24.229 §5.4.3, TS 23.218 §6) against a
 * Map-based registration store and fake request contexts: no sockets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionRouter } from '../../../../src/functions/scscf/routing/session-router.ts';
import { DefaultHandling, ProfilePartIndicator, SessionCase } from '../../../../src/ims/ifc/model.ts';
import { silentLogger } from '../../../../src/log/logger.ts';
import { createResponse, parseUri, SipRequest } from '../../../../src/sip/message/index.ts';
import type { ProxyTarget, RequestContext, RoutingDecision } from '../../../../src/sip/proxy/proxy-policy.ts';
import type { Registration } from '../../../../src/store/registrations/types.ts';
import {
  allOf,
  binding,
  header,
  ifc,
  invite,
  MapRegistrationStore,
  method,
  record,
  requestContext,
  SELF,
  scscfConfig,
  sessionCase,
} from './fixtures.ts';

const ORIG_ROUTE = '<sip:orig@scscf.ims.test:6060;lr>';
const TERM_ROUTE = '<sip:scscf.ims.test:6060;lr>';

function setup(routing: Record<string, unknown> = {}, unregistered: Record<string, Registration> = {}) {
  const store = new MapRegistrationStore();
  const sars: string[] = [];
  const router = new SessionRouter({
    config: scscfConfig(routing),
    registrations: store,
    logger: silentLogger,
    selfUri: SELF,
    async assignUnregistered(impu) {
      sars.push(impu);
      const r = unregistered[impu];
      return r ? store.put(r) : undefined;
    },
  });
  return { store, router, sars };
}

function forward(d: RoutingDecision): ProxyTarget[] {
  assert.equal(d.action, 'forward', `expected forward, got ${JSON.stringify(d)}`);
  return (d as { targets: ProxyTarget[] }).targets;
}

/** The request as the proxy core would send it to a target (hooks applied). */
function forwarded(router: SessionRouter, ctx: RequestContext, target: ProxyTarget): SipRequest {
  const r = new SipRequest(ctx.request.method, target.uri, ctx.request.headers.clone(), ctx.request.body);
  const rr = router.recordRoute(ctx, target);
  if (rr) r.headers.prepend('Record-Route', rr);
  if (target.routes?.length) r.headers.set('Route', [...target.routes, ...r.headers.values('Route')]);
  router.beforeForward(r, target, ctx);
  return r;
}

/** What an AS proxying the request back sends: the request with its own Route entry removed. */
function backFromAs(sent: SipRequest, change?: (r: SipRequest) => void): RequestContext {
  const r = new SipRequest(sent.method, sent.uri, sent.headers.clone(), sent.body);
  r.headers.shift('Route');
  change?.(r);
  return requestContext(r.toString());
}

const alice = () =>
  record({ impus: ['sip:alice@ims.test', 'tel:+15550001'], bindings: [binding('sip:alice@10.0.0.1:5999')] });

describe('SessionRouter: originating (TS 24.229 §5.4.3.2)', () => {
  it('a request inside a dialog is relayed', async () => {
    const { router } = setup();
    const ctx = requestContext(invite({ to: 'sip:bob@ims.test', toTag: 'x', route: ORIG_ROUTE }));
    assert.deepEqual(await router.route(ctx), { action: 'relay' });
  });

  it('403 without a P-Asserted-Identity, or for one not registered, or barred', async () => {
    const { router, store } = setup();
    store.put(record({ impus: ['sip:carol@ims.test'], state: 'unregistered' }));
    store.put(record({ impus: ['sip:dave@ims.test', 'sip:dave2@ims.test'], barred: ['sip:dave2@ims.test'] }));
    for (const pai of [undefined, 'sip:nobody@ims.test', 'sip:carol@ims.test', 'sip:dave2@ims.test']) {
      const d = await router.route(
        requestContext(invite({ to: 'sip:bob@ims.test', route: ORIG_ROUTE, pai })),
      );
      assert.equal(d.action === 'respond' && d.status, 403, String(pai));
    }
  });

  it('no iFC: to the I-CSCF with the Request-URI kept, a new icid, Record-Route ;orig', async () => {
    const { router, store } = setup();
    store.put(alice());
    const ctx = requestContext(
      invite({ to: 'sip:bob@ims.test', route: ORIG_ROUTE, pai: 'sip:alice@ims.test' }),
    );
    const [t] = forward(await router.route(ctx));
    assert.equal(t!.uri.toString(), 'sip:bob@ims.test');
    assert.deepEqual(t!.routes, ['<sip:icscf.ims.test:4060;lr>']);
    const out = forwarded(router, ctx, t!);
    assert.match(
      out.headers.get('P-Charging-Vector')!,
      /^icid-value=[0-9a-f]+;icid-generated-at=scscf\.ims\.test$/,
    );
    assert.equal(out.headers.get('Record-Route'), '<sip:scscf.ims.test:6060;lr;orig>');
  });

  it('the asserted tel URI of the implicit set serves as well', async () => {
    const { router, store } = setup();
    store.put(alice());
    const ctx = requestContext(invite({ to: 'sip:bob@ims.test', route: ORIG_ROUTE, pai: 'tel:+15550001' }));
    forward(await router.route(ctx));
    // A tel URI asserted alone stays alone.
    assert.deepEqual(ctx.request.headers.values('P-Asserted-Identity'), ['<tel:+15550001>']);
  });

  it("a SIP URI asserted alone gets the user's tel URI as a second P-Asserted-Identity (TS 24.229 §5.4.3.2)", async () => {
    const { router, store } = setup();
    store.put(alice());
    const ctx = requestContext(
      invite({ to: 'sip:bob@ims.test', route: ORIG_ROUTE, pai: 'sip:alice@ims.test' }),
    );
    forward(await router.route(ctx));
    assert.deepEqual(ctx.request.headers.values('P-Asserted-Identity'), [
      '<sip:alice@ims.test>',
      '<tel:+15550001>',
    ]);
    // A user without a number: one identity, as asserted.
    const { router: r2, store: s2 } = setup();
    s2.put(record({ impus: ['sip:carl@ims.test'] }));
    const plain = requestContext(
      invite({ to: 'sip:bob@ims.test', route: ORIG_ROUTE, pai: 'sip:carl@ims.test' }),
    );
    forward(await r2.route(plain));
    assert.deepEqual(plain.request.headers.values('P-Asserted-Identity'), ['<sip:carl@ims.test>']);
  });

  it('iFCs in priority order, each AS returning with the ODI, then the callee', async () => {
    const { router, store } = setup();
    store.put(
      record({
        impus: ['sip:alice@ims.test'],
        ifcs: [
          ifc(20, 'sip:as2.ims.test:5080', [method('INVITE')]),
          ifc(10, 'sip:as1.ims.test:5080', [method('INVITE')]),
          ifc(15, 'sip:never.ims.test', [method('MESSAGE')]),
          // Terminating-only: not for this originating request.
          allOf(5, 'sip:term.ims.test', [method('INVITE'), sessionCase(SessionCase.TERMINATING_REGISTERED)]),
        ],
      }),
    );
    const ctx = requestContext(
      invite({ to: 'sip:bob@ims.test', route: ORIG_ROUTE, pai: 'sip:alice@ims.test' }),
    );
    const [t1] = forward(await router.route(ctx));
    assert.equal(t1!.uri.toString(), 'sip:bob@ims.test');
    assert.equal(t1!.routes![0], '<sip:as1.ims.test:5080;lr>');
    assert.match(t1!.routes![1]!, /^<sip:odi-[A-Za-z0-9_-]{20,}@scscf\.ims\.test:6060;lr>$/);
    assert.equal(t1!.responseTimeout, 4000);
    const toAs1 = forwarded(router, ctx, t1!);
    assert.equal(toAs1.headers.get('P-Served-User'), '<sip:alice@ims.test>;sescase=orig;regstate=reg');
    const icid = toAs1.headers.get('P-Charging-Vector');

    const ctx2 = backFromAs(toAs1);
    assert.equal(ctx2.removedRoutes.length, 1);
    const [t2] = forward(await router.route(ctx2));
    assert.equal(t2!.routes![0], '<sip:as2.ims.test:5080;lr>');
    assert.notEqual(t2!.routes![1], t1!.routes![1]);
    const toAs2 = forwarded(router, ctx2, t2!);
    assert.equal(toAs2.headers.get('P-Charging-Vector'), icid, 'the icid is kept along the chain');

    const [t3] = forward(await router.route(backFromAs(toAs2)));
    assert.deepEqual(t3!.routes, ['<sip:icscf.ims.test:4060;lr>']);
  });

  it('an unknown or forged original dialog identifier is refused', async () => {
    const { router } = setup();
    const d = await router.route(
      requestContext(invite({ to: 'sip:bob@ims.test', route: '<sip:odi-forged@scscf.ims.test:6060;lr>' })),
    );
    assert.equal(d.action === 'respond' && d.status, 403);
  });

  it('header SPT with a regular expression and negation', async () => {
    const { router, store } = setup();
    store.put(
      record({
        impus: ['sip:alice@ims.test'],
        ifcs: [
          allOf(1, 'sip:video.ims.test', [method('INVITE'), header('Accept-Contact', 'video')]),
          allOf(2, 'sip:nopriv.ims.test', [method('INVITE'), header('Privacy', undefined, true)]),
        ],
      }),
    );
    const plain = requestContext(
      invite({ to: 'sip:bob@ims.test', route: ORIG_ROUTE, pai: 'sip:alice@ims.test' }),
    );
    assert.equal(forward(await router.route(plain))[0]!.routes![0], '<sip:nopriv.ims.test;lr>');
    const video = requestContext(
      invite({
        to: 'sip:bob@ims.test',
        route: ORIG_ROUTE,
        pai: 'sip:alice@ims.test',
        extra: 'Accept-Contact: *;video',
      }),
    );
    assert.equal(forward(await router.route(video))[0]!.routes![0], '<sip:video.ims.test;lr>');
    const priv = requestContext(
      invite({ to: 'sip:bob@ims.test', route: ORIG_ROUTE, pai: 'sip:alice@ims.test', extra: 'Privacy: id' }),
    );
    assert.deepEqual(forward(await router.route(priv))[0]!.routes, ['<sip:icscf.ims.test:4060;lr>']);
  });

  it('default handling: SESSION_CONTINUED goes on after 408/5xx, SESSION_TERMINATED and 4xx keep the failure', async () => {
    const { router, store } = setup();
    store.put(
      record({
        impus: ['sip:alice@ims.test'],
        ifcs: [
          ifc(1, 'sip:cont.ims.test', [method('INVITE')], DefaultHandling.SESSION_CONTINUED),
          ifc(2, 'sip:term.ims.test', [method('INVITE')], DefaultHandling.SESSION_TERMINATED),
        ],
      }),
    );
    const ctx = requestContext(
      invite({ to: 'sip:bob@ims.test', route: ORIG_ROUTE, pai: 'sip:alice@ims.test' }),
    );
    const [t1] = forward(await router.route(ctx));
    const r = (status: number) => createResponse(ctx.request, status);
    assert.equal(await router.onBranchFailure(r(486), t1!, ctx), undefined, 'a 4xx is the AS answer');
    const next = await router.onBranchFailure(r(408), t1!, ctx);
    assert.equal(next?.[0]?.routes?.[0], '<sip:term.ims.test;lr>');
    assert.equal(await router.onBranchFailure(r(503), next![0]!, ctx), undefined);
    // A callee branch failing is not an AS failure.
    const callee: ProxyTarget = { uri: ctx.request.uri };
    assert.equal(await router.onBranchFailure(r(500), callee, ctx), undefined);
  });

  it('other domains: relayed by RFC 3263, charging headers removed', async () => {
    const { router, store } = setup();
    store.put(record({ impus: ['sip:alice@ims.test'], charging: { ccf: ['aaa://ccf.ims.test'] } }));
    const ctx = requestContext(
      invite({ to: 'sip:bob@other.test', route: ORIG_ROUTE, pai: 'sip:alice@ims.test' }),
    );
    const [t] = forward(await router.route(ctx));
    assert.equal(t!.uri.toString(), 'sip:bob@other.test');
    assert.equal(t!.routes, undefined);
    assert.equal(ctx.request.headers.get('P-Charging-Function-Addresses'), 'ccf="aaa://ccf.ims.test"');
    const out = forwarded(router, ctx, t!);
    assert.equal(out.headers.has('P-Charging-Vector'), false);
    assert.equal(out.headers.has('P-Charging-Function-Addresses'), false);
  });

  it('numbers: ENUM static table to a SIP URI, else the I-CSCF (or the BGCF) with the Request-URI kept', async () => {
    const { router, store } = setup({ enum: { mode: 'static', table: { '+15550002': 'sip:bob@ims.test' } } });
    store.put(alice());
    const mapped = requestContext(
      invite({ to: 'tel:+1-555-0002', route: ORIG_ROUTE, pai: 'sip:alice@ims.test' }),
    );
    const [t1] = forward(await router.route(mapped));
    assert.equal(t1!.uri.toString(), 'sip:bob@ims.test');
    assert.deepEqual(t1!.routes, ['<sip:icscf.ims.test:4060;lr>']);
    const userPhone = requestContext(
      invite({ to: 'sip:+15550009@ims.test;user=phone', route: ORIG_ROUTE, pai: 'sip:alice@ims.test' }),
    );
    const [t2] = forward(await router.route(userPhone));
    assert.equal(t2!.uri.toString(), 'sip:+15550009@ims.test;user=phone');
    // The home network first: the I-CSCF's LIR knows our subscribers' numbers (TS 23.228 §5.15).
    assert.deepEqual(t2!.routes, ['<sip:icscf.ims.test:4060;lr>']);
    const breakout = setup({ unresolvedNumbers: 'bgcf' });
    breakout.store.put(alice());
    const direct = requestContext(
      invite({ to: 'tel:+15550009', route: ORIG_ROUTE, pai: 'sip:alice@ims.test' }),
    );
    const [t3] = forward(await breakout.router.route(direct));
    assert.equal(t3!.uri.toString(), 'tel:+15550009');
    assert.deepEqual(t3!.routes, ['<sip:bgcf.ims.test:7060;lr>']);
  });
});

describe('SessionRouter: terminating (TS 24.229 §5.4.3.3)', () => {
  const bob = (extra: Partial<Parameters<typeof record>[0]> = {}) =>
    record({
      impus: ['sip:bob@ims.test'],
      bindings: [
        binding('sip:bob@10.0.0.2:5999', ['<sip:pcscf.ims.test:5060;lr>']),
        binding('sip:bob@10.0.0.3:5999;transport=tcp', ['<sip:pcscf.ims.test:5060;lr>']),
        binding('sip:bob@10.0.0.4:5999', [], -1000),
      ],
      ...extra,
    });

  it('registered callee: every live contact in parallel through its Path, P-Called-Party-ID, Record-Route ;term', async () => {
    const { router, store } = setup();
    store.put(bob());
    const ctx = requestContext(invite({ to: 'sip:bob@ims.test', route: TERM_ROUTE }));
    const d = await router.route(ctx);
    const targets = forward(d);
    assert.equal((d as { forking?: string }).forking, 'parallel');
    assert.deepEqual(
      targets.map((t) => [t.uri.toString(), t.routes]),
      [
        ['sip:bob@10.0.0.2:5999', ['<sip:pcscf.ims.test:5060;lr>']],
        ['sip:bob@10.0.0.3:5999;transport=tcp', ['<sip:pcscf.ims.test:5060;lr>']],
      ],
    );
    const out = forwarded(router, ctx, targets[0]!);
    assert.equal(out.headers.get('P-Called-Party-ID'), '<sip:bob@ims.test>');
    assert.equal(out.headers.get('Record-Route'), '<sip:scscf.ims.test:6060;lr;term>');
    assert.ok(out.headers.has('P-Charging-Vector'));
  });

  it('terminating iFCs (registered case) run before the contacts, with regstate=reg', async () => {
    const { router, store } = setup();
    store.put(
      bob({
        ifcs: [
          allOf(1, 'sip:origonly.ims.test', [sessionCase(SessionCase.ORIGINATING_SESSION)]),
          allOf(2, 'sip:mmtel.ims.test', [sessionCase(SessionCase.TERMINATING_REGISTERED)]),
          allOf(3, 'sip:unreg.ims.test', [sessionCase(SessionCase.TERMINATING_UNREGISTERED)]),
        ],
      }),
    );
    const ctx = requestContext(invite({ to: 'sip:bob@ims.test', route: TERM_ROUTE }));
    const [t] = forward(await router.route(ctx));
    assert.equal(t!.routes![0], '<sip:mmtel.ims.test;lr>');
    const toAs = forwarded(router, ctx, t!);
    assert.equal(toAs.headers.get('P-Served-User'), '<sip:bob@ims.test>;sescase=term;regstate=reg');
    const targets = forward(await router.route(backFromAs(toAs)));
    assert.equal(targets.length, 2);
    const toUe = forwarded(router, ctx, targets[0]!);
    assert.equal(toUe.headers.has('P-Served-User'), false);
  });

  it('an AS that retargets the request runs the originating-CDIV iFCs, then routes to the new target', async () => {
    const { router, store } = setup();
    store.put(
      bob({
        ifcs: [
          allOf(1, 'sip:cdiv.ims.test', [sessionCase(SessionCase.TERMINATING_REGISTERED)]),
          allOf(2, 'sip:divlog.ims.test', [sessionCase(SessionCase.ORIGINATING_CDIV)]),
        ],
      }),
    );
    const ctx = requestContext(invite({ to: 'sip:bob@ims.test', route: TERM_ROUTE }));
    const toAs = forwarded(router, ctx, forward(await router.route(ctx))[0]!);
    const diverted = backFromAs(toAs, (r) => {
      r.uri = parseUri('sip:carol@other.test');
    });
    const [t] = forward(await router.route(diverted));
    assert.equal(t!.routes![0], '<sip:divlog.ims.test;lr>');
    const toLog = forwarded(router, diverted, t!);
    assert.equal(toLog.headers.get('P-Served-User'), '<sip:bob@ims.test>;sescase=orig;regstate=reg');
    const [final] = forward(await router.route(backFromAs(toLog)));
    assert.equal(final!.uri.toString(), 'sip:carol@other.test');
  });

  it('unregistered callee: its unregistered services (SAR), else 480; unknown users 404', async () => {
    const carol = record({
      impus: ['sip:carol@ims.test'],
      state: 'unregistered',
      ifcs: [
        {
          ...allOf(1, 'sip:voicemail.ims.test', [sessionCase(SessionCase.TERMINATING_UNREGISTERED)]),
          profilePartIndicator: ProfilePartIndicator.UNREGISTERED,
        },
      ],
    });
    const dave = record({ impus: ['sip:dave@ims.test'], state: 'unregistered' });
    const { router, sars } = setup({}, { 'sip:carol@ims.test': carol, 'sip:dave@ims.test': dave });
    const c = requestContext(invite({ to: 'sip:carol@ims.test', route: TERM_ROUTE }));
    const [t] = forward(await router.route(c));
    assert.equal(t!.routes![0], '<sip:voicemail.ims.test;lr>');
    assert.equal(
      forwarded(router, c, t!).headers.get('P-Served-User'),
      '<sip:carol@ims.test>;sescase=term;regstate=unreg',
    );
    const d = await router.route(requestContext(invite({ to: 'sip:dave@ims.test', route: TERM_ROUTE })));
    assert.deepEqual([d.action, d.action === 'respond' && d.status], ['respond', 480]);
    const e = await router.route(requestContext(invite({ to: 'sip:nobody@ims.test', route: TERM_ROUTE })));
    assert.equal(e.action === 'respond' && e.status, 404);
    assert.deepEqual(sars, ['sip:carol@ims.test', 'sip:dave@ims.test', 'sip:nobody@ims.test']);
    const f = await router.route(requestContext(invite({ to: 'sip:x@else.test', route: TERM_ROUTE })));
    assert.equal(f.action === 'respond' && f.status, 403);
  });

  it("'direct': a callee registered here is served at once after the originating services", async () => {
    const { router, store } = setup({ terminatingVia: 'direct' });
    store.put(alice());
    store.put(bob());
    const ctx = requestContext(
      invite({ to: 'sip:bob@ims.test', route: ORIG_ROUTE, pai: 'sip:alice@ims.test' }),
    );
    const targets = forward(await router.route(ctx));
    assert.equal(targets.length, 2);
    assert.equal(
      forwarded(router, ctx, targets[0]!).headers.get('Record-Route'),
      '<sip:scscf.ims.test:6060;lr;term>',
    );
    // Not here: through the I-CSCF as usual.
    const other = requestContext(
      invite({ to: 'sip:zed@ims.test', route: ORIG_ROUTE, pai: 'sip:alice@ims.test' }),
    );
    assert.deepEqual(forward(await router.route(other))[0]!.routes, ['<sip:icscf.ims.test:4060;lr>']);
  });

  it('responses of the terminating leg get the callee charging function addresses', async () => {
    const { router, store } = setup();
    store.put(bob({ charging: { ccf: ['ccf1.ims.test'], ecf: ['ecf1.ims.test'] } }));
    const ctx = requestContext(invite({ to: 'sip:bob@ims.test', route: TERM_ROUTE }));
    forward(await router.route(ctx));
    const ok = createResponse(ctx.request, 200);
    router.beforeResponse(ok, ctx);
    assert.equal(ok.headers.get('P-Charging-Function-Addresses'), 'ccf=ccf1.ims.test;ecf=ecf1.ims.test');
  });
});
