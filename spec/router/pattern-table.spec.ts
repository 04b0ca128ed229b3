import { expect } from 'chai';
import { PatternTable } from '../../src/router/core/pattern-table.js';

describe('router: pattern table (§6.6, §7.3 matching)', () => {
  const table = new PatternTable<string>();
  table.set('com.myapp.myobject1', 'prefix', 'prefix-object1');
  table.set('com.myapp', 'prefix', 'prefix-myapp');
  table.set('com.myapp..myprocedure1', 'wildcard', 'wildcard-proc1');
  table.set('com...myprocedure1', 'wildcard', 'wildcard-loose');
  table.set('com.myapp.exact', 'exact', 'exact');

  it('matches plain string prefixes, the URI itself included', () => {
    expect(table.best('com.myapp.myobject1.x')).to.equal('prefix-object1');
    expect(table.best('com.myapp.myobject1-sub')).to.equal('prefix-object1');
    expect(table.best('com.myapp.myobject1')).to.equal('prefix-object1');
    expect(table.best('com.myapp.myobject')).to.equal('prefix-myapp');
    expect(table.best('org.other')).to.equal(undefined);
  });

  it('prefers exact, then prefix, then the wildcard with the longest leading literal run', () => {
    expect(table.best('com.myapp.exact')).to.equal('exact');
    expect(new PatternTable<string>().best('x')).to.equal(undefined);
    const wildcards = new PatternTable<string>();
    wildcards.set('com.myapp..myprocedure1', 'wildcard', 'two-literals-first');
    wildcards.set('com...myprocedure1', 'wildcard', 'one-literal-first');
    expect(wildcards.best('com.myapp.ANY.myprocedure1')).to.equal('two-literals-first');
    expect(wildcards.best('com.other.ANY.myprocedure1')).to.equal('one-literal-first');
    expect(wildcards.best('com.myapp.ANY.ANY.myprocedure1'), 'component count must match').to.equal(undefined);
    expect(wildcards.best('com.myapp.ANY.myprocedure2')).to.equal(undefined);
  });

  it('returns every matching entry for subscriptions', () => {
    expect(table.all('com.myapp.x.myprocedure1').sort()).to.deep.equal(['prefix-myapp', 'wildcard-loose', 'wildcard-proc1']);
    expect(table.all('com.myapp.exact').sort()).to.deep.equal(['exact', 'prefix-myapp']);
  });

  it('forgets deleted entries', () => {
    const copy = new PatternTable<string>();
    copy.set('a..c', 'wildcard', 'w');
    copy.set('a', 'prefix', 'p');
    copy.delete('a..c', 'wildcard');
    copy.delete('a', 'prefix');
    expect(copy.all('a.b.c')).to.deep.equal([]);
    expect(copy.get('a..c', 'wildcard')).to.equal(undefined);
  });
});

/** Spec §6.6's ranking, written the slow and obvious way, to check the tries against. */
function referenceMatches(patterns: ReadonlyArray<readonly [string, 'exact' | 'prefix' | 'wildcard']>, uri: string) {
  const components = uri.split('.');
  const exact = patterns.filter(([p, m]) => m === 'exact' && p === uri).map(([p]) => `exact:${p}`);
  const prefix = patterns
    .filter(([p, m]) => m === 'prefix' && uri.startsWith(p))
    .sort(([a], [b]) => a.length - b.length)
    .map(([p]) => `prefix:${p}`);
  const runs = (p: string) => p.split('.').reduce<number[]>((acc, c) => (c === '' ? [...acc, 0] : [...acc.slice(0, -1), acc.at(-1)! + 1]), [0]);
  const compare = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? -1) !== (b[i] ?? -1)) return (a[i] ?? -1) - (b[i] ?? -1);
    return 0;
  };
  const wildcard = patterns
    .filter(([p, m]) => m === 'wildcard' && p.split('.').length === components.length && p.split('.').every((c, i) => c === '' || c === components[i]))
    .sort(([a], [b]) => compare(runs(b), runs(a)))
    .map(([p]) => `wildcard:${p}`);
  return { best: exact[0] ?? prefix.at(-1) ?? wildcard[0], all: [...exact, ...prefix, ...wildcard].sort() };
}

describe('router: pattern table against a brute-force reference', () => {
  it('agrees on best() and all() for random tables and URIs, through additions and deletions', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const parts = ['a', 'b', 'ab', 'a-b'];
    const uriOf = (count: number, empty: boolean) =>
      Array.from({ length: count }, () => (empty && random(3) === 0 ? '' : parts[random(parts.length)]!)).join('.');
    for (let round = 0; round < 200; round++) {
      const table = new PatternTable<string>();
      const live = new Map<string, readonly [string, 'exact' | 'prefix' | 'wildcard']>();
      for (let i = 0; i < 30; i++) {
        const match = (['exact', 'prefix', 'wildcard'] as const)[random(3)]!;
        let pattern = uriOf(1 + random(4), match === 'wildcard');
        if (match === 'prefix' && random(4) === 0) pattern = pattern.slice(0, 1 + random(pattern.length));
        if (pattern === '' || pattern.split('.').every((c) => c === '')) continue;
        const key = `${match}:${pattern}`;
        if (live.has(key) && random(2) === 0) {
          table.delete(pattern, match);
          live.delete(key);
        } else {
          table.set(pattern, match, key);
          live.set(key, [pattern, match]);
        }
      }
      for (let i = 0; i < 20; i++) {
        const uri = uriOf(1 + random(4), false);
        const expected = referenceMatches([...live.values()], uri);
        expect(table.best(uri), `best(${uri}) with ${[...live.keys()].join(' ')}`).to.equal(expected.best);
        expect(table.all(uri).sort(), `all(${uri}) with ${[...live.keys()].join(' ')}`).to.deep.equal(expected.all);
      }
    }
  });

  it('ranks wildcards by their literal runs (spec §6.6 example)', () => {
    const table = new PatternTable<string>();
    table.set('a1.b2..d4..f6.g7', 'wildcard', 'later');
    table.set('a1.b2..d4.e5..g7', 'wildcard', 'winner');
    expect(table.best('a1.b2.c3.d4.e5.f6.g7')).to.equal('winner');
  });
});

