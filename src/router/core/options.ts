import { isId, ProtocolViolation, type Dict } from '../../protocol/index.js';

/**
 * Readers for the Options keys the router acts on. A known key with a value of the wrong
 * type is a malformed message (protocol violation, as Crossbar treats it); unknown keys are
 * ignored (spec §1.2). CALL.Options.timeout is read by the dealer (callTimeout): a bad one fails
 * only its call, with wamp.error.invalid_argument.
 */

export function boolOption(options: Dict, key: string): boolean | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ProtocolViolation(`option "${key}" must be a bool`);
  return value;
}

export function stringOption(options: Dict, key: string): string | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ProtocolViolation(`option "${key}" must be a string`);
  return value;
}

export function oneOfOption<T extends string>(options: Dict, key: string, allowed: readonly T[]): T | undefined {
  const value = stringOption(options, key);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ProtocolViolation(`option "${key}" must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

export function idListOption(options: Dict, key: string): ReadonlySet<number> | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every(isId)) throw new ProtocolViolation(`option "${key}" must be a list of ids`);
  return new Set(value);
}

export function stringListOption(options: Dict, key: string): ReadonlySet<string> | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new ProtocolViolation(`option "${key}" must be a list of strings`);
  }
  return new Set(value);
}
