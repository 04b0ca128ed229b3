/** One fast-check run of the model suite: a fresh client, the commands, close(), and a clean router after. */
import fc from 'fast-check';
import { Close } from './commands.js';
import { emptyModel, System, type Harness, type Model } from './system.js';

/** One sequence on a fresh client; the router process is shared (and restarted by killRouter). */
export async function runOnce(harness: Harness, commands: Iterable<fc.AsyncCommand<Model, System>>): Promise<void> {
  await harness.resources.run(async () => {
    harness.trap.clear();
    let system: System | undefined;
    let model: Model | undefined;
    try {
      await fc.asyncModelRun(() => {
        system = new System(harness);
        model = emptyModel();
        return { model, real: system };
      }, commands);
      // Every run ends with close(): invariant 5 is checked for every client.
      await new Close().run(model!, system!);
    } finally {
      if (system) await retire(harness, system);
    }
  });
}

/**
 * Leaves the router clean for the next run, whatever this one did: close(), then any socket
 * the client still has is terminated and later ones are refused.
 */
async function retire(harness: Harness, system: System): Promise<void> {
  await Promise.race([system.client.close().catch(() => undefined), system.pause(2_000)]);
  system.sockets.retired = true;
  for (const socket of system.sockets.live) socket.terminate();
  const deadline = Date.now() + 2_000;
  for (;;) {
    let connections: number;
    try {
      connections = (await system.routerState()).connections;
    } catch {
      // A router that died with the failed run: the next run gets a new one.
      harness.router = await harness.router.restart();
      continue;
    }
    const clean =
      connections === 0 && system.sockets.live.size === 0 && system.client.state.status !== 'reconnecting' && system.client.state.status !== 'connecting';
    if (clean) return;
    if (Date.now() > deadline) {
      harness.resources.polluted = true;
      return;
    }
    await system.pause();
  }
}
