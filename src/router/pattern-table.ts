import type { MatchPolicy } from '../protocol/index.js';

interface WildcardEntry<T> {
  readonly components: readonly string[];
  /** Lengths of the runs of literal components, in order: the ranking key of spec §6.6. */
  readonly literalRuns: readonly number[];
  readonly value: T;
}

/**
 * Registrations or subscriptions keyed by (URI, match policy), with the lookups of spec
 * §6.6 / §7.3. Exact lookups are one map access; prefix lookups try each string prefix of
 * the URI (O(URI length)); wildcard lookups only visit patterns with the same number of
 * components.
 */
export class PatternTable<T> {
  private readonly exact = new Map<string, T>();
  private readonly prefix = new Map<string, T>();
  /** component count → pattern → entry */
  private readonly wildcard = new Map<number, Map<string, WildcardEntry<T>>>();

  get(uri: string, match: MatchPolicy): T | undefined {
    switch (match) {
      case 'exact': return this.exact.get(uri);
      case 'prefix': return this.prefix.get(uri);
      case 'wildcard': return this.wildcard.get(componentCount(uri))?.get(uri)?.value;
    }
  }

  set(uri: string, match: MatchPolicy, value: T): void {
    switch (match) {
      case 'exact': this.exact.set(uri, value); return;
      case 'prefix': this.prefix.set(uri, value); return;
      case 'wildcard': {
        const components = uri.split('.');
        let sameLength = this.wildcard.get(components.length);
        if (!sameLength) this.wildcard.set(components.length, sameLength = new Map());
        sameLength.set(uri, { components, literalRuns: literalRuns(components), value });
      }
    }
  }

  delete(uri: string, match: MatchPolicy): void {
    switch (match) {
      case 'exact': this.exact.delete(uri); return;
      case 'prefix': this.prefix.delete(uri); return;
      case 'wildcard': {
        const count = componentCount(uri);
        const sameLength = this.wildcard.get(count);
        sameLength?.delete(uri);
        if (sameLength?.size === 0) this.wildcard.delete(count);
      }
    }
  }

  /**
   * The one entry a call goes to (spec §6.6): exact, else the longest prefix, else the
   * wildcard pattern with the longest leading literal run (ties: the next run, and so on).
   */
  best(uri: string): T | undefined {
    const exact = this.exact.get(uri);
    if (exact !== undefined) return exact;
    if (this.prefix.size > 0) {
      for (let length = uri.length; length > 0; length--) {
        const found = this.prefix.get(uri.slice(0, length));
        if (found !== undefined) return found;
      }
    }
    let best: WildcardEntry<T> | undefined;
    const components = uri.split('.');
    for (const entry of this.wildcard.get(components.length)?.values() ?? []) {
      if (wildcardMatches(entry.components, components) && (!best || compareRuns(entry.literalRuns, best.literalRuns) > 0)) best = entry;
    }
    return best?.value;
  }

  /** Every entry matching the URI (spec §7.3: each matching subscription gets the event). */
  all(uri: string): T[] {
    const found: T[] = [];
    const exact = this.exact.get(uri);
    if (exact !== undefined) found.push(exact);
    if (this.prefix.size > 0) {
      for (let length = uri.length; length > 0; length--) {
        const match = this.prefix.get(uri.slice(0, length));
        if (match !== undefined) found.push(match);
      }
    }
    if (this.wildcard.size > 0) {
      const components = uri.split('.');
      for (const entry of this.wildcard.get(components.length)?.values() ?? []) {
        if (wildcardMatches(entry.components, components)) found.push(entry.value);
      }
    }
    return found;
  }
}

function componentCount(uri: string): number {
  let count = 1;
  for (let i = 0; i < uri.length; i++) if (uri.charCodeAt(i) === 46 /* . */) count++;
  return count;
}

function wildcardMatches(pattern: readonly string[], components: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '' && pattern[i] !== components[i]) return false;
  }
  return true;
}

function literalRuns(components: readonly string[]): number[] {
  const runs: number[] = [];
  let run = 0;
  for (const component of components) {
    if (component === '') { runs.push(run); run = 0; } else run++;
  }
  runs.push(run);
  return runs;
}

function compareRuns(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? -1) - (b[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}
