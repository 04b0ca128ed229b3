import { expect } from 'chai';
import { backoffDelay } from '../../src/client/backoff.js';
import { resolveOptions } from '../../src/client/options.js';

describe('unit: reconnect backoff', () => {
  const options = { initialDelay: 1000, factor: 2, maxDelay: 10_000, maxAttempts: 15, jitter: 0.1 };

  it('grows by the factor from the initial delay and stops at the maximum', () => {
    const middle = () => 0.5; // no jitter at the middle of the random range
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options, middle))).to.deep.equal([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('moves each delay by at most ± jitter', () => {
    expect(backoffDelay(2, options, () => 0)).to.equal(1800);
    expect(backoffDelay(2, options, () => 0.999999)).to.equal(2200);
    expect(backoffDelay(2, { ...options, jitter: 0 }, Math.random)).to.equal(2000);
  });

  it('defaults like autobahn-js, and refuses options that make no sense with a TypeError', () => {
    expect(resolveOptions({ url: 'ws://x', realm: 'r' }).reconnect).to.deep.equal({
      initialDelay: 1500,
      factor: 1.5,
      maxDelay: 300_000,
      maxAttempts: 15,
      jitter: 0.1,
    });
    expect(resolveOptions({ url: 'ws://x', realm: 'r', reconnect: false }).reconnect).to.equal(false);
    expect(resolveOptions({ url: 'ws://x', realm: 'r', reconnect: { maxAttempts: Infinity } }).reconnect).to.include({ maxAttempts: Infinity });
    for (const reconnect of [{ factor: 0.5 }, { jitter: 2 }, { maxAttempts: -1 }, { initialDelay: -5 }, 'yes']) {
      expect(() => resolveOptions({ url: 'ws://x', realm: 'r', reconnect: reconnect as never })).to.throw(TypeError);
    }
    expect(() => resolveOptions({ url: 'ws://x', realm: 'r', pingInterval: -1 })).to.throw(TypeError, /pingInterval/);
    expect(() => resolveOptions({ url: 'ws://x', realm: 'r', maxMessageSize: 0 })).to.throw(TypeError, /maxMessageSize/);
  });
});
