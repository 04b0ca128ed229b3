/**
 * The model suite's checks must be able to fail: each invariant is broken here on purpose (a
 * leaked socket, a registration the application does not hold, an Observable ending twice, an
 * uncaught error, a timer left running) and System.settle must say so, naming the invariant.
 * Last, a deliberately faulty command makes the whole fast-check property fail, and the report
 * carries the seed, the path and the shrunk command list.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { runOnce } from './run.js';
import { ModelRouter } from './model-router.js';
import { ErrorTrap, Recorder, ResourceTracker } from './probes.js';
import { emptyModel, stillHeld, System, type Harness, type Model } from './system.js';

const QUICK_MS = 400;

describe('model: every invariant check fires on an injected fault', function () {
  this.timeout(60_000);
  const trap = new ErrorTrap();
  const resources = new ResourceTracker();
  let harness: Harness;

  before(async () => {
    harness = { router: await ModelRouter.start(), trap, resources };
    trap.install();
    resources.enable();
  });
  after(async () => {
    trap.uninstall();
    resources.disable();
    await harness?.router.kill();
  });

  /** A connected client with an empty model, run in its own resource context; always retired. */
  async function withClient(body: (system: System, model: Model) => Promise<void>): Promise<void> {
    trap.clear();
    await resources.run(async () => {
      const system = new System(harness);
      const model = emptyModel();
      try {
        await system.client.connect();
        model.open = true;
        model.opens = 1;
        await system.settle(model, 'connect');
        await body(system, model);
      } finally {
        await system.client.close().catch(() => undefined);
        system.sockets.retired = true;
        for (const socket of system.sockets.live) socket.terminate();
        trap.clear();
      }
    });
  }

  async function settleFails(system: System, model: Model, pattern: RegExp): Promise<void> {
    const error = await system.settle(model, 'injected fault', QUICK_MS).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error, 'settle() should have failed').to.be.instanceOf(Error);
    expect(error!.message).to.match(pattern);
  }

  it('1: a second socket of the same client', async () => {
    await withClient(async (system, model) => {
      const extra = new system.sockets.WebSocket(harness.router.url, ['wamp.2.json']);
      await settleFails(system, model, /invariant 1 \(one socket per client\): socket #2 was created while 1 other socket/);
      (extra as unknown as { terminate(): void }).terminate();
    });
  });

  it('2: a registration the application does not hold (or one it holds that the router lacks)', async () => {
    await withClient(async (system, model) => {
      let registered = false;
      const extra = system.client
        .register('model.not-in-the-model', () => 1)
        .subscribe({
          next: () => {
            registered = true;
          },
          error: () => undefined,
        });
      while (!registered) await system.pause();
      await settleFails(system, model, /invariant 2: the application holds registrations \[\], the router has \[model.not-in-the-model\]/);
      extra.unsubscribe();
      const recorder = new Recorder('a registration only the model has');
      model.registrations.set('model.p0', { procedure: 'model.p0', kind: 'value', tracked: system.track(recorder, stillHeld) });
      await settleFails(system, model, /invariant 2: the application holds registrations \[model.p0\], the router has \[\]/);
    });
  });

  it('3: an Observable that ends twice, delivers after its end, or ends when it should be held', async () => {
    await withClient(async (system, model) => {
      const twice = new Recorder('ends twice');
      system.track(twice, () => undefined);
      twice.observer.complete();
      twice.observer.error(new Error('again'));
      await settleFails(system, model, /invariant 3: ends twice ended 2 times/);
      system.tracked.length = 0;
      const late = new Recorder('delivers late');
      system.track(late, () => undefined);
      late.observer.complete();
      late.observer.next(1);
      await settleFails(system, model, /invariant 3: delivers late got 1 notification\(s\) after it ended/);
      system.tracked.length = 0;
      const held = new Recorder('held');
      system.track(held, stillHeld);
      system.client.topic$('model.t0').subscribe(held.observer);
      held.observer.complete();
      await settleFails(system, model, /held: should still be held, but complete/);
      system.tracked.length = 0;
    });
  });

  it('4: an uncaught exception, an unhandled rejection, an rxjs-reported error nobody expected', async () => {
    await withClient(async (system, model) => {
      setTimeout(() => {
        throw new Error('injected uncaught');
      });
      while (trap.uncaught.length === 0) await system.pause();
      await settleFails(system, model, /invariant 4: uncaught exception: Error: injected uncaught/);
      trap.clear();
      void Promise.reject(new Error('injected rejection'));
      while (trap.unhandledRejections.length === 0) await system.pause();
      await settleFails(system, model, /invariant 4: unhandled rejection: Error: injected rejection/);
      trap.clear();
      system.client.call$('model.nobody').subscribe(); // no error callback: rxjs reports the error
      while (trap.rxjsReported.length === 0) await system.pause();
      await settleFails(
        system,
        model,
        /invariant 4: rxjs reported an unhandled error that is not our state\$ listener's: WampError wamp.error.no_such_procedure/,
      );
    });
  });

  it('5: a timer or socket left after close()', async () => {
    await withClient(async (system, model) => {
      const leaked = setInterval(() => undefined, 60_000);
      await system.client.close();
      model.open = false;
      try {
        await settleFails(system, model, /invariant 5: left behind after close:\s+Timeout created at/);
      } finally {
        clearInterval(leaked);
      }
      await system.settle(model, 'the leak removed', QUICK_MS * 5);
    });
  });

  it('the property fails with the seed, the path and the shrunk commands', async () => {
    class LeakSocket implements fc.AsyncCommand<Model, System> {
      check = () => true;
      async run(model: Model, system: System): Promise<void> {
        model.open = true;
        model.opens = 1;
        await system.client.connect();
        new system.sockets.WebSocket(harness.router.url, ['wamp.2.json']);
        await system.settle(model, this.toString(), QUICK_MS);
      }
      toString = () => 'leakSocket()';
    }
    class Nothing implements fc.AsyncCommand<Model, System> {
      check = () => true;
      async run(): Promise<void> {
        /* nothing */
      }
      toString = () => 'nothing()';
    }
    const commands = fc.commands([fc.oneof(fc.constant(new Nothing()), fc.constant(new LeakSocket()))], { maxCommands: 5 });
    const failure = await fc
      .assert(
        fc.asyncProperty(commands, (cmds) => runOnce(harness, cmds)),
        { numRuns: 30, seed: 42 },
      )
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(failure, 'the property should have failed').to.be.instanceOf(Error);
    expect(failure!.message).to.match(/seed: 42, path: "[\d:]+"/);
    expect(failure!.message).to.match(/Counterexample: \[leakSocket\(\) \/\*replayPath="[^"]+"\*\/\]/);
    expect(String((failure as { cause?: unknown }).cause)).to.match(/invariant 1 \(one socket per client\)/);
  });
});
