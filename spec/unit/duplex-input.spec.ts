import { expect } from 'chai';
import { DroppedInputs, DuplexInput } from '../../src/roles/duplex-invocation.js';

/** The callee's input$ (one duplex invocation) and its dropped-chunk table. */
describe('unit: DuplexInput and DroppedInputs', () => {
  it('keeps chunks until the first subscription, then passes them on live', () => {
    const input = new DuplexInput();
    input.push(1);
    input.push(2);
    const first: unknown[] = [];
    input.input$.subscribe((value) => first.push(value));
    expect(first).to.deep.equal([1, 2]);
    input.push(3);
    const later: unknown[] = [];
    input.input$.subscribe((value) => later.push(value));
    input.push(4);
    expect(first).to.deep.equal([1, 2, 3, 4]);
    expect(later).to.deep.equal([4]); // a later subscriber sees only later chunks
  });

  it('an input that ended before anyone subscribed replays its chunks, then the end', () => {
    const input = new DuplexInput();
    input.push('a');
    input.complete();
    input.push('after the end');
    const seen: unknown[] = [];
    input.input$.subscribe({ next: (value) => seen.push(value), complete: () => seen.push('complete') });
    expect(seen).to.deep.equal(['a', 'complete']);
  });

  it('fail() errors current and later subscribers; push after it is ignored', () => {
    const input = new DuplexInput();
    const errors: unknown[] = [];
    input.input$.subscribe({ error: (error) => errors.push(error) });
    const canceled = new Error('canceled');
    input.fail(canceled);
    input.push(1);
    input.input$.subscribe({ next: () => errors.push('next after fail'), error: (error) => errors.push(error) });
    expect(errors).to.deep.equal([canceled, canceled]);
  });

  it('DroppedInputs drops chunks of an ended id until its last one, and holds at most its limit', () => {
    const dropped = new DroppedInputs(2);
    dropped.add(7);
    expect(dropped.drops(7, true)).to.equal(true);
    expect(dropped.drops(8, true)).to.equal(false);
    expect(dropped.drops(7, false)).to.equal(true); // the last chunk: dropped, and the id forgotten
    expect(dropped.drops(7, false)).to.equal(false);
    dropped.add(1);
    dropped.add(2);
    dropped.add(3);
    expect(dropped.size).to.equal(2);
    expect(dropped.drops(1, true)).to.equal(false); // the oldest left
    expect(dropped.drops(3, true)).to.equal(true);
  });
});
