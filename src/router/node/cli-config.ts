import { readFile } from 'node:fs/promises';
import type { Authenticator } from '../core/auth.js';
import { anonymousAuth } from '../core/authenticators/anonymous.js';
import { cryptosignAuth } from '../core/authenticators/cryptosign.js';
import { ticketAuth, type TicketPrincipal } from '../core/authenticators/ticket.js';
import { wampcraAuth, type CraDecoyShape, type CraPrincipal } from '../core/authenticators/wampcra.js';
import type { RealmOptions, RouterOptions } from '../core/router-options.js';
import type { SessionLimits } from '../core/session-limits.js';

/**
 * The JSON form of RouterOptions that `rxwamp-router --config <file>` reads: the same keys, with
 * each authenticator written as `{ "authmethod": "ticket" | "wampcra" | "cryptosign" | "anonymous",
 * ...its options }`. What JSON cannot hold is left out: `authorize` and `onInternalError`
 * (functions), principal lookup functions (the tables are the JSON form) and `serializers`
 * (codec objects: the command's --serializers chooses them by name).
 *
 * ```json
 * {
 *   "realms": [
 *     "public",
 *     { "uri": "com.example.app",
 *       "authenticators": [
 *         { "authmethod": "ticket", "principals": { "joe": { "ticket": "joe-ticket", "authrole": "frontend" } } },
 *         { "authmethod": "wampcra", "principals": { "peter": { "secret": "secret1", "authrole": "user" } } },
 *         { "authmethod": "cryptosign", "principals": { "alice": { "authorizedKeys": ["<64 hex>"], "authrole": "device" } } }
 *       ],
 *       "sessionLimits": { "maxRegistrations": 100 } }
 *   ],
 *   "authenticators": [{ "authmethod": "anonymous", "authrole": "guest" }],
 *   "maxMessageSize": 1048576
 * }
 * ```
 */
export type RouterConfig = Omit<RouterOptions, 'realms' | 'authorize' | 'onInternalError' | 'serializers'> & {
  readonly realms: readonly (string | RealmOptions)[];
};

/** A config file that cannot be used; the message names the file and the key at fault. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** RouterOptions' numeric keys. The Record makes the compiler insist that a new one be listed here. */
type NumericOption = { [K in keyof RouterOptions]-?: Exclude<RouterOptions[K], undefined> extends number ? K : never }[keyof RouterOptions];
const NUMERIC_OPTIONS: Readonly<Record<NumericOption, true>> = {
  maxMessageSize: true,
  maxFrameSize: true,
  closeGraceMs: true,
  handshakeTimeoutMs: true,
  maxBufferedBytes: true,
  flowHighWaterMark: true,
  flowLowWaterMark: true,
  stalledPeerTimeoutMs: true,
  pingInterval: true,
  pongTimeout: true,
};
const SESSION_LIMITS: Readonly<Record<keyof SessionLimits, true>> = {
  maxUriLength: true,
  maxRegistrations: true,
  maxSubscriptions: true,
  maxCallsInFlight: true,
  maxPendingInvocations: true,
};
const AUTHMETHODS = ['anonymous', 'ticket', 'wampcra', 'cryptosign'] as const;
const HEX_KEY = /^[0-9a-fA-F]{64}$/;

/** Reads and checks a config file; every problem is a ConfigError that names the file. */
export async function readRouterConfig(file: string): Promise<RouterConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new ConfigError(`cannot read config file ${file}: ${why}`);
  }
  return parseRouterConfig(text, file);
}

/** The config in `text` (JSON), checked key by key; `file` only names it in errors. */
export function parseRouterConfig(text: string, file: string): RouterConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return routerConfig(json);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`config file ${file}: ${error.message}`);
    throw error;
  }
}

function routerConfig(json: unknown): RouterConfig {
  const root = object(json, 'the file');
  onlyKeys(root, 'the file', ['realms', 'authenticators', 'sessionLimits', ...Object.keys(NUMERIC_OPTIONS)]);
  const options: Record<string, unknown> = {};
  for (const key of Object.keys(NUMERIC_OPTIONS)) {
    // Ranges are the Router's to check (its TypeError names the option); here only the type.
    if (root[key] !== undefined) options[key] = number(root[key], key);
  }
  if (root['authenticators'] !== undefined) options['authenticators'] = authenticators(root['authenticators'], 'authenticators');
  if (root['sessionLimits'] !== undefined) options['sessionLimits'] = sessionLimits(root['sessionLimits'], 'sessionLimits');
  const realms = root['realms'] === undefined ? [] : array(root['realms'], 'realms').map((entry, index) => realm(entry, `realms[${index}]`));
  return { ...options, realms };
}

