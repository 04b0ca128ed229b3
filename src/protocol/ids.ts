/** Largest WAMP id: 2^53 is legal although Number.isSafeInteger(2^53) is false (§1.5). */
export const MAX_ID = 2 ** 53;

export function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ID;
}

/** Session-scope request ids: one counter for every request type, 1, 2, … wrapping after 2^53. */
export class RequestIdCounter {
  private last = 0;

  next(): number {
    this.last = this.peek();
    return this.last;
  }

  /** The id next() will return, without taking it (so a message that fails to encode leaves no gap). */
  peek(): number {
    return this.last >= MAX_ID ? 1 : this.last + 1;
  }

  /** The most recently issued id (0 before the first). */
  get current(): number {
    return this.last;
  }
}
