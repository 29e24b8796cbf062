import type { Logger } from '../../log/logger.ts';
import { createResponse, type SipResponse } from '../message/index.ts';
import type {
  ClientTransaction,
  ClientTransactionUser,
  TimerHandle,
  TimerService,
  TransactionLayer,
} from '../transaction/index.ts';
import type { Destination, TransportError } from '../transport/types.ts';
import { aggregateChallenges, chooseBestResponse } from './best-response.ts';
import { createCancel } from './cancel.ts';
import type { Forwarder, NextHopResolver, PreparedRequest } from './forwarder.ts';
import type { ProxyPolicy, ProxyTarget, RequestContext } from './proxy-policy.ts';

export interface ResponseContextDeps {
  layer: Pick<TransactionLayer, 'sendRequest'>;
  forwarder: Forwarder;
  resolve: NextHopResolver;
  policy: ProxyPolicy;
  timers: TimerService;
  /** RFC 3261 §16.6 step 11: Timer C, "greater than 3 minutes". */
  timerC: number;
  /** How long to wait for the final response after a CANCEL sent on Timer C (64*T1). */
  cancelGuard: number;
  loopHash: string;
  logger: Logger;
  /** Called once every branch is done and the final response went upstream. */
  onFinished(context: ResponseContext): void;
}

/** One client transaction (or attempt at one) of the response context: RFC 3261 §16.6. */
interface Branch {
  readonly target: ProxyTarget;
  prepared?: PreparedRequest;
  destinations: Destination[];
  attempt: number;
  transaction?: ClientTransaction;
  /** A provisional response arrived: a CANCEL may be sent (§9.1). */
  provisional: boolean;
  /** A CANCEL is wanted but waits for the first provisional response (§9.1). */
  cancelWanted: boolean;
  done: boolean;
  timerC?: TimerHandle;
  /** The target's `responseTimeout`, running until the first response. */
  timerResponse?: TimerHandle;
}

/** CANCEL transactions only need to exist; their answers change nothing (§16.10). */
const ignoreCancelOutcome: ClientTransactionUser = {
  onResponse() {},
  onTimeout() {},
  onTransportError() {},
};

/**
 * The response context of one request a stateful proxy forwards (RFC 3261 §16.7): the
 * branches, the responses they bring back, the choice of the final response, CANCELs, Timer C.
 */
export class ResponseContext implements ClientTransactionUser {
  private readonly branches: Branch[] = [];
  private readonly byTransaction = new Map<ClientTransaction, Branch>();
  private queue: ProxyTarget[] = [];
  private readonly finals: SipResponse[] = [];
  /** A final response (for INVITE: a 2xx or the chosen one) went upstream. */
  private finalSent = false;
  private cancelled = false;
  private finished = false;
  /** Failed branches whose `onBranchFailure` answer is awaited. */
  private pendingRetargets = 0;
  private readonly isInvite: boolean;

  constructor(
    readonly context: RequestContext,
    private readonly deps: ResponseContextDeps,
  ) {
    this.isInvite = context.request.method === 'INVITE';
  }

  /** RFC 3261 §16.6: forward to the targets, in parallel or one at a time by q (§16.6, §16.7 step 8). */
  start(targets: ProxyTarget[], forking: 'parallel' | 'sequential' = 'parallel'): void {
    const ordered = targets
      .map((t, i) => ({ t, i }))
      .sort((a, b) => (b.t.q ?? 1) - (a.t.q ?? 1) || a.i - b.i)
      .map((x) => x.t);
    if (ordered.length === 0) {
      this.finishWith(createResponse(this.context.request, 480));
      return;
    }
    if (forking === 'sequential') {
      this.queue = ordered.slice(1);
      void this.startBranch(ordered[0]!);
    } else {
      for (const t of ordered) void this.startBranch(t);
    }
  }

  /** Clears every branch's Timer C and sends nothing more (shutdown: the proxy's dispose()). */
  dispose(): void {
    this.finished = true;
    this.queue = [];
    for (const b of this.branches) {
      b.done = true;
      this.clearTimerC(b);
    }
  }

  /** RFC 3261 §16.10: a CANCEL for the request: cancel every pending branch. */
  cancel(): void {
    this.cancelled = true;
    this.queue = [];
    for (const b of this.branches) this.cancelBranch(b);
    this.maybeFinish();
  }

  private async startBranch(target: ProxyTarget): Promise<void> {
    const branch: Branch = {
      target,
      destinations: [],
      attempt: 0,
      provisional: false,
      cancelWanted: false,
      done: false,
    };
    this.branches.push(branch);
    try {
      branch.prepared = this.deps.forwarder.prepare(this.context, target);
      branch.destinations = target.destination
        ? [target.destination]
        : await this.deps.resolve(branch.prepared.nextHop);
    } catch (err) {
      this.deps.logger.info({ err: String(err), target: target.uri.toString() }, 'no next hop for target');
      this.branchFinal(
        branch,
        createResponse(this.context.request, 503, { reason: 'Next Hop Unresolvable' }),
      );
      return;
    }
    if (this.cancelled || (this.finalSent && this.isInvite)) {
      branch.done = true;
      this.maybeFinish();
      return;
    }
    this.attempt(branch);
  }

