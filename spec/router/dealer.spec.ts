import { expect } from 'chai';
import { MessageType as M, type Dict } from '../../src/protocol/index.js';
import { describeOnEachTransport, useRouterWithRawPeers } from '../helpers/embedded-router.js';

const settle = (ms = 40) => new Promise((resolve) => setTimeout(resolve, ms));
const isInvocation = (m: unknown[]) => m[0] === M.INVOCATION;

describeOnEachTransport('router: dealer', (transport) => {
  const router = useRouterWithRawPeers({}, transport);
  const join = (options: { roles?: Dict } = {}) => router.join(options);

  it('routes CALL → INVOCATION → YIELD → RESULT with args and kwargs intact', async () => {
    const [callee, caller] = [await join(), await join()];
    const registration = await callee.register('com.example.add');
    const request = caller.call('com.example.add', [2, 3], { tag: 'x' });
    const invocation = await callee.next(isInvocation);
    expect(invocation.slice(2)).to.deep.equal([registration, {}, [2, 3], { tag: 'x' }]);
    callee.send([M.YIELD, invocation[1], {}, [5], { nested: { list: [1, null, 'z'] } }]);
    expect(await caller.callOutcome(request)).to.deep.equal([M.RESULT, request, {}, [5], { nested: { list: [1, null, 'z'] } }]);
  });

  it('passes a callee ERROR through with its URI, args and kwargs', async () => {
    const [callee, caller] = [await join(), await join()];
    await callee.register('com.example.fail');
    const request = caller.call('com.example.fail');
    const invocation = await callee.next(isInvocation);
    callee.send([M.ERROR, M.INVOCATION, invocation[1], {}, 'com.example.error.bad_input', ['why'], { field: 'n' }]);
    expect(await caller.callOutcome(request)).to.deep.equal([M.ERROR, M.CALL, request, {}, 'com.example.error.bad_input', ['why'], { field: 'n' }]);
  });

  it('answers no_such_procedure, invalid_uri, procedure_already_exists and no_such_registration', async () => {
    const [callee, other, caller] = [await join(), await join(), await join()];
    expect((await caller.callOutcome(caller.call('com.example.none')))[4]).to.equal('wamp.error.no_such_procedure');
    expect((await caller.callOutcome(caller.call('com..bad')))[4]).to.equal('wamp.error.invalid_uri');
    const registration = await callee.register('com.example.once');
    await other.register('com.example.once').then(
      () => expect.fail('registered twice'),
      (error: Error) =>
        expect(error.message).to.contain('"message":"\\"com.example.once\\" is already registered (invoke single)"},"wamp.error.procedure_already_exists"'),
    );
    await other.register('wamp.session.count').then(
      () => expect.fail('registered in wamp.*'),
      (error: Error) => expect(error.message).to.contain('invalid_uri'),
    );
    // Someone else's registration cannot be removed.
    const foreign = other.nextRequestId();
    other.send([M.UNREGISTER, foreign, registration]);
    expect(await other.next((m) => m[2] === foreign)).to.deep.equal([M.ERROR, M.UNREGISTER, foreign, {}, 'wamp.error.no_such_registration']);
    const own = callee.nextRequestId();
    callee.send([M.UNREGISTER, own, registration]);
    expect(await callee.next((m) => m[1] === own)).to.deep.equal([M.UNREGISTERED, own]);
    expect((await caller.callOutcome(caller.call('com.example.once')))[4]).to.equal('wamp.error.no_such_procedure');
  });

  it('chooses exact over the longest prefix over the best wildcard, and names the called URI', async () => {
    const callee = await join();
    const caller = await join();
    const regs = {
      exact: await callee.register('a1.b2.c3.d4'),
      prefixShort: await callee.register('a1.b2', { match: 'prefix' }),
      prefixLong: await callee.register('a1.b2.c3', { match: 'prefix' }),
      wildcardEarly: await callee.register('x1.x2..x4..x6.x7', { match: 'wildcard' }),
      wildcardLate: await callee.register('x1.x2..x4.x5..x7', { match: 'wildcard' }),
    };
    const routedTo = async (procedure: string) => {
      const request = caller.call(procedure);
      const invocation = await callee.next(isInvocation);
      callee.send([M.YIELD, invocation[1], {}]);
      await caller.callOutcome(request);
      return { registration: invocation[2], details: invocation[3] as Dict };
    };
    expect((await routedTo('a1.b2.c3.d4')).registration).to.equal(regs.exact);
    const prefixed = await routedTo('a1.b2.c3.d4.e5');
    expect(prefixed.registration).to.equal(regs.prefixLong);
    expect(prefixed.details['procedure']).to.equal('a1.b2.c3.d4.e5');
    expect((await routedTo('a1.b2-other')).registration).to.equal(regs.prefixShort);
    // Both wildcards match; the one with the longer second literal run wins (§6.6).
    const wild = await routedTo('x1.x2.any.x4.x5.any.x7');
    expect(wild.registration).to.equal(regs.wildcardLate);
    expect(wild.details['procedure']).to.equal('x1.x2.any.x4.x5.any.x7');
    expect((await routedTo('x1.x2.any.x4.other.x6.x7')).registration).to.equal(regs.wildcardEarly);
    expect((await caller.callOutcome(caller.call('x1.x2.any.x4.x5.any')))[4]).to.equal('wamp.error.no_such_procedure');
  });

  it('rotates a shared roundrobin registration across three callees, and refuses a different policy', async () => {
    const callees = [await join(), await join(), await join()];
    const ids = new Set<number>();
    for (const callee of callees) ids.add(await callee.register('com.example.shared', { invoke: 'roundrobin' }));
    expect(ids.size).to.equal(1);
    const caller = await join();
    await caller.register('com.example.shared', { invoke: 'first' }).then(
      () => expect.fail('mixed policies'),
      (error: Error) =>
        expect(error.message).to.contain(
          '"message":"\\"com.example.shared\\" is registered with invoke roundrobin, not first"},"wamp.error.procedure_exists_with_different_invocation_policy"',
        ),
    );
    const served: number[] = [];
    callees.forEach((callee, index) => {
      const serve = async () => {
        for (;;) {
          const invocation = await callee.next(isInvocation, 5000).catch(() => undefined);
          if (!invocation) return;
          served.push(index);
          callee.send([M.YIELD, invocation[1], {}, [index]]);
        }
      };
      void serve();
    });
    const answers: unknown[] = [];
    for (let i = 0; i < 6; i++) answers.push(((await caller.callOutcome(caller.call('com.example.shared'))) as unknown[][])[3]![0]);
    expect(answers).to.deep.equal([0, 1, 2, 0, 1, 2]);
    // A callee leaving takes it out of the rotation.
    await callees[1]!.close();
    await settle();
    const after: unknown[] = [];
    for (let i = 0; i < 4; i++) after.push(((await caller.callOutcome(caller.call('com.example.shared'))) as unknown[][])[3]![0]);
    expect(after.sort()).to.deep.equal([0, 0, 2, 2]);
  });

  it('sends every call of a first/last registration to the oldest/newest callee', async () => {
    for (const invoke of ['first', 'last'] as const) {
      const procedure = `com.example.${invoke}`;
      const callees = [await join(), await join()];
      for (const callee of callees) await callee.register(procedure, { invoke });
      const caller = await join();
      const target = callees[invoke === 'first' ? 0 : 1]!;
      for (let i = 0; i < 2; i++) {
        const request = caller.call(procedure);
        const invocation = await target.next(isInvocation);
        target.send([M.YIELD, invocation[1], {}]);
        await caller.callOutcome(request);
      }
      expect(callees[invoke === 'first' ? 1 : 0]!.pending().filter(isInvocation)).to.have.length(0);
    }
  });

  it('streams progressive results to a caller that asked, from a callee that can be canceled', async () => {
    const [callee, caller] = [await join(), await join()];
    await callee.register('com.example.stream');
    const request = caller.call('com.example.stream', [], {}, { receive_progress: true });
    const invocation = await callee.next(isInvocation);
    expect(invocation[3]).to.deep.equal({ receive_progress: true });
    callee.send([M.YIELD, invocation[1], { progress: true }, [1]]);
    callee.send([M.YIELD, invocation[1], { progress: true }]);
    callee.send([M.YIELD, invocation[1], {}, ['done']]);
    expect(await caller.next()).to.deep.equal([M.RESULT, request, { progress: true }, [1]]);
    expect(await caller.next()).to.deep.equal([M.RESULT, request, { progress: true }]);
    expect(await caller.next()).to.deep.equal([M.RESULT, request, {}, ['done']]);
  });

  it('does not offer progress to a callee that cannot be canceled (§6.1)', async () => {
    const callee = await join({ roles: { callee: { features: { progressive_call_results: true } } } });
    const caller = await join();
    await callee.register('com.example.plain');
    const request = caller.call('com.example.plain', [], {}, { receive_progress: true });
    const invocation = await callee.next(isInvocation);
    expect(invocation[3]).to.deep.equal({});
    callee.send([M.YIELD, invocation[1], { progress: true }, ['ignored']]);
    callee.send([M.YIELD, invocation[1], {}, ['only']]);
    expect(await caller.next()).to.deep.equal([M.RESULT, request, {}, ['only']]);
  });

  it('discloses the caller when asked by the caller or the registration', async () => {
    const [callee, caller] = [await join(), await join()];
    await callee.register('com.example.who');
    await callee.register('com.example.always', { disclose_caller: true });
    caller.call('com.example.who', [], {}, { disclose_me: true });
    expect((await callee.next(isInvocation))[3]).to.deep.include({ caller: caller.sessionId, caller_authrole: 'anonymous' });
    caller.call('com.example.always');
    expect((await callee.next(isInvocation))[3]).to.deep.include({ caller: caller.sessionId });
    caller.call('com.example.who');
    expect((await callee.next(isInvocation))[3]).to.not.have.property('caller');
  });

  it('times out: the caller gets wamp.error.timeout, the callee INTERRUPT killnowait, a late YIELD is dropped', async () => {
    const [callee, caller] = [await join(), await join()];
    await callee.register('com.example.slow');
    const started = Date.now();
    const request = caller.call('com.example.slow', [], {}, { timeout: 100 });
    const invocation = await callee.next(isInvocation);
    const interrupt = await callee.next((m) => m[0] === M.INTERRUPT);
    expect(Date.now() - started).to.be.at.least(90);
    expect(interrupt).to.deep.equal([M.INTERRUPT, invocation[1], { mode: 'killnowait', reason: 'wamp.error.timeout' }]);
    expect(await caller.next()).to.deep.equal([M.ERROR, M.CALL, request, {}, 'wamp.error.timeout']);
    callee.send([M.YIELD, invocation[1], {}, ['late']]);
    await settle();
    expect(caller.pending()).to.deep.equal([]);
  });

  it('measures the timeout between progressive results', async () => {
    const [callee, caller] = [await join(), await join()];
    await callee.register('com.example.ticks');
    const request = caller.call('com.example.ticks', [], {}, { timeout: 120, receive_progress: true });
    const invocation = await callee.next(isInvocation);
    for (let i = 0; i < 4; i++) {
      await settle(60);
      callee.send([M.YIELD, invocation[1], { progress: true }, [i]]);
    }
    callee.send([M.YIELD, invocation[1], {}, ['end']]);
    expect(await caller.callOutcome(request)).to.deep.equal([M.RESULT, request, {}, ['end']]);
    expect(caller.received.filter((m) => m[0] === M.RESULT)).to.have.length(5);
  });

  it('gives the caller wamp.error.canceled when the callee disconnects mid-call', async () => {
    const [callee, caller] = [await join(), await join()];
    await callee.register('com.example.vanish');
    const request = caller.call('com.example.vanish');
    await callee.next(isInvocation);
    await callee.close();
    const error = await caller.callOutcome(request);
    expect(error.slice(0, 3)).to.deep.equal([M.ERROR, M.CALL, request]);
    expect(error[4]).to.equal('wamp.error.canceled');
  });

  it('sends INTERRUPT killnowait to the callee when the caller disconnects mid-call', async () => {
    const [callee, caller] = [await join(), await join()];
    await callee.register('com.example.orphan');
    caller.call('com.example.orphan');
    const invocation = await callee.next(isInvocation);
    await caller.close();
    expect(await callee.next()).to.deep.equal([M.INTERRUPT, invocation[1], { mode: 'killnowait', reason: 'wamp.error.canceled' }]);
    callee.send([M.YIELD, invocation[1], {}]);
    // The late YIELD is dropped and the callee keeps its session.
    await settle();
    expect(callee.isOpen).to.equal(true);
  });
  it('spreads a random registration over its callees', async () => {
    const callees = [await join(), await join(), await join()];
    for (const callee of callees) await callee.register('com.example.dice', { invoke: 'random' });
    const caller = await join();
    const counts = [0, 0, 0];
    callees.forEach((callee, index) => {
      void (async () => {
        for (;;) {
          const invocation = await callee.next(isInvocation, 5000).catch(() => undefined);
          if (!invocation) return;
          counts[index]!++;
          callee.send([M.YIELD, invocation[1], {}]);
        }
      })();
    });
    for (let i = 0; i < 30; i++) await caller.callOutcome(caller.call('com.example.dice'));
    expect(counts.reduce((a, b) => a + b)).to.equal(30);
    // Each callee is missed by 30 uniform picks with probability (2/3)^30 ≈ 5e-6.
    expect(
      counts.every((count) => count > 0),
      `picks ${counts.join(',')}`,
    ).to.equal(true);
  });

  it('without call_canceling on the callee: a timeout only answers the caller, a leaving caller sends no INTERRUPT', async () => {
    const callee = await join({ roles: { callee: {} } });
    const caller = await join();
    await callee.register('com.example.legacy');
    const request = caller.call('com.example.legacy', [], {}, { timeout: 50 });
    const invocation = await callee.next(isInvocation);
    expect(await caller.next()).to.deep.equal([M.ERROR, M.CALL, request, {}, 'wamp.error.timeout']);
    caller.call('com.example.legacy');
    await callee.next(isInvocation);
    await caller.close();
    await settle(80);
    expect(callee.pending()).to.deep.equal([]);
    callee.send([M.YIELD, invocation[1], {}]);
    await settle();
    expect(callee.isOpen).to.equal(true);
  });
});