/**
 * Runs `lookup` with the string and Map built-ins it could use counted: characters read
 * (charCodeAt), sliced, compared (startsWith), split or hashed as Map keys, plus each Map
 * entry iterated. The figure does not depend on the machine's speed.
 */
function workOf(lookup: () => unknown): number {
  let work = 0;
  const strings = String.prototype;
  const maps = Map.prototype;
  /* eslint-disable @typescript-eslint/unbound-method -- kept to be restored, and called with .call(this) */
  const saved = {
    charCodeAt: strings.charCodeAt,
    slice: strings.slice,
    substring: strings.substring,
    startsWith: strings.startsWith,
    split: strings.split,
    get: maps.get,
    has: maps.has,
    values: maps.values,
  };
  /* eslint-enable @typescript-eslint/unbound-method */
  const keyCost = (key: unknown) => (typeof key === 'string' ? key.length : 1);
  const counted = function* <T>(items: Iterable<T>) {
    for (const item of items) {
      work++;
      yield item;
    }
  };
  try {
    strings.charCodeAt = function (this: string, index: number) {
      work++;
      return saved.charCodeAt.call(this, index);
    };
    strings.slice = function (this: string, start?: number, end?: number) {
      const s = saved.slice.call(this, start, end);
      work += s.length;
      return s;
    };
    strings.substring = function (this: string, start: number, end?: number) {
      const s = saved.substring.call(this, start, end);
      work += s.length;
      return s;
    };
    strings.startsWith = function (this: string, search: string, position?: number) {
      work += search.length;
      return saved.startsWith.call(this, search, position);
    };
    strings.split = function (this: string, separator: string, limit?: number) {
      work += this.length;
      return (saved.split as (this: string, separator: string, limit?: number) => string[]).call(this, separator, limit);
    } as typeof strings.split;
    maps.get = function (this: Map<unknown, unknown>, key: unknown) {
      work += keyCost(key);
      return saved.get.call(this, key) as unknown;
    };
    maps.has = function (this: Map<unknown, unknown>, key: unknown) {
      work += keyCost(key);
      return saved.has.call(this, key);
    };
    maps.values = function (this: Map<unknown, unknown>) {
      return counted(saved.values.call(this)) as MapIterator<unknown>;
    };
    lookup();
  } finally {
    Object.assign(strings, { charCodeAt: saved.charCodeAt, slice: saved.slice, substring: saved.substring, startsWith: saved.startsWith, split: saved.split });
    Object.assign(maps, { get: saved.get, has: saved.has, values: saved.values });
  }
  return work;
}

describe('router: pattern lookups cost time linear in the URI (issue #19)', () => {
  it('a prefix lookup of a 16,000-character URI reads it a few times, not once per prefix', () => {
    const table = new PatternTable<string>();
    table.set('com', 'prefix', 'com');
    table.set('com.example.other', 'prefix', 'other');
    const uri = `com.${'a'.repeat(16_000)}`;
    const best = workOf(() => table.best(uri));
    const all = workOf(() => table.all(uri));
    console.log(
      `      work for one lookup of a ${uri.length}-character URI: best ${best}, all ${all} (the old table, hashing every prefix: about ${(uri.length ** 2).toLocaleString('en')})`,
    );
    expect(best, 'best()').to.be.at.most(4 * uri.length);
    expect(all, 'all()').to.be.at.most(4 * uri.length);
  });

  it('a wildcard lookup does not visit the patterns that differ from the URI', () => {
    const uri = 'x.123456.z';
    const costs = [10, 10_000].map((count) => {
      const table = new PatternTable<string>();
      for (let i = 0; i < count; i++) table.set(`x.${i}.`, 'wildcard', String(i));
      table.set('x..z', 'wildcard', 'any');
      expect(table.best(uri)).to.equal('any');
      return { best: workOf(() => table.best(uri)), all: workOf(() => table.all(uri)) };
    });
    console.log(`      work for one wildcard lookup with 10 and 10,000 patterns of the same length: ${JSON.stringify(costs)}`);
    for (const cost of costs) {
      expect(cost.best, 'best()').to.be.at.most(4 * uri.length + 16);
      expect(cost.all, 'all()').to.be.at.most(4 * uri.length + 16);
    }
  });
});
