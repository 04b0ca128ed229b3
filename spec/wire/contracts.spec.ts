import { expect } from 'chai';
import { lastValueFrom, toArray } from 'rxjs';
import { procedure, topic, WampError, type Registration } from '../../src/index.js';
import { describeWire, settle } from '../helpers/scripted-peer.js';

const isNumber = (value: unknown) => {
  if (typeof value !== 'number') throw new TypeError(`expected a number, got ${typeof value}`);
};

/** Typed contracts' run-time checks: what arrives from the wire is checked, the rest of the session goes on. */
describeWire('wire: contract checks', (t) => {
  const longop = procedure<{ args: [n: number]; progress: number; result: number }>('com.myapp.longop', {
    validate: { args: ([n]) => isNumber(n), progress: isNumber, result: isNumber },
  });

  it('a call$ with a contract sends the URI and args as usual and passes results that match', async () => {
    const results = lastValueFrom(t.client.call$(longop, [2]).pipe(toArray()));
    const call = await t.peer.next(48);
    expect(call).to.deep.equal([48, 1, { receive_progress: true }, 'com.myapp.longop', [2]]);
    t.peer.send([50, 1, { progress: true }, [0]]);
    t.peer.send([50, 1, {}, [2]]);
    expect((await results).map((r) => [r.progress, r.args[0]])).to.deep.equal([
      [true, 0],
      [false, 2],
    ]);
  });

  it('a progressive result that breaks the contract errors the call with contract_violation and cancels it', async () => {
    const outcome = lastValueFrom(t.client.call$(longop, [2])).then(
      () => undefined,
      (e: unknown) => e,
    );
    await t.peer.next(48);
    t.peer.send([50, 1, { progress: true }, ['zero']]);
    const error = (await outcome) as WampError;
    expect(error).to.be.instanceOf(WampError);
    expect(error.uri).to.equal('rxwamp.error.contract_violation');
    expect(error.message).to.contain('a progressive result failed its contract check: expected a number, got string');
    expect(error.cause).to.be.instanceOf(TypeError);
    expect(await t.peer.next(49)).to.deep.equal([49, 1, { mode: 'kill' }]);
  });

  it('a callee with a contract answers invalid_argument for bad arguments without running its handler', async () => {
    let runs = 0;
    await new Promise<Registration>((resolve, reject) => {
      t.client
        .register(longop, ([n]) => {
          runs++;
          return n * 2;
        })
        .subscribe({ next: resolve, error: reject });
      void t.peer.next(64).then(([, id]) => t.peer.send([65, id, 300]));
    });
    t.peer.send([68, 1, 300, {}, ['three']]);
    const error = await t.peer.next(8);
    expect(error.slice(0, 5)).to.deep.equal([8, 68, 1, {}, 'wamp.error.invalid_argument']);
    expect(error[5]).to.deep.equal(['the arguments failed its contract check: expected a number, got string']);
    t.peer.send([68, 2, 300, {}, [3]]);
    expect(await t.peer.next(70)).to.deep.equal([70, 2, {}, [6]]);
    expect(runs).to.equal(1);
  });

  it('an event that breaks a topic contract errors the subscription (UNSUBSCRIBE follows)', async () => {
    const news = topic<{ args: [headline: string] }>('com.myapp.news', {
      validate: {
        event: ([headline]) => {
          if (typeof headline !== 'string') throw new TypeError('headline must be a string');
        },
      },
    });
    const seen: string[] = [];
    const ended = new Promise<unknown>((resolve) => t.client.topic$(news).subscribe({ next: (e) => seen.push(e.args[0]), error: resolve }));
    const [, id] = await t.peer.next(32);
    t.peer.send([33, id, 900]);
    await settle();
    t.peer.send([36, 900, 1, {}, ['fine']]);
    t.peer.send([36, 900, 2, {}, [42]]);
    expect(((await ended) as WampError).uri).to.equal('rxwamp.error.contract_violation');
    expect(seen).to.deep.equal(['fine']);
    expect((await t.peer.next(34))[2]).to.equal(900);
    await t.client.publish(news, ['published through the contract']);
    expect(await t.peer.next(16)).to.deep.equal([16, 3, {}, 'com.myapp.news', ['published through the contract']]);
  });
});
