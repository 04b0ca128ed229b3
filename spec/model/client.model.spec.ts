/**
 * Model-based tests of WampClient (issue #18 part 5, DESIGN.md "Connection lifecycle"): random
 * sequences of application operations (connect, close, register/registerStream/registerDuplex,
 * topic$, call$, callStream$, publish, unsubscribing), faults (a router-side or TCP drop of the
 * client's connection, the router process SIGKILLed and restarted on the same port) and hostile
 * user code (a throwing handler, handler teardown, onSubscribed or state$ listener; a state$
 * listener that calls the client re-entrantly on each status) against the embedded router in
 * its own process. After every step the system must settle where the model says, with the
 * invariants of system.ts / probes.ts holding:
 *
 *   1. at most one connecting-or-open socket per client, ever;
 *   2. once open, the router's registrations and subscriptions for the client's session are
 *      exactly what the application holds;
 *   3. every Observable subscribed ends at most once, nothing after its end, and as the model says;
 *   4. no uncaught exception, no unhandled rejection; rxjs reports exactly our state$ listener's throws;
 *   5. after close(): no socket, timer or handle of the client left.
 *
 * `npm test` runs RUNS sequences; more with RXWAMP_MODEL_RUNS=5000 (RXWAMP_MODEL_COMMANDS: the
 * longest sequence; RXWAMP_MODEL_WEIGHTS="reentrant=0,killRouter=3": the command mix, see
 * commands.ts). A failure prints fast-check's seed and path and the shrunk command list with its
 * replayPath; replay exactly that with RXWAMP_MODEL_SEED=<seed> RXWAMP_MODEL_PATH=<path>
 * RXWAMP_MODEL_REPLAY=<replayPath> npx mocha --no-config --node-option import=tsx --extension ts
 * spec/model/client.model.spec.ts (with the same RXWAMP_MODEL_WEIGHTS).
 */
import fc from 'fast-check';
import { commandArbitraries } from './commands.js';
import { ModelRouter } from './model-router.js';
import { ErrorTrap, ResourceTracker } from './probes.js';
import { runOnce } from './run.js';
import { ON_ERROR_SUPPORTED, SETTLE_MS, type Harness } from './system.js';

const RUNS = Number(process.env['RXWAMP_MODEL_RUNS'] ?? 300);
const MAX_COMMANDS = Number(process.env['RXWAMP_MODEL_COMMANDS'] ?? 12);
const SEED = process.env['RXWAMP_MODEL_SEED'];
const PATH = process.env['RXWAMP_MODEL_PATH'];
/** fast-check's `replayPath` from a counterexample's comment, to replay the exact commands fast. */
const REPLAY = process.env['RXWAMP_MODEL_REPLAY'];
/** The whole property, shrinking included, stops after this long and reports what it has. */
const TIME_LIMIT_MS = Number(process.env['RXWAMP_MODEL_TIME_LIMIT_MS'] ?? Math.max(120_000, RUNS * 600));

describe('model: WampClient against the router in its own process (fast-check commands)', function () {
  this.timeout(TIME_LIMIT_MS + 60_000);
  const trap = new ErrorTrap();
  const resources = new ResourceTracker();
  let harness: Harness;

  before(async () => {
    harness = { router: await ModelRouter.start(), trap, resources };
    if (!ON_ERROR_SUPPORTED) console.log('      (the client has no onError option yet: throws without an operation are checked only for never being uncaught)');
  });

  after(async () => {
    trap.uninstall();
    resources.disable();
    await harness?.router.kill();
  });

  it(`${RUNS} random sequences of up to ${MAX_COMMANDS} operations, faults and hostile callbacks keep the invariants`, async () => {
    const started = Date.now();
    let runs = 0;
    trap.install();
    resources.enable();
    try {
      await fc.assert(
        fc.asyncProperty(fc.commands([commandArbitraries()], { maxCommands: MAX_COMMANDS, ...(REPLAY ? { replayPath: REPLAY } : {}) }), async (commands) => {
          runs++;
          await runOnce(harness, commands);
        }),
        {
          numRuns: RUNS,
          plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)],
          ...(SEED !== undefined ? { seed: Number(SEED) } : {}),
          ...(PATH !== undefined ? { path: PATH } : {}),
        },
      );
    } finally {
      trap.uninstall();
      resources.disable();
    }
    console.log(`      ${runs} runs in ${((Date.now() - started) / 1000).toFixed(1)} s (settle limit ${SETTLE_MS} ms)`);
  });
});
