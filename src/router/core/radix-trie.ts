const DOT = 46; // .
/** Stands for one whole component in a wildcard key: `#` never occurs in a valid URI (§3.1). */
const ANY = 35; // #

/** One node of a compressed trie: `label` is the edge into it; children are keyed by their label's first character. */
interface TrieNode<T> {
  label: string;
  value: T | undefined;
  children: Map<number, TrieNode<T>> | undefined;
}

/**
 * A compressed (radix) trie of string keys, for the router's prefix and wildcard lookups.
 * A node exists only where keys branch or end, so it holds at most two nodes per key and the
 * keys' characters once, whatever their shape (a pattern of 2,000 one-letter components is
 * two nodes, not 2,000). Every lookup walks the URI once, left to right, comparing characters
 * with the edge labels: its cost depends on the URI and on the keys that agree with it so far,
 * never on the keys that do not (see each method).
 */
export class RadixTrie<T> {
  private readonly root: TrieNode<T> = { label: '', value: undefined, children: undefined };

  /** O(|key|). */
  set(key: string, value: T): void {
    let node = this.root;
    let at = 0;
    for (;;) {
      if (at === key.length) {
        node.value = value;
        return;
      }
      const first = key.charCodeAt(at);
      const child = node.children?.get(first);
      if (!child) {
        (node.children ??= new Map()).set(first, { label: key.slice(at), value, children: undefined });
        return;
      }
      const common = commonLength(child.label, key, at);
      if (common < child.label.length) {
        // The key leaves the edge part-way: split it, so the key can end or branch there.
        const middle: TrieNode<T> = { label: child.label.slice(0, common), value: undefined, children: new Map() };
        child.label = child.label.slice(common);
        middle.children!.set(child.label.charCodeAt(0), child);
        node.children!.set(first, middle);
      }
      node = node.children!.get(first)!;
      at += common;
    }
  }

  /** O(|key|); merges what the key leaves behind, so the trie stays at two nodes per key at most. */
  delete(key: string): void {
    let parent: TrieNode<T> | undefined;
    let node = this.root;
    let at = 0;
    while (at < key.length) {
      const child = node.children?.get(key.charCodeAt(at));
      if (!child || !key.startsWith(child.label, at)) return;
      parent = node;
      node = child;
      at += child.label.length;
    }
    if (node.value === undefined || !parent) return;
    node.value = undefined;
    if (!node.children || node.children.size === 0) {
      parent.children!.delete(node.label.charCodeAt(0));
      if (parent !== this.root && parent.value === undefined && parent.children!.size === 1) mergeWithOnlyChild(parent);
    } else if (node.children.size === 1) {
      mergeWithOnlyChild(node);
    }
  }

  /**
   * The values of every key that is a string prefix of `text`, shortest first (§6.6: a plain
   * string prefix, not whole components). One pass over `text`: O(|text|) character
   * comparisons and at most |text| child lookups, whatever the number of keys.
   */
  prefixesOf(text: string): T[] {
    const found: T[] = [];
    let node = this.root;
    let at = 0;
    for (;;) {
      if (node.value !== undefined) found.push(node.value);
      if (at >= text.length) return found;
      const child = node.children?.get(text.charCodeAt(at));
      if (!child || !text.startsWith(child.label, at)) return found;
      node = child;
      at += child.label.length;
    }
  }

  /**
   * The values of the keys that match `uri` as wildcard patterns, where a `#` component in a
   * key (see wildcardKey) matches any one non-empty component, in §6.6 order: at every
   * component a literal match is tried before `#`, so the first value is the best registration
   * (the longest leading run of literal components, ties broken by the next run). `stopAtFirst`
   * ends the walk there.
   *
   * Cost: the nodes visited are only those whose keys agree with `uri` so far; a key whose
   * literal component differs is left at that component, so non-matching patterns are not
   * scanned. Each visited node costs its edge's length in character comparisons, so the
   * worst case is O(|uri| × nodes agreeing with uri); with no `#` in play it is O(|uri|).
   */
  matchWildcards(uri: string, stopAtFirst: boolean): T[] {
    const found: T[] = [];
    // Depth-first without recursion (keys may have thousands of components): pairs of node and URI position.
    const nodes: TrieNode<T>[] = [this.root];
    const positions: number[] = [0];
    while (nodes.length > 0) {
      const node = nodes.pop()!;
      const at = positions.pop()!;
      if (at === uri.length) {
        if (node.value !== undefined) {
          found.push(node.value);
          if (stopAtFirst) return found;
        }
        continue;
      }
      if (!node.children) continue;
      // Pushed in reverse: the literal branch is taken first.
      const any = node.children.get(ANY);
      const anyEnd = any ? matchLabel(any.label, uri, at) : -1;
      if (anyEnd >= 0) {
        nodes.push(any!);
        positions.push(anyEnd);
      }
      const literal = node.children.get(uri.charCodeAt(at));
      const literalEnd = literal && literal !== any ? matchLabel(literal.label, uri, at) : -1;
      if (literalEnd >= 0) {
        nodes.push(literal!);
        positions.push(literalEnd);
      }
    }
    return found;
  }
}

/** A wildcard pattern as a trie key: each empty component becomes `#` (`a..c` → `a.#.c`, `.b` → `#.b`). */
export function wildcardKey(pattern: string): string {
  return pattern
    .split('.')
    .map((component) => (component === '' ? '#' : component))
    .join('.');
}

/** Where `label` ends in `uri` when matched from `at` (`#` taking one whole non-empty component), or -1. */
function matchLabel(label: string, uri: string, at: number): number {
  for (let i = 0; i < label.length; i++) {
    const expected = label.charCodeAt(i);
    if (expected === ANY) {
      if (at >= uri.length || uri.charCodeAt(at) === DOT) return -1;
      while (at < uri.length && uri.charCodeAt(at) !== DOT) at++;
    } else {
      if (at >= uri.length || uri.charCodeAt(at) !== expected) return -1;
      at++;
    }
  }
  return at;
}

function commonLength(label: string, key: string, at: number): number {
  let length = 0;
  while (length < label.length && at + length < key.length && label.charCodeAt(length) === key.charCodeAt(at + length)) length++;
  return length;
}

/** A node with no value and one child is folded into that child's edge. */
function mergeWithOnlyChild<T>(node: TrieNode<T>): void {
  const [child] = node.children!.values();
  node.label += child!.label;
  node.value = child!.value;
  node.children = child!.children;
}
