import * as MessageType from './message-type.js';
import type { WampMessage } from './messages.js';
import { CLIENT_RULES, receiverRules, validateWith, type Receiver } from './validate.js';

/** What a router may receive. Here, not in validate.ts, so that the browser core does not carry it. */
const ROUTER_RULES = receiverRules(
  'router',
  [
    MessageType.HELLO,
    MessageType.ABORT,
    MessageType.AUTHENTICATE,
    MessageType.GOODBYE,
    MessageType.ERROR,
    MessageType.PUBLISH,
    MessageType.SUBSCRIBE,
    MessageType.UNSUBSCRIBE,
    MessageType.CALL,
    MessageType.CANCEL,
    MessageType.REGISTER,
    MessageType.UNREGISTER,
    MessageType.YIELD,
  ],
  [MessageType.INVOCATION],
);

/** `validateWith` for a side named: checks an incoming frame as the client or the router receives it. */
export function validateMessage(raw: unknown, receiver: Receiver): WampMessage {
  return validateWith(raw, receiver === 'client' ? CLIENT_RULES : ROUTER_RULES);
}
