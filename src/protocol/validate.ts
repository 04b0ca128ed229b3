import { MAX_ID } from './ids.js';
import * as MessageType from './message-type.js';
import type { WampMessage } from './messages.js';

/** Which side is reading: the set of legal incoming messages differs (spec §2). */
export type Receiver = 'client' | 'router';

/** A frame that breaks the protocol; the session answers ABORT wamp.error.protocol_violation. */
export class ProtocolViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolViolation';
  }
}

type Kind = 'id' | 'idOrZero' | 'uri' | 'string' | 'dict' | 'requestType';

interface Layout {
  /** Kinds of the fixed elements after the type code. */
  readonly kinds: readonly Kind[];
  /** Extra optional fixed elements (e.g. UNSUBSCRIBE's trailing Options seen from Autobahn). */
  readonly optional?: readonly Kind[];
  /** Whether Arguments / ArgumentsKw may follow the fixed elements. */
  readonly payload?: true;
}

const LAYOUTS: Readonly<Record<number, Layout>> = {
  [MessageType.HELLO]: { kinds: ['uri', 'dict'] },
  [MessageType.WELCOME]: { kinds: ['id', 'dict'] },
  [MessageType.ABORT]: { kinds: ['dict', 'uri'], payload: true },
  [MessageType.CHALLENGE]: { kinds: ['string', 'dict'] },
  [MessageType.AUTHENTICATE]: { kinds: ['string', 'dict'] },
  [MessageType.GOODBYE]: { kinds: ['dict', 'uri'] },
  [MessageType.ERROR]: { kinds: ['requestType', 'id', 'dict', 'uri'], payload: true },
  [MessageType.PUBLISH]: { kinds: ['id', 'dict', 'uri'], payload: true },
  [MessageType.PUBLISHED]: { kinds: ['id', 'id'] },
  [MessageType.SUBSCRIBE]: { kinds: ['id', 'dict', 'uri'] },
  [MessageType.SUBSCRIBED]: { kinds: ['id', 'id'] },
  [MessageType.UNSUBSCRIBE]: { kinds: ['id', 'id'], optional: ['dict'] },
  [MessageType.UNSUBSCRIBED]: { kinds: ['idOrZero'], optional: ['dict'] },
  [MessageType.EVENT]: { kinds: ['id', 'id', 'dict'], payload: true },
  [MessageType.CALL]: { kinds: ['id', 'dict', 'uri'], payload: true },
  [MessageType.CANCEL]: { kinds: ['id', 'dict'] },
  [MessageType.RESULT]: { kinds: ['id', 'dict'], payload: true },
  [MessageType.REGISTER]: { kinds: ['id', 'dict', 'uri'] },
  [MessageType.REGISTERED]: { kinds: ['id', 'id'] },
  [MessageType.UNREGISTER]: { kinds: ['id', 'id'] },
  [MessageType.UNREGISTERED]: { kinds: ['idOrZero'], optional: ['dict'] },
  [MessageType.INVOCATION]: { kinds: ['id', 'id', 'dict'], payload: true },
  [MessageType.INTERRUPT]: { kinds: ['id', 'dict'] },
  [MessageType.YIELD]: { kinds: ['id', 'dict'], payload: true },
};

/**
 * What one side may receive, prepared once by `receiverRules`. The client's rules are here; the
 * router's are in validate-message.ts, which only the router imports, so the browser core does
 * not carry them.
 */
export interface ReceiverRules {
  readonly receiver: Receiver;
  /** By message type: the layouts this side may receive. */
  readonly layouts: ReadonlyArray<CompiledLayout | undefined>;
}

function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** Returns the element in its normalised form, or undefined when it is not of its kind. */
type Check = (value: unknown) => unknown;

function checkId(value: unknown, zeroAllowed: boolean): number | undefined {
  // CBOR/MessagePack decoders may hand out bigint; every legal id fits a double exactly.
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n > MAX_ID) return undefined;
  return n >= 1 || (zeroAllowed && n === 0) ? n : undefined;
}

function checkerFor(kind: Kind, errorRequestTypes: ReadonlySet<number>): Check {
  switch (kind) {
    case 'id':
      return (value) => checkId(value, false);
    case 'idOrZero':
      return (value) => checkId(value, true);
    case 'uri':
      return (value) => (typeof value === 'string' && value.length > 0 ? value : undefined);
    case 'string':
      return (value) => (typeof value === 'string' ? value : undefined);
    case 'dict':
      return (value) => (isDict(value) ? value : undefined);
    case 'requestType':
      return (value) => (typeof value === 'number' && errorRequestTypes.has(value) ? value : undefined);
  }
}

/** A layout prepared for one receiver: checks resolved once, not per message. */
interface CompiledLayout {
  readonly fixed: number;
  readonly maxLength: number;
  readonly kinds: readonly Kind[];
  readonly checks: readonly Check[];
  readonly optionalKinds: readonly Kind[];
  readonly optionalChecks: readonly Check[];
  readonly payload: boolean;
}

/**
 * The rules of a side that may receive the message types `receivable`, and ERRORs that answer
 * the request types `errorRequestTypes` (§3.4).
 */
export function receiverRules(receiver: Receiver, receivable: readonly number[], errorRequestTypes: readonly number[]): ReceiverRules {
  const requestTypes = new Set(errorRequestTypes);
  const table: Array<CompiledLayout | undefined> = [];
  for (const type of receivable) {
    const layout = LAYOUTS[type]!;
    const optionalKinds = layout.optional ?? [];
    const fixed = layout.kinds.length + 1;
    table[type] = {
      fixed,
      maxLength: fixed + optionalKinds.length + (layout.payload ? 2 : 0),
      kinds: layout.kinds,
      checks: layout.kinds.map((kind) => checkerFor(kind, requestTypes)),
      optionalKinds,
      optionalChecks: optionalKinds.map((kind) => checkerFor(kind, requestTypes)),
      payload: layout.payload === true,
    };
  }
  return { receiver, layouts: table };
}

