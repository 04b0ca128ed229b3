import { describeInvalidUri } from '../protocol/uri.js';
import type { CallOptions, PublishOptions, RegisterOptions, SubscribeOptions } from '../roles/types.js';

/**
 * Checks what the application passes before anything is sent or connected, so bad input
 * fails only its own operation with a TypeError saying what is wrong.
 */

export function checkPayload(args: unknown, kwargs: unknown): string | undefined {
  if (args !== undefined && args !== null && !Array.isArray(args)) return `args must be an array, got ${describeType(args)}`;
  if (kwargs !== undefined && kwargs !== null && !isPlainObject(kwargs)) return `kwargs must be a plain object, got ${describeType(kwargs)}`;
  return undefined;
}

const CANCEL_MODES = new Set(['skip', 'kill', 'killnowait']);

export function checkCall(procedure: unknown, args: unknown, kwargs: unknown, options: CallOptions | undefined): string | undefined {
  return describeInvalidUri(procedure, 'procedure')
    ?? checkPayload(args, kwargs)
    ?? (options?.cancelMode !== undefined && !CANCEL_MODES.has(options.cancelMode)
      ? `cancelMode must be skip, kill or killnowait, got ${String(options.cancelMode)}` : undefined)
    ?? (options?.timeout !== undefined && !(Number.isInteger(options.timeout) && options.timeout >= 0)
      ? `timeout must be a non-negative integer (ms), got ${String(options.timeout)}` : undefined);
}

export function checkRegister(procedure: unknown, handler: unknown, options: RegisterOptions | undefined): string | undefined {
  return checkPattern(procedure, 'procedure', options?.match)
    ?? (typeof handler === 'function' ? undefined : `handler must be a function, got ${describeType(handler)}`);
}

export function checkSubscribe(topic: unknown, options: SubscribeOptions | undefined): string | undefined {
  return checkPattern(topic, 'topic', options?.match);
}

export function checkPublish(topic: unknown, args: unknown, kwargs: unknown, options: PublishOptions | undefined): string | undefined {
  return describeInvalidUri(topic, 'topic')
    ?? checkPayload(args, kwargs)
    ?? checkIdList(options?.exclude, 'exclude')
    ?? checkIdList(options?.eligible, 'eligible');
}

/** A URI to register or subscribe: wildcard patterns may have empty components. */
function checkPattern(uri: unknown, what: string, match: string | undefined): string | undefined {
  if (match !== undefined && match !== 'exact' && match !== 'prefix' && match !== 'wildcard') {
    return `match must be exact, prefix or wildcard, got ${String(match)}`;
  }
  return describeInvalidUri(uri, what, match === 'wildcard' ? { match } : {});
}

function checkIdList(ids: unknown, what: string): string | undefined {
  if (ids === undefined) return undefined;
  return Array.isArray(ids) && ids.every((id) => Number.isInteger(id) && id > 0) ? undefined : `${what} must be a list of session ids`;
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
