import { EMPTY_DICT, type Args, type Dict } from '../protocol/messages.js';
import { describeInvalidUri, type UriCheckOptions } from '../protocol/uri.js';
import type { TopicMatch } from '../roles/subscriber.js';
import type { CallOptions, CancelMode, InvokePolicy, PublishOptions, RegisterOptions, SubscribeOptions } from '../roles/types.js';

/**
 * Reads what the application passes, once, before anything is sent or connected. Bad input
 * fails only its own operation with a TypeError saying what is wrong, whatever it is made of:
 * `null`, getters that throw, Proxies, symbols. Each reader returns a plain snapshot, so the
 * roles never touch the application's objects again (only args and kwargs are read at encode
 * time, where the codec turns any failure into a SerializationError).
 */

/** URIs longer than this are refused: no router needs one, and a runaway string is caught early. */
export const MAX_URI_LENGTH = 4096;

export interface CallInput {
  readonly procedure: string;
  readonly args: Args | undefined;
  readonly kwargs: Dict | undefined;
  readonly options: CallOptions;
}

export interface RegisterInput {
  readonly procedure: string;
  readonly options: RegisterOptions;
}

export interface SubscribeInput {
  readonly topic: string;
  readonly match: TopicMatch;
  readonly onSubscribed: SubscribeOptions['onSubscribed'];
}

export interface PublishInput {
  readonly topic: string;
  readonly args: Args | undefined;
  readonly kwargs: Dict | undefined;
  readonly options: PublishOptions;
}

/** Shared, read-only: the readers run per call and per publish. */
const WILDCARD_URI: UriCheckOptions = Object.freeze({ match: 'wildcard' });

const CANCEL_MODES: ReadonlySet<unknown> = new Set(['skip', 'kill', 'killnowait']);
const MATCH_POLICIES: ReadonlySet<unknown> = new Set(['exact', 'prefix', 'wildcard']);
const INVOKE_POLICIES: ReadonlySet<unknown> = new Set(['single', 'roundrobin', 'random', 'first', 'last']);

export function readCall(procedure: unknown, args: unknown, kwargs: unknown, options: unknown): CallInput {
  try {
    const uri = readUri(procedure, 'procedure', 'exact');
    checkPayload(args, kwargs);
    const given = readOptionsObject(options);
    const cancelMode = given['cancelMode'];
    if (cancelMode !== undefined && !CANCEL_MODES.has(cancelMode)) fail(`cancelMode must be skip, kill or killnowait, got ${show(cancelMode)}`);
    const timeout = given['timeout'];
    if (timeout !== undefined && !(Number.isSafeInteger(timeout) && (timeout as number) >= 0))
      fail(`timeout must be a non-negative integer (ms), got ${show(timeout)}`);
    const snapshot: Snapshot<CallOptions> = {};
    put(snapshot, 'receiveProgress', readBoolean(given['receiveProgress'], 'receiveProgress'));
    put(snapshot, 'timeout', timeout as number | undefined);
    put(snapshot, 'discloseMe', readBoolean(given['discloseMe'], 'discloseMe'));
    put(snapshot, 'cancelMode', cancelMode as CancelMode | undefined);
    return { procedure: uri, args: (args ?? undefined) as Args | undefined, kwargs: (kwargs ?? undefined) as Dict | undefined, options: snapshot };
  } catch (error) {
    throw asInputError(error);
  }
}

export function readRegister(procedure: unknown, handler: unknown, options: unknown): RegisterInput {
  try {
    const given = readOptionsObject(options);
    const match = readMatch(given['match']);
    const uri = readUri(procedure, 'procedure', match);
    if (typeof handler !== 'function') fail(`handler must be a function, got ${describeType(handler)}`);
    const invoke = given['invoke'];
    if (invoke !== undefined && !INVOKE_POLICIES.has(invoke)) fail(`invoke must be single, roundrobin, random, first or last, got ${show(invoke)}`);
    const snapshot: Snapshot<RegisterOptions> = { match };
    put(snapshot, 'invoke', invoke as InvokePolicy | undefined);
    put(snapshot, 'discloseCaller', readBoolean(given['discloseCaller'], 'discloseCaller'));
    return { procedure: uri, options: snapshot };
  } catch (error) {
    throw asInputError(error);
  }
}

export function readSubscribe(topic: unknown, options: unknown): SubscribeInput {
  try {
    const given = readOptionsObject(options);
    const match = readMatch(given['match']);
    const onSubscribed = given['onSubscribed'];
    if (onSubscribed !== undefined && typeof onSubscribed !== 'function') fail(`onSubscribed must be a function, got ${describeType(onSubscribed)}`);
    return { topic: readUri(topic, 'topic', match), match, onSubscribed: onSubscribed as SubscribeInput['onSubscribed'] };
  } catch (error) {
    throw asInputError(error);
  }
}

