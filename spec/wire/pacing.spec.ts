import { expect } from 'chai';
import { Observable } from 'rxjs';
import { final, WampClient } from '../../src/index.js';
import { bufferedAmountOf, CHUNK, CHUNKS, HIGH_WATER_MARK, pacedClient } from '../helpers/paced-client.js';
import { ScriptedPeer, until } from '../helpers/scripted-peer.js';

/**
 * A streaming callee meets a reader that stops reading: an async generator is pulled only while
 * the connection can take more (streamHighWaterMark), a push Observable fails its call once too
 * much waits (streamBufferLimit). The scripted router pauses reading its socket, so TCP
 * backpressure reaches the client.
 */
describe('wire: callee streams paced by the connection', function () {
  this.timeout(60_000);
  let peer: ScriptedPeer;
  let client: WampClient;

  beforeEach(async () => {
    peer = await ScriptedPeer.start({ serializer: 'json' });
    client = pacedClient(peer);
  });
  afterEach(async () => {
    peer.resumeReading();
    await client.close();
    await peer.stop();
  });

  /** Answers the REGISTER with `registrationId`, stops reading, then invokes it with progress as `invocationId`. */
  async function invokeWithReaderStalled(registrationId: number, invocationId: number): Promise<void> {
    const [, requestId] = await peer.next(64);
    peer.send([65, requestId, registrationId]);
    await until(() => client.state.status === 'open');
    peer.pauseReading();
    peer.send([68, invocationId, registrationId, { receive_progress: true }, []]);
  }

  const buffered = () => bufferedAmountOf(client);

  it('an async generator is not pulled past the high-water mark while the reader is stalled; released, every value arrives in order', async () => {
    let pulled = 0;
    const bufferedAtPull: number[] = [];
    let finished = false;
    client
      .registerStream('com.pace.file', async function* chunks() {
        try {
          for (let i = 0; i < CHUNKS; i++) {
            bufferedAtPull.push(buffered());
            pulled++;
            yield { i, chunk: CHUNK };
          }
          yield final('end');
        } finally {
          finished = true;
        }
      })
      .subscribe();
    await invokeWithReaderStalled(7, 1);
    // Stalled: the generator waits with more than the mark buffered, far from its end.
    await until(() => pulled > 0 && buffered() > HIGH_WATER_MARK, 20_000, 'the producer waiting on a full connection');
    const pulledWhileStalled = pulled;
    expect(pulledWhileStalled).to.be.below(CHUNKS);
    expect(Math.max(...bufferedAtPull), 'bytes waiting when a value was pulled').to.be.at.most(HIGH_WATER_MARK);

    peer.resumeReading();
    await until(() => peer.received.some((f) => f[0] === 70 && !(f[2] as { progress?: boolean }).progress), 30_000, 'the final YIELD');
    const yields = peer.received.filter((f) => f[0] === 70);
    expect(yields).to.have.length(CHUNKS + 1);
    expect(yields.slice(0, CHUNKS).map((f) => (f[3] as Array<{ i: number }>)[0]!.i)).to.deep.equal(Array.from({ length: CHUNKS }, (_, i) => i));
    expect(yields.at(-1)).to.deep.equal([70, 1, {}, ['end']]);
    expect(Math.max(...bufferedAtPull)).to.be.at.most(HIGH_WATER_MARK);
    expect(finished).to.equal(true);
    console.log(
      `      paced generator: ${pulledWhileStalled} of ${CHUNKS} chunks pulled while the reader was stalled; at most ${Math.max(...bufferedAtPull)} bytes waiting at any pull`,
    );
  });

  it('INTERRUPT while the generator waits on the connection runs its finally', async () => {
    let finished = false;
    client
      .registerStream('com.pace.stop', async function* chunks() {
        try {
          for (let i = 0; i < CHUNKS; i++) yield CHUNK;
        } finally {
          finished = true;
        }
      })
      .subscribe();
    await invokeWithReaderStalled(8, 2);
    await until(() => buffered() > HIGH_WATER_MARK, 20_000, 'stalled');
    peer.send([69, 2, { mode: 'kill' }]);
    // The INTERRUPT is read by the client even while the router does not read.
    await until(() => finished, 10_000, "the generator's finally");
  });

  it('a push Observable that outruns the connection fails its call with rxwamp.error.stream_overflow', async () => {
    let unsubscribed = false;
    client
      .registerStream('com.pace.flood', () =>
        flood(() => {
          unsubscribed = true;
        }),
      )
      .subscribe();
    await invokeWithReaderStalled(9, 3);
    await until(() => unsubscribed, 20_000, 'the flood stopped');
    peer.resumeReading();
    const error = await peer.next((f) => f[0] === 8 && f[2] === 3);
    expect(error[4]).to.equal('rxwamp.error.stream_overflow');
  });
});

/** A push source with no notion of backpressure: 64 values of 16 KiB every millisecond, forever. */
function flood(onStop: () => void): Observable<string> {
  return new Observable<string>((subscriber) => {
    const timer = setInterval(() => {
      for (let i = 0; i < 64; i++) subscriber.next('f'.repeat(16 * 1024));
    }, 1);
    return () => {
      clearInterval(timer);
      onStop();
    };
  });
}
