import { expect } from 'chai';
import { finalize, interval, map } from 'rxjs';
import { WampClient } from '../../src/index.js';
import { MessageType as M } from '../../src/protocol/index.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { connectAutobahn, type AutobahnPeer } from '../helpers/autobahn-peer.js';

const settle = (ms = 60) => new Promise((resolve) => setTimeout(resolve, ms));
type Mode = 'skip' | 'kill' | 'killnowait';
const MODES: readonly Mode[] = ['skip', 'kill', 'killnowait'];

/** The call's terminating messages (RESULT without progress, or ERROR) an Autobahn caller received. */
function terminations(peer: AutobahnPeer): unknown[][] {
  return peer.received.filter((m) => (m[0] === M.RESULT && !(m[2] as { progress?: boolean }).progress) || (m[0] === M.ERROR && m[1] === M.CALL));
}

/**
 * An Autobahn|JS caller streams a call, cancels it after two progress results, and the
 * callee (raw frames, then an rxwamp registerStream) sees exactly what §6.3's table says.
 */
describe('router: Autobahn|JS caller cancels', () => {
  let fixture: EmbeddedRouter;
  const closers: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    fixture = await startEmbeddedRouter();
  });
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    await fixture.stop();
  });

  const autobahnCaller = async () => {
    const peer = await connectAutobahn(fixture.url, fixture.realm);
    closers.push(peer.close);
    return peer;
  };

  /** Starts a progressive call and cancels it with `mode` once two progress results arrived. */
  const callAndCancelAfterTwo = (peer: AutobahnPeer, procedure: string, mode: Mode) => {
    const progress: unknown[] = [];
    let settled: { result?: unknown; error?: string } | undefined;
    const call = peer.session.call(procedure, [], {}, { receive_progress: true });
    const canceled = new Promise<void>((resolve) => {
      call.then(
        (result) => {
          settled = { result };
        },
        (error: unknown) => {
          settled = { error: (error as { error?: string }).error ?? String(error) };
        },
        (value) => {
          progress.push(value);
          if (progress.length === 2) {
            call.cancel({ mode });
            resolve();
          }
        },
      );
    });
    return { progress, canceled, settledWith: () => settled };
  };

  for (const mode of MODES) {
    it(`${mode}: a raw callee gets ${mode === 'skip' ? 'no INTERRUPT' : `INTERRUPT ${mode}`}; the caller one ERROR canceled`, async () => {
      const callee = await RawPeer.join(fixture.url, fixture.realm);
      closers.push(() => callee.close());
      await callee.register('com.example.longop');
      const caller = await autobahnCaller();
      const run = callAndCancelAfterTwo(caller, 'com.example.longop', mode);
      const invocation = await callee.next((m) => m[0] === M.INVOCATION);
      expect(invocation[3]).to.deep.equal({ receive_progress: true });
      callee.send([M.YIELD, invocation[1], { progress: true }, [0]]);
      callee.send([M.YIELD, invocation[1], { progress: true }, [1]]);
      await run.canceled;
      expect(run.progress).to.deep.equal([0, 1]);
      if (mode === 'skip') {
        await settle();
        expect(callee.pending()).to.deep.equal([]);
      } else {
        expect(await callee.next()).to.deep.equal([M.INTERRUPT, invocation[1], { mode, reason: 'wamp.error.canceled' }]);
      }
      if (mode === 'kill') {
        await settle();
        expect(terminations(caller), 'kill: nothing before the callee answers').to.deep.equal([]);
        callee.send([M.ERROR, M.INVOCATION, invocation[1], {}, 'wamp.error.canceled']);
      } else {
        // A late answer is dropped by the dealer.
        callee.send([M.YIELD, invocation[1], {}, ['late']]);
      }
      await settle();
      const request = (terminations(caller)[0] ?? [])[2];
      expect(terminations(caller)).to.deep.equal([[M.ERROR, M.CALL, request, {}, 'wamp.error.canceled']]);
      if (mode === 'kill') expect(run.settledWith()).to.deep.equal({ error: 'wamp.error.canceled' });
    });
  }

  for (const mode of MODES) {
    it(`${mode}: an rxwamp registerStream callee's stream is ${mode === 'skip' ? 'left running' : 'torn down'}`, async () => {
      const client = new WampClient({ url: fixture.url, realm: fixture.realm, serializers: ['json'] });
      closers.push(() => client.close());
      let tornDown = false;
      let emitted = 0;
      await new Promise<void>((resolve, reject) => {
        client
          .registerStream('com.example.stream', () =>
            interval(15).pipe(
              map((n) => {
                emitted++;
                return n;
              }),
              finalize(() => {
                tornDown = true;
              }),
            ),
          )
          .subscribe({ next: () => resolve(), error: reject });
      });
      const caller = await autobahnCaller();
      const run = callAndCancelAfterTwo(caller, 'com.example.stream', mode);
      await run.canceled;
      await settle(120);
      expect(tornDown).to.equal(mode !== 'skip');
      if (mode === 'skip') expect(emitted, 'the skipped stream keeps running').to.be.greaterThan(3);
      const request = (terminations(caller)[0] ?? [])[2];
      expect(request).to.be.a('number');
      expect(terminations(caller)).to.deep.equal([[M.ERROR, M.CALL, request, {}, 'wamp.error.canceled']]);
      // Progress produced after the CANCEL never reaches the caller.
      expect(caller.received.filter((m) => m[0] === M.RESULT)).to.have.length(2);
    });
  }
});