export function readPublish(topic: unknown, args: unknown, kwargs: unknown, options: unknown): PublishInput {
  try {
    const uri = readUri(topic, 'topic', 'exact');
    checkPayload(args, kwargs);
    const given = readOptionsObject(options);
    const snapshot: Snapshot<PublishOptions> = {};
    // Read in loops: a line per option costs more in a bundle.
    for (const name of ['acknowledge', 'excludeMe', 'discloseMe'] as const) put(snapshot, name, readBoolean(given[name], name));
    for (const name of ['exclude', 'eligible'] as const) put(snapshot, name, readIdList(given[name], name));
    for (const name of ['excludeAuthid', 'excludeAuthrole', 'eligibleAuthid', 'eligibleAuthrole'] as const)
      put(snapshot, name, readStringList(given[name], name));
    return { topic: uri, args: (args ?? undefined) as Args | undefined, kwargs: (kwargs ?? undefined) as Dict | undefined, options: snapshot };
  } catch (error) {
    throw asInputError(error);
  }
}

/** What a reader threw, as the TypeError the application gets: its own TypeErrors as they are. */
function asInputError(error: unknown): TypeError {
  if (error instanceof TypeError) return error;
  return new TypeError(`invalid input: ${error instanceof Error ? error.message : 'a value could not be read'}`, { cause: error });
}

function fail(message: string): never {
  throw new TypeError(message);
}

function readUri(uri: unknown, what: string, match: TopicMatch): string {
  if (typeof uri === 'string' && uri.length > MAX_URI_LENGTH) fail(`${what} is ${uri.length} characters long, over the limit of ${MAX_URI_LENGTH}`);
  const invalid = describeInvalidUri(uri, what, match === 'wildcard' ? WILDCARD_URI : undefined);
  if (invalid) fail(typeof uri === 'string' ? invalid : `${what} must be a string URI, got ${describeType(uri)}`);
  return uri as string;
}

/** args: an array or nothing (null counts as nothing); kwargs: a plain object or nothing. */
function checkPayload(args: unknown, kwargs: unknown): void {
  if (args !== undefined && args !== null && !Array.isArray(args)) fail(`args must be an array, got ${describeType(args)}`);
  if (kwargs !== undefined && kwargs !== null && !isPlainObject(kwargs)) fail(`kwargs must be a plain object, got ${describeType(kwargs)}`);
}

/** `undefined` and `null` mean no options. */
function readOptionsObject(options: unknown): Readonly<Record<string, unknown>> {
  if (options === undefined || options === null) return EMPTY_DICT;
  if (typeof options !== 'object') fail(`options must be an object, got ${describeType(options)}`);
  return options as Record<string, unknown>;
}

function readMatch(match: unknown): TopicMatch {
  if (match === undefined) return 'exact';
  if (!MATCH_POLICIES.has(match)) fail(`match must be exact, prefix or wildcard, got ${show(match)}`);
  return match as TopicMatch;
}

function readBoolean(value: unknown, what: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') fail(`${what} must be a boolean, got ${describeType(value)}`);
  return value;
}

function readIdList(ids: unknown, what: string): readonly number[] | undefined {
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids)) fail(`${what} must be a list of session ids, got ${describeType(ids)}`);
  const copy = [...(ids as unknown[])];
  if (!copy.every((id) => Number.isSafeInteger(id) && (id as number) > 0)) fail(`${what} must be a list of session ids (positive integers)`);
  return copy as number[];
}

function readStringList(values: unknown, what: string): readonly string[] | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values)) fail(`${what} must be a list of strings, got ${describeType(values)}`);
  const copy = [...(values as unknown[])];
  if (!copy.every((value) => typeof value === 'string')) fail(`${what} must be a list of strings`);
  return copy;
}

/** An options snapshot while it is being filled in. */
type Snapshot<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Sets `key` only when `value` is defined, so snapshots carry no undefined keys. (Assigning in
 * place rather than spreading one object per option: `call$` and `publish` run this per call.)
 */
function put<T, K extends keyof T>(snapshot: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) snapshot[key] = value;
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A short description of a value's kind that cannot throw (no getters, no coercion). */
function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    try {
      const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
      return typeof name === 'string' && name !== '' ? name : 'object';
    } catch {
      return 'object';
    }
  }
  return typeof value;
}

/** A value for an error message: primitives as themselves (short), others by kind. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === undefined) return String(value);
  return describeType(value);
}
