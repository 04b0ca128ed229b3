import type { MatchPolicy } from '../../protocol/index.js';
import { RadixTrie, wildcardKey } from './radix-trie.js';

/**
 * Registrations or subscriptions keyed by (URI, match policy), with the lookups of spec
 * §6.6 / §7.3. With n the looked-up URI's length (at most the router's maxUriLength):
 * - exact: one map access, O(n) (hashing the URI);
 * - prefix: one walk down a radix trie of the prefix patterns, O(n) character comparisons
 *   whatever the number of patterns (building and hashing every prefix of the URI was
 *   O(n²): 30 publishes to 16,000-character topics held the router for 5 s);
 * - wildcard: one depth-first walk of a radix trie of the wildcard patterns that visits only
 *   the patterns agreeing with the URI so far (see RadixTrie.matchWildcards), not every
 *   pattern with the same number of components.
 * Adding or removing a pattern is O(its length).
 */
export class PatternTable<T> {
  private readonly exact = new Map<string, T>();
  /** By pattern, for get/set/delete; the tries below are for matching. */
  private readonly prefix = new Map<string, T>();
  private readonly wildcard = new Map<string, T>();
  private readonly prefixTrie = new RadixTrie<T>();
  private readonly wildcardTrie = new RadixTrie<T>();

  get(uri: string, match: MatchPolicy): T | undefined {
    return this.byPolicy(match).get(uri);
  }

  set(uri: string, match: MatchPolicy, value: T): void {
    this.byPolicy(match).set(uri, value);
    if (match === 'prefix') this.prefixTrie.set(uri, value);
    else if (match === 'wildcard') this.wildcardTrie.set(wildcardKey(uri), value);
  }

  delete(uri: string, match: MatchPolicy): void {
    if (!this.byPolicy(match).delete(uri)) return;
    if (match === 'prefix') this.prefixTrie.delete(uri);
    else if (match === 'wildcard') this.wildcardTrie.delete(wildcardKey(uri));
  }

  /**
   * The one entry a call goes to (spec §6.6): exact, else the longest prefix, else the
   * wildcard pattern with the longest leading literal run (ties: the next run, and so on).
   */
  best(uri: string): T | undefined {
    const exact = this.exact.get(uri);
    if (exact !== undefined) return exact;
    if (this.prefix.size > 0) {
      const prefixes = this.prefixTrie.prefixesOf(uri);
      if (prefixes.length > 0) return prefixes[prefixes.length - 1];
    }
    if (this.wildcard.size === 0) return undefined;
    return this.wildcardTrie.matchWildcards(uri, true)[0];
  }

  /** Every entry matching the URI (spec §7.3: each matching subscription gets the event). */
  all(uri: string): T[] {
    const found: T[] = [];
    const exact = this.exact.get(uri);
    if (exact !== undefined) found.push(exact);
    // Loops, not push(...): a spread of very many matches would overflow the call stack.
    if (this.prefix.size > 0) for (const value of this.prefixTrie.prefixesOf(uri)) found.push(value);
    if (this.wildcard.size > 0) for (const value of this.wildcardTrie.matchWildcards(uri, false)) found.push(value);
    return found;
  }

  private byPolicy(match: MatchPolicy): Map<string, T> {
    return match === 'exact' ? this.exact : match === 'prefix' ? this.prefix : this.wildcard;
  }
}