function realm(json: unknown, at: string): string | RealmOptions {
  if (typeof json === 'string') return json;
  const entry = object(json, at, 'a realm URI or { "uri", "authenticators"?, "sessionLimits"? }');
  onlyKeys(entry, at, ['uri', 'authenticators', 'sessionLimits']);
  return {
    uri: string(entry['uri'], `${at}.uri`),
    ...(entry['authenticators'] === undefined ? {} : { authenticators: authenticators(entry['authenticators'], `${at}.authenticators`) }),
    ...(entry['sessionLimits'] === undefined ? {} : { sessionLimits: sessionLimits(entry['sessionLimits'], `${at}.sessionLimits`) }),
  };
}

function sessionLimits(json: unknown, at: string): SessionLimits {
  const limits = object(json, at);
  onlyKeys(limits, at, Object.keys(SESSION_LIMITS));
  const result: Record<string, number> = {};
  for (const [key, value] of Object.entries(limits)) result[key] = number(value, `${at}.${key}`);
  return result;
}

function authenticators(json: unknown, at: string): Authenticator[] {
  return array(json, at).map((entry, index) => authenticator(entry, `${at}[${index}]`));
}

function authenticator(json: unknown, at: string): Authenticator {
  const entry = object(json, at, `{ "authmethod": ${AUTHMETHODS.map((m) => `"${m}"`).join(' | ')}, … }`);
  const method = entry['authmethod'];
  switch (method) {
    case 'anonymous':
      onlyKeys(entry, at, ['authmethod', 'authrole']);
      return anonymousAuth(entry['authrole'] === undefined ? {} : { authrole: string(entry['authrole'], `${at}.authrole`) });
    case 'ticket':
      onlyKeys(entry, at, ['authmethod', 'principals']);
      return ticketAuth({ principals: principals(entry['principals'], `${at}.principals`, ticketPrincipal) });
    case 'wampcra':
      onlyKeys(entry, at, ['authmethod', 'principals', 'decoys', 'decoySecret']);
      return wampcraAuth({
        principals: principals(entry['principals'], `${at}.principals`, craPrincipal),
        ...(entry['decoys'] === undefined ? {} : { decoys: craDecoys(entry['decoys'], `${at}.decoys`) }),
        ...(entry['decoySecret'] === undefined ? {} : { decoySecret: string(entry['decoySecret'], `${at}.decoySecret`) }),
      });
    case 'cryptosign':
      onlyKeys(entry, at, ['authmethod', 'principals']);
      return cryptosignAuth({ principals: principals(entry['principals'], `${at}.principals`, cryptosignPrincipal) });
    default:
      throw new ConfigError(`${at}.authmethod must be one of ${AUTHMETHODS.map((m) => `"${m}"`).join(', ')}, got ${describe(method)}`);
  }
}

function principals<P>(json: unknown, at: string, principal: (json: unknown, at: string) => P): Record<string, P> {
  const table = object(json, at, 'an object of principals by authid');
  const result: Record<string, P> = {};
  for (const [authid, entry] of Object.entries(table)) result[authid] = principal(entry, `${at}.${authid}`);
  return result;
}

function ticketPrincipal(json: unknown, at: string): TicketPrincipal {
  const entry = object(json, at, '{ "ticket", "authrole" }');
  onlyKeys(entry, at, ['ticket', 'authrole']);
  return { ticket: string(entry['ticket'], `${at}.ticket`), authrole: string(entry['authrole'], `${at}.authrole`) };
}

