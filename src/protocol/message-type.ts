/**
 * WAMP v2 message type codes (spec §1.4), one constant each, imported as a namespace:
 * `import * as MessageType from './message-type.js'` then `MessageType.CALL`.
 *
 * Why not an `enum`: TypeScript compiles an enum to an object that every use reads a property
 * of (`MessageType.CALL` stays `c.CALL` in a minified bundle, plus the enum's own code), while
 * a bundler inlines a constant (`48`): about 400 bytes gzipped of the browser core. Each code is
 * also a type of the same name, so `[MessageType.CALL, number, …]` still types a message tuple.
 */

export const HELLO = 1;
export type HELLO = typeof HELLO;
export const WELCOME = 2;
export type WELCOME = typeof WELCOME;
export const ABORT = 3;
export type ABORT = typeof ABORT;
export const CHALLENGE = 4;
export type CHALLENGE = typeof CHALLENGE;
export const AUTHENTICATE = 5;
export type AUTHENTICATE = typeof AUTHENTICATE;
export const GOODBYE = 6;
export type GOODBYE = typeof GOODBYE;
export const ERROR = 8;
export type ERROR = typeof ERROR;
export const PUBLISH = 16;
export type PUBLISH = typeof PUBLISH;
export const PUBLISHED = 17;
export type PUBLISHED = typeof PUBLISHED;
export const SUBSCRIBE = 32;
export type SUBSCRIBE = typeof SUBSCRIBE;
export const SUBSCRIBED = 33;
export type SUBSCRIBED = typeof SUBSCRIBED;
export const UNSUBSCRIBE = 34;
export type UNSUBSCRIBE = typeof UNSUBSCRIBE;
export const UNSUBSCRIBED = 35;
export type UNSUBSCRIBED = typeof UNSUBSCRIBED;
export const EVENT = 36;
export type EVENT = typeof EVENT;
export const CALL = 48;
export type CALL = typeof CALL;
export const CANCEL = 49;
export type CANCEL = typeof CANCEL;
export const RESULT = 50;
export type RESULT = typeof RESULT;
export const REGISTER = 64;
export type REGISTER = typeof REGISTER;
export const REGISTERED = 65;
export type REGISTERED = typeof REGISTERED;
export const UNREGISTER = 66;
export type UNREGISTER = typeof UNREGISTER;
export const UNREGISTERED = 67;
export type UNREGISTERED = typeof UNREGISTERED;
export const INVOCATION = 68;
export type INVOCATION = typeof INVOCATION;
export const INTERRUPT = 69;
export type INTERRUPT = typeof INTERRUPT;
export const YIELD = 70;
export type YIELD = typeof YIELD;
