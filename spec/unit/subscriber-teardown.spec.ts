import { expect } from 'chai';
import { Observable, Subject, takeUntil, type Subscriber } from 'rxjs';
import { setTeardown } from '../../src/roles/subscriber-teardown.js';

/** Subscribes to an Observable whose subscribe function hands `teardown` over with setTeardown. */
function subscribeWith(teardown: () => void, body: (subscriber: Subscriber<number>) => void = () => undefined) {
  let used: boolean | undefined;
  let subscriber!: Subscriber<number>;
  const source = new Observable<number>((s) => {
    subscriber = s;
    used = setTeardown(s, teardown);
    body(s);
    return used ? undefined : teardown;
  });
  return { source, used: () => used, subscriber: () => subscriber };
}

describe('unit: setTeardown (a call$ teardown without a finalizer array)', () => {
  it('is used with this rxjs, and runs the teardown once on unsubscribe', () => {
    let runs = 0;
    const { source, used } = subscribeWith(() => {
      runs++;
    });
    const subscription = source.subscribe();
    expect(used()).to.equal(true);
    expect(runs).to.equal(0);
    subscription.unsubscribe();
    subscription.unsubscribe();
    expect(runs).to.equal(1);
  });

  it('runs the teardown once when the source completes or errors, after the observer heard it', () => {
    for (const end of ['complete', 'error'] as const) {
      const order: string[] = [];
      let subscriber!: Subscriber<number>;
      const { source } = subscribeWith(
        () => order.push('teardown'),
        (s) => {
          subscriber = s;
        },
      );
      source.subscribe({ complete: () => order.push('complete'), error: () => order.push('error') });
      if (end === 'complete') subscriber.complete();
      else subscriber.error(new Error('x'));
      expect(order).to.deep.equal([end, 'teardown']);
    }
  });

  it('runs the teardown when an operator downstream unsubscribes (takeUntil)', () => {
    let runs = 0;
    const stop = new Subject<void>();
    const { source, used } = subscribeWith(() => {
      runs++;
    });
    source.pipe(takeUntil(stop)).subscribe();
    expect(used()).to.equal(true);
    stop.next();
    expect(runs).to.equal(1);
  });

  it('is not used for a subscriber that is already closed (the subscribe function returns the teardown)', () => {
    let runs = 0;
    const { source, used } = subscribeWith(() => {
      runs++;
    }, undefined);
    const closedFirst = new Observable<number>((s) => {
      s.complete();
      return source.subscribe(s); // s is closed: setTeardown must leave it to rxjs, which runs it at once
    });
    closedFirst.subscribe();
    expect(used()).to.equal(false);
    expect(runs).to.equal(1);
  });

  it('is not used when the slot already holds a teardown', () => {
    const subscriber = { closed: false, initialTeardown: () => undefined } as unknown as Subscriber<unknown>;
    expect(setTeardown(subscriber, () => undefined)).to.equal(false);
  });

  it('is not used for a subscriber without the slot', () => {
    const subscriber = { closed: false } as unknown as Subscriber<unknown>;
    expect(setTeardown(subscriber, () => undefined)).to.equal(false);
  });
});
