import type { Codec } from '../../src/codec/index.js';
import { seededRandom } from '../helpers/seeded-random.js';

export { seededRandom };

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const integer = (random: Random, below: number) => Math.floor(random() * below);

/** Well-formed messages of every kind (also ones a router must never receive), to mutate and truncate. */
const TEMPLATES: ReadonlyArray<() => unknown[]> = [
  () => [1, 'realm1', { roles: { caller: {} } }],
  () => [3, { message: 'bye' }, 'wamp.close.normal'],
  () => [5, 'signature', {}],
  () => [8, 68, 1, {}, 'com.fuzz.error', ['a'], { k: 1 }],
  () => [16, 1, { acknowledge: true, exclude: [1, 2], eligible_authid: ['x'] }, 'com.fuzz.topic', [1, 'two'], { three: 3 }],
  () => [32, 1, { match: 'wildcard' }, 'com..fuzz'],
  () => [34, 1, 7],
  () => [48, 1, { receive_progress: true, timeout: 50, progress: true }, 'com.fuzz.proc', [1], { a: [] }],
  () => [49, 1, { mode: 'kill' }],
  () => [64, 1, { match: 'prefix', invoke: 'roundrobin' }, 'com.fuzz'],
  () => [66, 1, 3],
  () => [70, 1, { progress: true }, ['chunk']],
  () => [2, 1, {}],
  () => [36, 1, 2, {}],
  () => [68, 1, 1, {}],
  () => [],
];

const STRINGS = ['', ' ', 'com.fuzz', 'a..b', 'wamp.error.x', '#', 'x'.repeat(300), '\u0000AAEC', 'ünï', 'com.fuzz.proc', 'realm1'];
const NUMBERS = [0, -1, 1, 2, 3, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1.5, Number.MAX_SAFE_INTEGER, 4294967296, 255, 65536];

export function randomValue(random: Random, depth = 0): unknown {
  switch (integer(random, depth > 2 ? 5 : 8)) {
    case 0:
      return pick(random, NUMBERS);
    case 1:
      return pick(random, STRINGS);
    case 2:
      return random() < 0.5;
    case 3:
      return null;
    case 4:
      return new Uint8Array(integer(random, 8)).map(() => integer(random, 256));
    case 5:
      return Array.from({ length: integer(random, 4) }, () => randomValue(random, depth + 1));
    case 6:
      return Object.fromEntries(
        Array.from({ length: integer(random, 4) }, () => [
          pick(random, ['mode', 'progress', 'match', 'invoke', 'acknowledge', 'exclude', 'timeout', 'roles', 'k']),
          randomValue(random, depth + 1),
        ]),
      );
    default:
      return integer(random, 300);
  }
}

/** A template with one to three elements replaced, dropped, appended, or its type code changed. */
function mutatedMessage(random: Random): unknown[] {
  const message = pick(random, TEMPLATES)();
  for (let n = 1 + integer(random, 3); n > 0; n--) {
    const at = integer(random, Math.max(message.length, 1));
    switch (integer(random, 5)) {
      case 0:
        message[at] = randomValue(random);
        break;
      case 1:
        message.splice(at, 1);
        break;
      case 2:
        message.push(randomValue(random));
        break;
      case 3:
        message[0] = pick(random, [...NUMBERS, 4, 6, 17, 33, 35, 50, 65, 67, 69, 1024, 'x']);
        break;
      default:
        message[at] = pick(random, [[], {}, '', null]);
    }
  }
  return message;
}

function randomBytes(random: Random): Uint8Array {
  return new Uint8Array(integer(random, 48)).map(() => integer(random, 256));
}

/**
 * One bad frame for the codec: random bytes, a truncated encoding of a well-formed message,
 * or a cleanly encoded but malformed (mutated) message. Mutations can produce a legal
 * message now and then; the router must cope with those too.
 */
export function fuzzFrame(random: Random, codec: Codec): string | Uint8Array {
  const kind = integer(random, 3);
  if (kind === 0) return randomBytes(random);
  try {
    const encoded = codec.encode(kind === 1 ? pick(random, TEMPLATES)() : mutatedMessage(random));
    if (kind === 1) return encoded.slice(0, integer(random, Math.max(encoded.length, 1)));
    return encoded;
  } catch {
    return randomBytes(random);
  }
}
