/**
 * WAMP v2 message codes and their typed tuples (one union, as on the wire).
 * The tuples describe messages as they leave validation: payload slots (args, kwargs) are
 * always present, missing or null slots having been normalised to [] / {} at the edge, so no
 * layer above has to check. Outgoing messages are built with `withPayload`, which omits empty
 * trailing slots as §1.3 asks.
 */

import { SerializationError } from '../codec/codec.js';
import { builtShape } from '../codec/encoded-shape.js';

// The codes are constants, not an enum, so a bundle inlines them (see message-type.ts). Code
// that goes into the browser core imports message-type.js itself: through this re-export a
// bundler keeps the namespace as an object.
import * as MessageType from './message-type.js';
export { MessageType };

/** A WAMP dictionary: kwargs, options, details (a plain object with string keys). */
export type Dict = Record<string, unknown>;

/** One shared empty dict, for options and details the hot paths would otherwise build per message; frozen, so no one fills it. */
export const EMPTY_DICT: Readonly<Dict> = Object.freeze({});
/** A WAMP message's positional arguments (a list). */
export type Args = unknown[];

/** Request types an ERROR may answer (spec §3.4). */
export type ErrorRequestType =
  | MessageType.PUBLISH
  | MessageType.SUBSCRIBE
  | MessageType.UNSUBSCRIBE
  | MessageType.CALL
  | MessageType.REGISTER
  | MessageType.UNREGISTER
  | MessageType.INVOCATION;

export type HelloMessage = [MessageType.HELLO, string, Dict];
export type WelcomeMessage = [MessageType.WELCOME, number, Dict];
export type AbortMessage = [MessageType.ABORT, Dict, string, Args, Dict];
export type ChallengeMessage = [MessageType.CHALLENGE, string, Dict];
export type AuthenticateMessage = [MessageType.AUTHENTICATE, string, Dict];
export type GoodbyeMessage = [MessageType.GOODBYE, Dict, string];
export type ErrorMessage = [MessageType.ERROR, ErrorRequestType, number, Dict, string, Args, Dict];
export type PublishMessage = [MessageType.PUBLISH, number, Dict, string, Args, Dict];
export type PublishedMessage = [MessageType.PUBLISHED, number, number];
export type SubscribeMessage = [MessageType.SUBSCRIBE, number, Dict, string];
export type SubscribedMessage = [MessageType.SUBSCRIBED, number, number];
export type UnsubscribeMessage = [MessageType.UNSUBSCRIBE, number, number];
/** Request id 0 with a Details dict is the revocation form (§7.7). */
export type UnsubscribedMessage = [MessageType.UNSUBSCRIBED, number, Dict?];
export type EventMessage = [MessageType.EVENT, number, number, Dict, Args, Dict];
export type CallMessage = [MessageType.CALL, number, Dict, string, Args, Dict];
export type CancelMessage = [MessageType.CANCEL, number, Dict];
/**
 * RESULT is the exception to filled payload slots: it is what a streaming call receives per
 * progressive result, so validation leaves missing (or null) slots alone and the caller,
 * its only reader, treats them as [] / {}; copying the array to fill them costs per result.
 */
export type ResultMessage = [MessageType.RESULT, number, Dict, (Args | null)?, (Dict | null)?];
export type RegisterMessage = [MessageType.REGISTER, number, Dict, string];
export type RegisteredMessage = [MessageType.REGISTERED, number, number];
export type UnregisterMessage = [MessageType.UNREGISTER, number, number];
/** Request id 0 with a Details dict is the revocation form (§6.8). */
export type UnregisteredMessage = [MessageType.UNREGISTERED, number, Dict?];
export type InvocationMessage = [MessageType.INVOCATION, number, number, Dict, Args, Dict];
export type InterruptMessage = [MessageType.INTERRUPT, number, Dict];
export type YieldMessage = [MessageType.YIELD, number, Dict, Args, Dict];

export type WampMessage =
  | HelloMessage
  | WelcomeMessage
  | AbortMessage
  | ChallengeMessage
  | AuthenticateMessage
  | GoodbyeMessage
  | ErrorMessage
  | PublishMessage
  | PublishedMessage
  | SubscribeMessage
  | SubscribedMessage
  | UnsubscribeMessage
  | UnsubscribedMessage
  | EventMessage
  | CallMessage
  | CancelMessage
  | ResultMessage
  | RegisterMessage
  | RegisteredMessage
  | UnregisterMessage
  | UnregisteredMessage
  | InvocationMessage
  | InterruptMessage
  | YieldMessage;

export const MESSAGE_NAMES: Readonly<Record<number, string>> = {
  1: 'HELLO',
  2: 'WELCOME',
  3: 'ABORT',
  4: 'CHALLENGE',
  5: 'AUTHENTICATE',
  6: 'GOODBYE',
  8: 'ERROR',
  16: 'PUBLISH',
  17: 'PUBLISHED',
  32: 'SUBSCRIBE',
  33: 'SUBSCRIBED',
  34: 'UNSUBSCRIBE',
  35: 'UNSUBSCRIBED',
  36: 'EVENT',
  48: 'CALL',
  49: 'CANCEL',
  50: 'RESULT',
  64: 'REGISTER',
  65: 'REGISTERED',
  66: 'UNREGISTER',
  67: 'UNREGISTERED',
  68: 'INVOCATION',
  69: 'INTERRUPT',
  70: 'YIELD',
};

/**
 * Finishes a message whose last two elements are its args and kwargs (either may be
 * undefined), following §1.3: an empty trailing kwargs is left off, and args too when it is
 * empty and no kwargs follow; args becomes [] when kwargs needs it in front. The literal is
 * written with both slots and trimmed in place: appending to a literal would make V8 move it
 * to a larger backing store, once per message on the hot paths (CALL, YIELD, RESULT). It is
 * trimmed with pop(), which V8 inlines; assigning `length` is a runtime call that also trims
 * the backing store (about 0.5 µs per CALL, bench/PROFILE.md §6).
 */
export function withPayload(message: unknown[]): unknown[] {
  const argsAt = message.length - 2;
  const args: unknown = message[argsAt];
  const kwargs: unknown = message[argsAt + 1];
  // Typed as an array and a dict, but a callee's payload() or a handler's WampError may hold
  // anything: what would make the message invalid fails this message alone, before it is sent
  // (the codec checks what each slot is written as, encoded-shape.ts). null counts as absent.
  if ((args != null && !Array.isArray(args)) || (kwargs != null && builtShape(kwargs) !== '{')) {
    throw new SerializationError('args must be an array, kwargs a dict');
  }
  if (kwargs != null && hasKeys(kwargs as Dict)) {
    if (args == null) message[argsAt] = [];
  } else {
    message.pop();
    if (args == null || (args as Args).length === 0) message.pop();
  }
  return message;
}

/** Whether an object has an own enumerable key, without building the list of its keys. */
export function hasKeys(object: Dict): boolean {
  for (const key in object) if (Object.prototype.hasOwnProperty.call(object, key)) return true;
  return false;
}
