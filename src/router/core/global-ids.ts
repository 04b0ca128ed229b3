/**
 * Global-scope ids (session, publication; spec §1.5) are "uniformly random in [1, 2^53]";
 * the router draws its subscription and registration ids the same way. Math.random will not
 * do: V8 gives it 52 random bits, so `Math.floor(Math.random() * 2^53) + 1` only ever yields
 * odd ids and never 2^53. Here 53 bits come from the platform's CSPRNG (WebCrypto's
 * getRandomValues, in Node and browsers alike), drawn a block at a time so a PUBLISH does not
 * pay a call into it.
 */

/** 32-bit words per refill: 256 ids (2 KiB, well under getRandomValues' 64 KiB limit). */
const POOL_WORDS = 512;
const pool = new Uint32Array(POOL_WORDS);
let nextWord = POOL_WORDS;

/** The id for two random words: the low 21 bits of `high` over `low`, plus 1, in [1, 2^53]. */
export function idFromWords(high: number, low: number): number {
  return (high & 0x1fffff) * 0x100000000 + (low >>> 0) + 1;
}

/** A uniformly random id in [1, 2^53]. */
export function randomGlobalId(): number {
  if (nextWord === POOL_WORDS) {
    globalThis.crypto.getRandomValues(pool);
    nextWord = 0;
  }
  const high = pool[nextWord++]!;
  const low = pool[nextWord++]!;
  return idFromWords(high, low);
}

/** A random id that `taken` does not hold (a clash is one in 2^53 per id in use; draw again). */
export function unusedGlobalId(taken: { has(id: number): boolean }): number {
  let id = randomGlobalId();
  while (taken.has(id)) id = randomGlobalId();
  return id;
}
