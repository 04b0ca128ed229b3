import { expect } from 'chai';
import { cborLibrary } from '../../src/codec/cbor.js';
import { encodeWithExactNumbers, type BinaryNumberFormat } from '../../src/codec/exact-encode.js';
import { withExactNumbers } from '../../src/codec/exact-numbers.js';
import { msgpackLibrary } from '../../src/codec/msgpack.js';
import { seededRandom as prng } from '../helpers/seeded-random.js';

/**
 * The leading ids of a message are patched into the library's frame in place (the fast path);
 * everything else goes through the walk (the general path). Both must give the same bytes.
 */

const hex = (frame: Uint8Array): string => Buffer.from(frame).toString('hex');

/** Numbers at every width boundary of both formats, and the floats around them. */
const EDGES = [
  0,
  1,
  23,
  24,
  31,
  32,
  127,
  128,
  255,
  256,
  65535,
  65536,
  2 ** 31 - 1,
  2 ** 31,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 40,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 63,
  2 ** 64 - 2048,
  2 ** 64,
  -1,
  -24,
  -25,
  -32,
  -33,
  -128,
  -129,
  -256,
  -257,
  -32768,
  -32769,
  -65536,
  -65537,
  -(2 ** 31),
  -(2 ** 31) - 1,
  -(2 ** 32),
  -(2 ** 32) - 1,
  -(2 ** 40),
  -(2 ** 63),
  -(2 ** 64) + 2048,
  -(2 ** 64),
  0.5,
  -1.5,
  1e300,
  -0,
  NaN,
  Infinity,
  -Infinity,
];

function randomNumber(random: () => number): number {
  const pick = random();
  if (pick < 0.5) return EDGES[Math.floor(random() * EDGES.length)]!;
  if (pick < 0.8) return Math.floor(random() * 2 ** 53) + 1; // a WAMP id
  if (pick < 0.9) return Math.floor(random() * 2 ** 20);
  return (random() - 0.5) * 1e6;
}

function randomMessage(random: () => number): unknown[] {
  const message: unknown[] = [];
  const leading = 1 + Math.floor(random() * 4);
  for (let i = 0; i < leading; i++) message.push(randomNumber(random));
  const rest = Math.floor(random() * 4);
  for (let i = 0; i < rest; i++) {
    const kind = random();
    if (kind < 0.3) message.push({ n: randomNumber(random), s: 'x' });
    else if (kind < 0.6) message.push([randomNumber(random), 'y', [randomNumber(random)]]);
    else if (kind < 0.8) message.push('com.example.proc');
    else message.push(randomNumber(random));
  }
  return message;
}

for (const [name, library] of [
  ['cbor', cborLibrary],
  ['msgpack', msgpackLibrary],
] as const) {
  describe(`codec ${name}: leading ids patched in place`, () => {
    const walked = (message: unknown[]) => hex(library.encode(withExactNumbers(message, library.format)));

    it('encodes an EVENT with wide ids with one library call, as the walk would', () => {
      let calls = 0;
      const counting = (message: readonly unknown[]) => {
        calls++;
        return library.encode(message);
      };
      const event = [36, 2 ** 40 + 5, 2 ** 53 - 1, { topic: 'a.b' }, [2 ** 33, -(2 ** 40)], { k: 2 ** 50 }];
      expect(hex(encodeWithExactNumbers(event, library.format, counting))).to.equal(walked(event));
      expect(calls).to.equal(1);
    });

    it('gives the same bytes as the walk for 5000 random messages, never falling back (seed 8)', () => {
      const random = prng(8);
      let calls = 0;
      const counting = (message: readonly unknown[]) => {
        calls++;
        return library.encode(message);
      };
      for (let i = 0; i < 5000; i++) {
        const message = randomMessage(random);
        expect(hex(encodeWithExactNumbers(message, library.format, counting)), JSON.stringify(message)).to.equal(walked(message));
        // One library call each: a second one would be the fallback, meaning numberSize is off.
        expect(calls, JSON.stringify(message)).to.equal(i + 1);
      }
    });

    it('falls back to the walk when the frame is not laid out as expected', () => {
      const wrongSizes: BinaryNumberFormat = { ...library.format, numberSize: () => 1 };
      let calls = 0;
      const counting = (message: readonly unknown[]) => {
        calls++;
        return library.encode(message);
      };
      const message = [68, 300, 2 ** 45, {}, []];
      expect(hex(encodeWithExactNumbers(message, wrongSizes, counting))).to.equal(walked(message));
      expect(calls).to.equal(2);
    });
  });
}