  /** Sends the branch's request to its next destination (RFC 3263 §4.3: in order, on failure). */
  private attempt(branch: Branch): void {
    const destination = branch.destinations[branch.attempt];
    if (!destination || !branch.prepared) {
      this.branchFinal(branch, createResponse(this.context.request, 503));
      return;
    }
    const request = this.deps.forwarder.withVia(branch.prepared, destination, this.deps.loopHash);
    let transaction: ClientTransaction;
    try {
      transaction = this.deps.layer.sendRequest(request, destination, this);
    } catch (err) {
      this.deps.logger.warn({ err: String(err) }, 'cannot start client transaction');
      this.branchFinal(branch, createResponse(this.context.request, 500));
      return;
    }
    branch.transaction = transaction;
    this.byTransaction.set(transaction, branch);
    if (this.isInvite) this.startTimerC(branch);
    const wait = branch.target.responseTimeout;
    if (wait !== undefined)
      branch.timerResponse = this.deps.timers.setTimeout(() => {
        branch.timerResponse = undefined;
        this.branchFinal(branch, createResponse(this.context.request, 408));
      }, wait);
  }

  onResponse(response: SipResponse, transaction: ClientTransaction): void {
    const branch = this.byTransaction.get(transaction);
    if (!branch) return;
    this.clearTimerResponse(branch);
    // RFC 3261 §16.7 step 3: the proxy removes the topmost Via (its own).
    response.headers.shift('Via');
    const status = response.status;
    if (!response.headers.has('Via')) {
      // §16.7 step 3: with no Via left it "MUST NOT be forwarded". A final non-2xx still ends
      // the branch (its client transaction is over): the branch takes a response of our own
      // with that status, so Timer C stops and no CANCEL follows (§9.1: none after a final one).
      if (status >= 300) {
        this.deps.logger.info({ status }, 'final response without a Via for upstream; answered in its place');
        this.clearTimerC(branch);
        this.branchFinal(branch, createResponse(this.context.request, status, { reason: response.reason }));
      }
      return;
    }
    if (status < 200) {
      branch.provisional = true;
      if (branch.done) return;
      // §16.7 step 2: "if the response is a provisional response with status codes 101 to 199
      // inclusive (i.e., anything but 100), the proxy MUST reset timer C".
      if (this.isInvite && status > 100) this.startTimerC(branch);
      if (branch.cancelWanted) this.sendCancel(branch);
      // §16.7 step 5: forward provisional responses other than 100 at once.
      if (status > 100 && !this.finalSent) this.sendUpstream(response);
      return;
    }
    this.clearTimerC(branch);
    if (status < 300 && this.isInvite) {
      // §16.7 step 5: every 2xx to an INVITE is forwarded at once (RFC 6026 §7.3 later ones too),
      // and §16.7 step 10 cancels the other branches.
      branch.done = true;
      this.finalSent = true;
      this.sendUpstream(response);
      for (const b of this.branches) if (b !== branch) this.cancelBranch(b);
      this.queue = [];
      this.maybeFinish();
      return;
    }
    this.branchFinal(branch, response);
  }

  onTimeout(transaction: ClientTransaction): void {
    const branch = this.byTransaction.get(transaction);
    // RFC 3263 §4.3: a timeout counts as a failure of that next hop: try the next one.
    if (branch && !branch.done && !branch.provisional && this.retry(branch)) return;
    // RFC 3261 §16.7 step 1... §16.8: behave as if a 408 had been received.
    if (branch) this.branchFinal(branch, createResponse(this.context.request, 408));
  }

  onTransportError(error: TransportError, transaction: ClientTransaction): void {
    const branch = this.byTransaction.get(transaction);
    this.deps.logger.info({ code: error.code, err: error.message }, 'transport error on a branch');
    if (branch && !branch.done && this.retry(branch)) return;
    // RFC 3261 §16.9: "the proxy MUST behave as if the forwarded request received a 503".
    if (branch) this.branchFinal(branch, createResponse(this.context.request, 503));
  }

  private retry(branch: Branch): boolean {
    if (this.cancelled || branch.attempt + 1 >= branch.destinations.length) return false;
    this.clearTimerC(branch);
    branch.attempt++;
    this.attempt(branch);
    return true;
  }

  /** A branch's final non-2xx (received or made up): store it, go on, maybe finish (§16.7 steps 4-6). */
  private branchFinal(branch: Branch, response: SipResponse): void {
    if (branch.done) return;
    branch.done = true;
    this.clearTimerC(branch);
    if (response.status < 300) {
      // A 2xx to a non-INVITE: the final response, at once.
      if (!this.finalSent) this.finishWith(response);
      return;
    }
    const retarget = this.deps.policy.onBranchFailure;
    if (retarget && response.status < 600 && !this.cancelled && !this.finalSent) {
      this.pendingRetargets++;
      Promise.resolve()
        .then(() => retarget.call(this.deps.policy, response, branch.target, this.context))
        .then(
          (targets) => this.afterRetarget(response, targets),
          (err: unknown) => {
            this.deps.logger.warn({ err: String(err) }, 'onBranchFailure failed');
            this.afterRetarget(response, undefined);
          },
        );
      return;
    }
    this.recordFailure(response);
  }

