import type { Args, Dict } from '../protocol/messages.js';

/**
 * Explicit WAMP payload for a callee's value: `payload(['a', 1], { k: true })` sends exactly
 * these args and kwargs. Any other value `v` is sent as `args: [v]` (and `undefined` as no args).
 */
export class Payload {
  constructor(readonly args: Args = [], readonly kwargs: Dict = {}) {}
}

export function payload(args: Args = [], kwargs: Dict = {}): Payload {
  return new Payload(args, kwargs);
}

/** Marks a callee stream's value as the final result: sent without `progress`, ending the call. */
export class Final<T = unknown> {
  constructor(readonly value: T) {}
}

/** `final(x)`: the value that ends a `registerStream` call (see Final). */
export function final<T>(value: T): Final<T> {
  return new Final(value);
}

export function toPayload(value: unknown): { args: Args; kwargs: Dict } {
  if (value instanceof Payload) return value;
  return { args: value === undefined ? [] : [value], kwargs: {} };
}
