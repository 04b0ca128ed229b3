import { expect } from 'chai';
import { PatternTable } from '../../src/router/pattern-table.js';

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