function craPrincipal(json: unknown, at: string): CraPrincipal {
  const entry = object(json, at, '{ "secret", "authrole", "salt"?, "iterations"?, "keylen"? }');
  onlyKeys(entry, at, ['secret', 'authrole', 'salt', 'iterations', 'keylen']);
  return {
    secret: string(entry['secret'], `${at}.secret`),
    authrole: string(entry['authrole'], `${at}.authrole`),
    ...(entry['salt'] === undefined ? {} : { salt: string(entry['salt'], `${at}.salt`) }),
    ...(entry['iterations'] === undefined ? {} : { iterations: positiveInteger(entry['iterations'], `${at}.iterations`) }),
    ...(entry['keylen'] === undefined ? {} : { keylen: positiveInteger(entry['keylen'], `${at}.keylen`) }),
  };
}

function craDecoys(json: unknown, at: string): CraDecoyShape[] {
  const shapes = array(json, at);
  // wampcraAuth refuses an empty list too, but with a TypeError that names no file.
  if (shapes.length === 0) throw new ConfigError(`${at} must not be empty`);
  return shapes.map((shape, index) => {
    const where = `${at}[${index}]`;
    const entry = object(shape, where, '{ "authrole", "salted"? }');
    onlyKeys(entry, where, ['authrole', 'salted']);
    const authrole = string(entry['authrole'], `${where}.authrole`);
    if (entry['salted'] === undefined) return { authrole };
    const salted = object(entry['salted'], `${where}.salted`);
    onlyKeys(salted, `${where}.salted`, ['iterations', 'keylen', 'saltLength', 'saltAlphabet', 'saltPadding']);
    return {
      authrole,
      salted: {
        iterations: positiveInteger(salted['iterations'], `${where}.salted.iterations`),
        keylen: positiveInteger(salted['keylen'], `${where}.salted.keylen`),
        saltLength: positiveInteger(salted['saltLength'], `${where}.salted.saltLength`),
        ...(salted['saltAlphabet'] === undefined ? {} : { saltAlphabet: string(salted['saltAlphabet'], `${where}.salted.saltAlphabet`) }),
        ...(salted['saltPadding'] === undefined ? {} : { saltPadding: number(salted['saltPadding'], `${where}.salted.saltPadding`) }),
      },
    };
  });
}

function cryptosignPrincipal(json: unknown, at: string): { authrole: string; authorizedKeys: string[] } {
  const entry = object(json, at, '{ "authorizedKeys", "authrole" }');
  onlyKeys(entry, at, ['authorizedKeys', 'authrole']);
  const authorizedKeys = array(entry['authorizedKeys'], `${at}.authorizedKeys`).map((key, index) => {
    const where = `${at}.authorizedKeys[${index}]`;
    // A malformed key would only ever refuse its owner at join time; say so at start instead.
    if (typeof key !== 'string' || !HEX_KEY.test(key))
      throw new ConfigError(`${where} must be an Ed25519 public key as 64 hex characters, got ${describe(key)}`);
    return key;
  });
  return { authorizedKeys, authrole: string(entry['authrole'], `${at}.authrole`) };
}

// The readers below check one JSON value each and name it by its path in errors.

function object(json: unknown, at: string, expected = 'an object'): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ConfigError(`${at} must be ${expected}, got ${describe(json)}`);
  return json as Record<string, unknown>;
}

function array(json: unknown, at: string): unknown[] {
  if (!Array.isArray(json)) throw new ConfigError(`${at} must be an array, got ${describe(json)}`);
  return json;
}

function string(json: unknown, at: string): string {
  if (typeof json !== 'string') throw new ConfigError(`${at} must be a string, got ${describe(json)}`);
  return json;
}

function number(json: unknown, at: string): number {
  if (typeof json !== 'number') throw new ConfigError(`${at} must be a number, got ${describe(json)}`);
  return json;
}

function positiveInteger(json: unknown, at: string): number {
  if (typeof json !== 'number' || !Number.isSafeInteger(json) || json < 1) throw new ConfigError(`${at} must be a positive integer, got ${describe(json)}`);
  return json;
}

/** A misspelt key would otherwise be ignored silently (a realm left open, a limit not applied). */
function onlyKeys(json: Record<string, unknown>, at: string, allowed: readonly string[]): void {
  for (const key of Object.keys(json)) {
    if (!allowed.includes(key)) throw new ConfigError(`${at} has an unknown key "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

function describe(json: unknown): string {
  if (json === undefined) return 'nothing';
  const text = JSON.stringify(json);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