/** What a client may receive. */
export const CLIENT_RULES = receiverRules(
  'client',
  [
    MessageType.WELCOME,
    MessageType.ABORT,
    MessageType.CHALLENGE,
    MessageType.GOODBYE,
    MessageType.ERROR,
    MessageType.PUBLISHED,
    MessageType.SUBSCRIBED,
    MessageType.UNSUBSCRIBED,
    MessageType.EVENT,
    MessageType.RESULT,
    MessageType.REGISTERED,
    MessageType.UNREGISTERED,
    MessageType.INVOCATION,
    MessageType.INTERRUPT,
  ],
  [MessageType.PUBLISH, MessageType.SUBSCRIBE, MessageType.UNSUBSCRIBE, MessageType.CALL, MessageType.REGISTER, MessageType.UNREGISTER],
);

/**
 * The one place an incoming frame is checked: type code, length and the kind of every
 * envelope element (spec §1, §4.8). Returns the message with ids as numbers and payload
 * slots filled in ([] / {} for missing or null; RESULT excepted, see ResultMessage); throws
 * ProtocolViolation otherwise.
 * The decoded array is normalised in place (it is fresh from the codec).
 * (`validateMessage(raw, 'client' | 'router')` in validate-message.ts picks the rules by name.)
 */
export function validateWith(raw: unknown, rules: ReceiverRules): WampMessage {
  // The one message a streaming client receives by the hundred thousand gets its checks
  // written out, and its payload slots are left as they came (see ResultMessage); anything
  // unusual about it (a bigint id, a wrong length) falls through to the general path, which
  // also words the errors.
  if (rules === CLIENT_RULES && Array.isArray(raw) && raw[0] === MessageType.RESULT) {
    const id: unknown = raw[1];
    if (typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= MAX_ID && isDict(raw[2]) && payloadSlotsValid(raw, 3)) {
      return raw as WampMessage;
    }
  }
  return validateGeneric(raw, rules);
}

function validateGeneric(raw: unknown, { receiver, layouts }: ReceiverRules): WampMessage {
  if (!Array.isArray(raw) || raw.length === 0) throw new ProtocolViolation('a WAMP message must be a non-empty array');
  const type: unknown = raw[0];
  const layout = typeof type === 'number' ? layouts[type] : undefined;
  if (layout === undefined) {
    throw new ProtocolViolation(
      typeof type === 'number' && LAYOUTS[type] ? `message type ${type} may not be sent to a ${receiver}` : `unknown message type ${String(type)}`,
    );
  }
  const { fixed, maxLength, checks } = layout;
  if (raw.length < fixed || raw.length > maxLength) {
    throw new ProtocolViolation(`message type ${String(type)} has ${raw.length} elements, expected ${fixed}${maxLength > fixed ? `..${maxLength}` : ''}`);
  }
  for (let i = 1; i < fixed; i++) {
    const value: unknown = raw[i];
    const checked = checks[i - 1]!(value);
    if (checked === undefined) throw new ProtocolViolation(`message type ${String(type)}: element ${i} is not a valid ${layout.kinds[i - 1]}`);
    if (checked !== value) raw[i] = checked;
  }
  const optionalChecks = layout.optionalChecks;
  for (let i = 0; i < optionalChecks.length && fixed + i < raw.length; i++) {
    if (optionalChecks[i]!(raw[fixed + i]) === undefined) {
      throw new ProtocolViolation(`message type ${String(type)}: element ${fixed + i} is not a valid ${layout.optionalKinds[i]}`);
    }
  }
  if (!layout.payload) return raw as WampMessage;
  if (!payloadSlotsValid(raw, fixed)) {
    throw new ProtocolViolation(`message type ${String(type)}: Arguments must be a list and ArgumentsKw a dict`);
  }
  return (type === MessageType.RESULT ? raw : completePayload(raw, fixed)) as WampMessage;
}

/** Arguments (if there) is a list or null, ArgumentsKw (if there) a dict or null. */
function payloadSlotsValid(raw: unknown[], at: number): boolean {
  const length = raw.length;
  if (length > at + 2) return false;
  const args = length > at ? raw[at] : undefined;
  const kwargs = length > at + 1 ? raw[at + 1] : undefined;
  return (args === undefined || args === null || Array.isArray(args)) && (kwargs === undefined || kwargs === null || isDict(kwargs));
}

/**
 * The message (its slots already checked) with both payload slots present: [] / {} for
 * missing or null. Missing slots are added by building a new array of the final length:
 * growing the decoded array in place makes V8 reallocate it.
 */
function completePayload(raw: unknown[], at: number): unknown[] {
  const args = raw[at];
  const kwargs = raw[at + 1];
  if (raw.length === at + 2 && args !== null && kwargs !== null) return raw;
  const filledArgs = args ?? [];
  const filledKwargs = kwargs ?? {};
  switch (at) {
    case 3:
      return [raw[0], raw[1], raw[2], filledArgs, filledKwargs];
    case 4:
      return [raw[0], raw[1], raw[2], raw[3], filledArgs, filledKwargs];
    default: {
      const out = raw.slice(0, at);
      out.push(filledArgs, filledKwargs);
      return out;
    }
  }
}
