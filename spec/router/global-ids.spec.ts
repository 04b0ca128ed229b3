import { expect } from 'chai';
import { MAX_ID } from '../../src/protocol/index.js';
import { idFromWords, randomGlobalId, unusedGlobalId } from '../../src/router/core/global-ids.js';

describe('router: global-scope ids (spec §1.5)', () => {
  it('maps two random words onto all of [1, 2^53]', () => {
    expect(idFromWords(0, 0)).to.equal(1);
    expect(idFromWords(0, 0xffffffff)).to.equal(2 ** 32);
    expect(idFromWords(0x1fffff, 0xffffffff)).to.equal(MAX_ID);
    expect(idFromWords(0xffffffff, 0xffffffff), 'bits above the 53rd are dropped').to.equal(MAX_ID);
    expect(idFromWords(0x00200001, 1)).to.equal(2 ** 32 + 2);
  });

  it('draws integers in [1, 2^53] spread over the whole range, odd and even', () => {
    const ids = Array.from({ length: 20_000 }, randomGlobalId);
    for (const id of ids) expect(Number.isInteger(id) && id >= 1 && id <= MAX_ID, String(id)).to.equal(true);
    expect(new Set(ids).size, 'no repeats').to.equal(ids.length);
    // Each check fails by chance with probability 2^-20000 or less.
    expect(
      ids.some((id) => id % 2 === 0),
      'even ids (Math.random-based draws give only odd ones)',
    ).to.equal(true);
    expect(
      ids.some((id) => id % 2 === 1),
      'odd ids',
    ).to.equal(true);
    expect(
      ids.some((id) => id > 2 ** 52),
      'the upper half',
    ).to.equal(true);
    expect(
      ids.some((id) => id <= 2 ** 52),
      'the lower half',
    ).to.equal(true);
  });

  it("refills from WebCrypto's crypto.getRandomValues, 256 ids per call", () => {
    const random = globalThis.crypto as unknown as Record<string, unknown>;
    const refills: number[] = [];
    // An own property shadows Crypto.prototype.getRandomValues until it is deleted.
    random['getRandomValues'] = (words: Uint32Array) => {
      refills.push(words.length);
      return words.fill(0xffffffff);
    };
    let ids: number[];
    try {
      ids = Array.from({ length: 512 }, randomGlobalId);
    } finally {
      delete random['getRandomValues'];
    }
    // The pool is shared, so the first refill comes within the first 256 draws and the second 256 draws later.
    expect(refills).to.deep.equal([512, 512]);
    expect(ids.slice(256).every((id) => id === MAX_ID)).to.equal(true);
  });

  it('draws again while the id is taken', () => {
    const seen: number[] = [];
    const taken = {
      has: (id: number) => {
        seen.push(id);
        return seen.length < 4;
      },
    };
    const id = unusedGlobalId(taken);
    expect(seen).to.have.length(4);
    expect(id).to.equal(seen[3]);
  });
});
