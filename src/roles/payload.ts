import { hasKeys, type Args, type Dict } from '../protocol/messages.js';

/**
 * Explicit WAMP payload for a callee's value: `payload(['a', 1], { k: true })` sends exactly
 * these args and kwargs. Any other value `v` is sent as `args: [v]` (and `undefined` as no args).
 */
export class Payload {
  /**
   * The same as `payload(args, kwargs)`.
   *
   * @param args - The positional arguments, sent as they are. Default `[]`.
   * @param kwargs - The keyword arguments, sent as they are. Default `{}`.
   */
  constructor(
    readonly args: Args = [],
    readonly kwargs: Dict = {},
  ) {}
}

/** `payload(args, kwargs)`: a callee's value sent as exactly these args and kwargs (see Payload). */
export function payload(args: Args = [], kwargs: Dict = {}): Payload {
  return new Payload(args, kwargs);
}

/** Marks a callee stream's value as the final result: sent without `progress`, ending the call. */
export class Final<T = unknown> {
  /**
   * The same as `final(value)`.
   *
   * @param value - The final result, sent as `args: [value]` (or as a Payload's args and kwargs).
   */
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

/**
 * The value a received payload stands for, the inverse of toPayload: no args and no kwargs →
 * undefined, exactly one arg → that arg, anything else → a Payload with both.
 */
export function fromPayload(args: Args, kwargs: Dict): unknown {
  if (hasKeys(kwargs) || args.length > 1) return new Payload(args, kwargs);
  return args[0];
}

/** Whether a payload carries anything at all (§1.3: a chunk may be empty). */
export function isEmptyPayload(args: Args, kwargs: Dict): boolean {
  return args.length === 0 && !hasKeys(kwargs);
}