  /** RFC 3261 §16.7 step 4 ("the proxy MAY add targets"): the policy's new targets replace a failed branch. */
  private afterRetarget(response: SipResponse, targets: ProxyTarget[] | undefined): void {
    this.pendingRetargets--;
    if (targets && targets.length > 0 && !this.cancelled && !this.finalSent && !this.finished) {
      for (const t of targets) void this.startBranch(t);
      return;
    }
    this.recordFailure(response);
  }

  private recordFailure(response: SipResponse): void {
    this.finals.push(response);
    if (response.status >= 600) {
      // §16.7 step 5: on a 6xx, cancel every pending branch; no more targets.
      this.queue = [];
      for (const b of this.branches) this.cancelBranch(b);
    } else if (this.queue.length > 0 && !this.cancelled && !this.finalSent) {
      void this.startBranch(this.queue.shift()!);
      return;
    }
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (
      this.finished ||
      this.pendingRetargets > 0 ||
      this.queue.length > 0 ||
      this.branches.some((b) => !b.done)
    )
      return;
    if (!this.finalSent) {
      // §16.7 step 6: the best response; none at all counts as a timeout.
      const best =
        chooseBestResponse(this.finals) ?? createResponse(this.context.request, this.cancelled ? 487 : 408);
      aggregateChallenges(best, this.finals);
      // §16.7 step 6: "If a 503 ... is selected, the proxy SHOULD generate a 500 ... instead".
      // The phrase says why when it was ours (no next hop: DNS found no server, none answered).
      this.finishWith(
        best.status === 503
          ? createResponse(
              this.context.request,
              500,
              best.reason === 'Service Unavailable' ? {} : { reason: best.reason },
            )
          : best,
      );
      return;
    }
    this.finished = true;
    this.deps.onFinished(this);
  }

  private finishWith(response: SipResponse): void {
    this.finalSent = true;
    this.sendUpstream(response);
    for (const b of this.branches) {
      b.done = true;
      this.clearTimerC(b);
    }
    this.finished = true;
    this.deps.onFinished(this);
  }

  private sendUpstream(response: SipResponse): void {
    this.deps.policy.beforeResponse?.(response, this.context);
    this.context.transaction.respond(response);
    if (response.status >= 200) this.deps.policy.onFinalResponse?.(response, this.context);
  }

  /** §16.10 / §9.1: CANCEL a pending branch now, or once it has a provisional response. */
  private cancelBranch(branch: Branch): void {
    if (branch.done) return;
    if (!branch.transaction) {
      branch.done = true;
      return;
    }
    if (!this.isInvite) return;
    if (branch.provisional) this.sendCancel(branch);
    else branch.cancelWanted = true;
  }

  private sendCancel(branch: Branch): void {
    const tx = branch.transaction;
    if (!tx || branch.done) return;
    branch.cancelWanted = false;
    const destination = { ...tx.destination, protocol: tx.flow?.protocol ?? tx.destination.protocol };
    try {
      this.deps.layer.sendRequest(createCancel(tx.request), destination, ignoreCancelOutcome);
    } catch (err) {
      this.deps.logger.debug({ err: String(err) }, 'CANCEL already sent for this branch');
    }
  }

  private startTimerC(branch: Branch): void {
    this.clearTimerC(branch);
    branch.timerC = this.deps.timers.setTimeout(() => this.timerCFired(branch), this.deps.timerC);
  }

  private clearTimerC(branch: Branch): void {
    if (branch.timerC !== undefined) this.deps.timers.clearTimeout(branch.timerC);
    branch.timerC = undefined;
    this.clearTimerResponse(branch);
  }

  private clearTimerResponse(branch: Branch): void {
    if (branch.timerResponse !== undefined) this.deps.timers.clearTimeout(branch.timerResponse);
    branch.timerResponse = undefined;
  }

  /**
   * RFC 3261 §16.8: on Timer C, a branch with a provisional response is CANCELled; one without
   * behaves as if it had received a 408.
   */
  private timerCFired(branch: Branch): void {
    branch.timerC = undefined;
    if (branch.done) return;
    if (!branch.provisional) {
      this.branchFinal(branch, createResponse(this.context.request, 408));
      return;
    }
    this.sendCancel(branch);
    // Give the downstream element time to answer the CANCEL with a final response.
    branch.timerC = this.deps.timers.setTimeout(() => {
      branch.timerC = undefined;
      this.branchFinal(branch, createResponse(this.context.request, 408));
    }, this.deps.cancelGuard);
  }
}
