import { expect } from 'chai';
import { MessageType as M, type Dict } from '../../src/protocol/index.js';
import { describeOnEachTransport, useRouterWithRawPeers } from '../helpers/embedded-router.js';

const settle = (ms = 50) => new Promise((resolve) => setTimeout(resolve, ms));
const isInvocation = (m: unknown[]) => m[0] === M.INVOCATION;

/** Progressive call invocations (§6.2) and the request-id watermark, with raw peers. */
describeOnEachTransport('router: progressive call invocations', (transport) => {
  const router = useRouterWithRawPeers({}, transport);
  const join = (roles?: Dict) => router.join(roles ? { roles } : {});

  it("forwards every chunk under one INVOCATION id and accepts the spec's example id sequence", async () => {
    const callee = await join();
    const caller = await join();
    await callee.register('com.example.foo');
    await callee.register('com.example.bar');
    // The example of §6.2: [48,1,{progress}], [48,2,{}], [48,1,{}] is legal. (Ids 1 and 2 follow
    // the caller's own id counter; this caller has not sent anything before.)
    caller.send([M.CALL, 1, { progress: true, disclose_me: true }, 'com.example.foo', ['chunk 1']]);
    const first = await callee.next(isInvocation);
    expect(first[3]).to.deep.include({ progress: true, caller: caller.sessionId });
    caller.send([M.CALL, 2, {}, 'com.example.bar', ['other call']]);
    const other = await callee.next(isInvocation);
    expect(other[1]).to.not.equal(first[1]);
    caller.send([M.CALL, 1, { progress: true }, 'com.example.foo', ['chunk 2']]);
    caller.send([M.CALL, 1, {}, 'com.example.foo', ['last chunk']]);
    const second = await callee.next(isInvocation);
    const last = await callee.next(isInvocation);
    expect(second).to.deep.equal([
      M.INVOCATION,
      first[1],
      first[2],
      { progress: true, caller: caller.sessionId, caller_authid: `anonymous-${caller.sessionId}`, caller_authrole: 'anonymous' },
      ['chunk 2'],
    ]);
    expect(last[1]).to.equal(first[1]);
    expect(last[3]).to.not.have.property('progress');
    expect(last[4]).to.deep.equal(['last chunk']);
    callee.send([M.YIELD, first[1], {}, ['got 3 chunks']]);
    expect(await caller.callOutcome(1)).to.deep.equal([M.RESULT, 1, {}, ['got 3 chunks']]);
    // The callee may end a call while the caller is still streaming: later chunks are dropped silently.
    caller.send([M.CALL, 3, { progress: true }, 'com.example.foo', ['start']]);
    const third = await callee.next(isInvocation);
    callee.send([M.YIELD, third[1], {}, ['enough']]);
    expect(await caller.callOutcome(3)).to.deep.equal([M.RESULT, 3, {}, ['enough']]);
    caller.send([M.CALL, 3, { progress: true }, 'com.example.foo', ['too late']]);
    caller.send([M.CALL, 3, {}, 'com.example.foo', ['too late']]);
    await settle();
    expect(callee.pending().filter(isInvocation)).to.deep.equal([]);
    expect(caller.isOpen).to.equal(true);
  });

  it('sends all chunks to the callee chosen for the first one (sticky), under round robin', async () => {
    const callees = [await join(), await join()];
    for (const callee of callees) await callee.register('com.example.upload', { invoke: 'roundrobin' });
    const caller = await join();
    caller.send([M.CALL, 1, { progress: true }, 'com.example.upload', [1]]);
    const chosen = await Promise.race(callees.map((callee, index) => callee.next(isInvocation).then(() => index)));
    caller.send([M.CALL, 1, { progress: true }, 'com.example.upload', [2]]);
    caller.send([M.CALL, 1, {}, 'com.example.upload', [3]]);
    await callees[chosen]!.next(isInvocation);
    await callees[chosen]!.next(isInvocation);
    await settle();
    expect(callees[1 - chosen]!.pending().filter(isInvocation)).to.deep.equal([]);
  });

  it('aborts a gap in new ids, and a reused id of a call that is not progressive', async () => {
    const callee = await join();
    await callee.register('com.example.p');
    const gap = await join();
    gap.send([M.CALL, 1, { progress: true }, 'com.example.p']);
    gap.send([M.CALL, 3, {}, 'com.example.p']);
    expect((await gap.next((m) => m[0] === M.ABORT))[2]).to.equal('wamp.error.protocol_violation');
    const reuse = await join();
    reuse.send([M.CALL, 1, {}, 'com.example.p']);
    reuse.send([M.CALL, 1, {}, 'com.example.p']);
    expect((await reuse.next((m) => m[0] === M.ABORT))[2]).to.equal('wamp.error.protocol_violation');
    const quickCallee = await join();
    await quickCallee.register('com.example.quick');
    const unknown = await join();
    unknown.send([M.CALL, 1, {}, 'com.example.quick']);
    const invocation = await quickCallee.next(isInvocation);
    quickCallee.send([M.YIELD, invocation[1], {}]);
    await unknown.callOutcome(1);
    // Id 1 was a finished non-progressive call: reusing it is out of sequence.
    unknown.send([M.CALL, 1, {}, 'com.example.quick']);
    expect((await unknown.next((m) => m[0] === M.ABORT))[2]).to.equal('wamp.error.protocol_violation');
  });

  it('aborts a continuation that changes the procedure', async () => {
    const callee = await join();
    await callee.register('com.example.a');
    const caller = await join();
    caller.send([M.CALL, 1, { progress: true }, 'com.example.a']);
    await callee.next(isInvocation);
    caller.send([M.CALL, 1, {}, 'com.example.b']);
    expect((await caller.next((m) => m[0] === M.ABORT))[2]).to.equal('wamp.error.protocol_violation');
  });

  it('drops quietly the later chunks of a streamed call it refused at its first chunk', async () => {
    // Before: the refused call was not remembered, so its next chunk was "out of sequence" and
    // the caller's session was aborted (found by spec/model: callStream$ to nobody).
    const callee = await join();
    await callee.register('com.example.there');
    const caller = await join();
    caller.send([M.CALL, 1, { progress: true }, 'com.example.nobody', ['chunk 1']]);
    caller.send([M.CALL, 1, { progress: true }, 'com.example.nobody', ['chunk 2']]);
    caller.send([M.CALL, 1, {}, 'com.example.nobody', ['last']]);
    caller.send([M.CALL, 2, {}, 'com.example.there', ['after']]);
    expect((await caller.callOutcome(1))[4]).to.equal('wamp.error.no_such_procedure');
    const invocation = await callee.next(isInvocation);
    expect(invocation[4]).to.deep.equal(['after']);
    callee.send([M.YIELD, invocation[1], {}, ['fine']]);
    expect(await caller.callOutcome(2)).to.deep.equal([M.RESULT, 2, {}, ['fine']]);
    expect(caller.isOpen).to.equal(true);
  });

  it('answers feature_not_supported when the callee cannot take progressive invocations', async () => {
    const callee = await join({ callee: { features: { call_canceling: true } } });
    await callee.register('com.example.nochunks');
    const caller = await join();
    caller.send([M.CALL, 1, { progress: true }, 'com.example.nochunks', ['x']]);
    expect((await caller.callOutcome(1))[4]).to.equal('wamp.error.feature_not_supported');
  });

  it('runs full duplex: progressive results while chunks are still coming', async () => {
    const callee = await join();
    await callee.register('com.example.echo');
    const caller = await join();
    caller.send([M.CALL, 1, { progress: true, receive_progress: true }, 'com.example.echo', ['a']]);
    const first = await callee.next(isInvocation);
    callee.send([M.YIELD, first[1], { progress: true }, ['A']]);
    expect(await caller.next()).to.deep.equal([M.RESULT, 1, { progress: true }, ['A']]);
    caller.send([M.CALL, 1, {}, 'com.example.echo', ['b']]);
    expect((await callee.next(isInvocation))[3]).to.deep.equal({ receive_progress: true });
    callee.send([M.YIELD, first[1], {}, ['B']]);
    expect(await caller.next()).to.deep.equal([M.RESULT, 1, {}, ['B']]);
  });
});
