import { expect } from 'chai';
import { MessageType as M, type Dict } from '../../src/protocol/index.js';
import { describeOnEachTransport, useRouterWithRawPeers } from '../helpers/embedded-router.js';

const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));
const isInvocation = (m: unknown[]) => m[0] === M.INVOCATION;
const isInterrupt = (m: unknown[]) => m[0] === M.INTERRUPT;

/** Call canceling (§6.3) with raw peers on both sides: exactly the digest's table. */
describeOnEachTransport('router: call canceling', (transport) => {
  const router = useRouterWithRawPeers({}, transport);
  const join = (roles?: Dict) => router.join(roles ? { roles } : {});
  /** A callee holding one invocation of a progressive call, and its caller. */
  const callInFlight = async (calleeRoles?: Dict) => {
    const callee = await join(calleeRoles);
    const caller = await join();
    await callee.register('com.example.longop');
    const request = caller.call('com.example.longop', [], {}, { receive_progress: true });
    const invocation = await callee.next(isInvocation);
    return { callee, caller, request, invocationId: invocation[1] as number };
  };

  it('skip: no INTERRUPT, the caller gets canceled at once, the late YIELD is dropped', async () => {
    const { callee, caller, request, invocationId } = await callInFlight();
    caller.send([M.CANCEL, request, { mode: 'skip' }]);
    expect(await caller.next()).to.deep.equal([M.ERROR, M.CALL, request, {}, 'wamp.error.canceled']);
    callee.send([M.YIELD, invocationId, { progress: true }, ['late progress']]);
    callee.send([M.YIELD, invocationId, {}, ['late']]);
    await settle();
    expect(callee.pending().filter(isInterrupt)).to.deep.equal([]);
    expect(caller.pending()).to.deep.equal([]);
  });

  it('kill: INTERRUPT kill, and the caller waits for the callee, whose ERROR is the one answer', async () => {
    const { callee, caller, request, invocationId } = await callInFlight();
    caller.send([M.CANCEL, request, { mode: 'kill' }]);
    expect(await callee.next()).to.deep.equal([M.INTERRUPT, invocationId, { mode: 'kill', reason: 'wamp.error.canceled' }]);
    await settle();
    expect(caller.pending(), 'nothing before the callee answers').to.deep.equal([]);
    // Progress the callee still had in flight does not reach a caller that canceled.
    callee.send([M.YIELD, invocationId, { progress: true }, ['in flight']]);
    callee.send([M.ERROR, M.INVOCATION, invocationId, {}, 'wamp.error.canceled']);
    expect(await caller.next()).to.deep.equal([M.ERROR, M.CALL, request, {}, 'wamp.error.canceled']);
    callee.send([M.YIELD, invocationId, {}, ['after the end']]);
    await settle();
    expect(caller.pending()).to.deep.equal([]);
  });

  it('kill: a callee that finished first answers with its RESULT', async () => {
    const { callee, caller, request, invocationId } = await callInFlight();
    caller.send([M.CANCEL, request, { mode: 'kill' }]);
    await callee.next(isInterrupt);
    callee.send([M.YIELD, invocationId, {}, ['finished anyway']]);
    expect(await caller.next()).to.deep.equal([M.RESULT, request, {}, ['finished anyway']]);
    await settle();
    expect(caller.pending()).to.deep.equal([]);
  });

  it('killnowait: INTERRUPT killnowait and the caller gets canceled at once; the callee reply is dropped', async () => {
    const { callee, caller, request, invocationId } = await callInFlight();
    caller.send([M.CANCEL, request, { mode: 'killnowait' }]);
    expect(await caller.next()).to.deep.equal([M.ERROR, M.CALL, request, {}, 'wamp.error.canceled']);
    expect(await callee.next()).to.deep.equal([M.INTERRUPT, invocationId, { mode: 'killnowait', reason: 'wamp.error.canceled' }]);
    callee.send([M.ERROR, M.INVOCATION, invocationId, {}, 'wamp.error.canceled']);
    await settle();
    expect(caller.pending()).to.deep.equal([]);
    expect(callee.isOpen && caller.isOpen).to.equal(true);
  });

  it('treats CANCEL without mode as killnowait (as Crossbar does)', async () => {
    const { callee, caller, request, invocationId } = await callInFlight();
    caller.send([M.CANCEL, request, {}]);
    expect(await caller.next()).to.deep.equal([M.ERROR, M.CALL, request, {}, 'wamp.error.canceled']);
    expect(await callee.next()).to.deep.equal([M.INTERRUPT, invocationId, { mode: 'killnowait', reason: 'wamp.error.canceled' }]);
  });

  for (const mode of ['kill', 'killnowait'] as const) {
    it(`${mode}: falls back to skip for a callee that did not announce call_canceling`, async () => {
      const { callee, caller, request, invocationId } = await callInFlight({ callee: {} });
      caller.send([M.CANCEL, request, { mode }]);
      expect(await caller.next()).to.deep.equal([M.ERROR, M.CALL, request, {}, 'wamp.error.canceled']);
      callee.send([M.YIELD, invocationId, {}, ['late']]);
      await settle();
      expect(callee.pending().filter(isInterrupt)).to.deep.equal([]);
      expect(caller.pending()).to.deep.equal([]);
    });
  }

  it('ignores CANCEL for unknown or finished calls and a second CANCEL', async () => {
    const { callee, caller, request, invocationId } = await callInFlight();
    caller.send([M.CANCEL, 999, { mode: 'kill' }]);
    caller.send([M.CANCEL, request, { mode: 'kill' }]);
    caller.send([M.CANCEL, request, { mode: 'killnowait' }]);
    await callee.next(isInterrupt);
    callee.send([M.ERROR, M.INVOCATION, invocationId, {}, 'wamp.error.canceled']);
    await caller.next();
    caller.send([M.CANCEL, request, { mode: 'skip' }]);
    await settle();
    expect(callee.pending()).to.deep.equal([]);
    expect(caller.pending()).to.deep.equal([]);
    expect(caller.isOpen).to.equal(true);
  });

  it('aborts a CANCEL with an unknown mode', async () => {
    const { caller, request } = await callInFlight();
    caller.send([M.CANCEL, request, { mode: 'later' }]);
    expect((await caller.next((m) => m[0] === M.ABORT))[2]).to.equal('wamp.error.protocol_violation');
  });
});
