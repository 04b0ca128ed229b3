// `ts excerpt <path>` blocks quote a file that is compiled and tested elsewhere (the Angular
// example, a spec): the quote must still be there, its lines in order and contiguous. Leading
// indentation and trailing whitespace may differ (an excerpt is usually dedented).
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { markdownLine, type Snippet } from './extract-snippets.js';

const normalized = (line: string): string => line.trim();

/** Undefined when the excerpt is found in its file, otherwise what is wrong, naming file:line. */
export function excerptMismatch(snippet: Snippet, root: string): string | undefined {
  const where = `${snippet.file}:${snippet.fenceLine}`;
  const path = snippet.excerptOf ?? '';
  const fullPath = join(root, path);
  const inside = relative(root, fullPath);
  if (!path || isAbsolute(path) || inside.startsWith('..'))
    return `${where}: \`ts excerpt ${path}\` must name a file inside the repository, relative to its root`;
  if (!existsSync(fullPath)) return `${where}: \`ts excerpt ${path}\`: there is no such file`;

  const quoted = snippet.code.split('\n').slice(0, -1).map(normalized);
  const first = quoted.findIndex((line) => line !== '');
  const last = quoted.length - 1 - [...quoted].reverse().findIndex((line) => line !== '');
  if (first < 0) return `${where}: the excerpt of ${path} is empty`;
  const excerpt = quoted.slice(first, last + 1);
  const source = readFileSync(fullPath, 'utf8').split(/\r?\n/).map(normalized);

  // The longest run of the excerpt's first lines found anywhere, to say where the copy went stale.
  let best = { start: -1, matched: 0 };
  for (let start = 0; start < source.length; start++) {
    let matched = 0;
    while (matched < excerpt.length && source.at(start + matched) === excerpt.at(matched)) matched++;
    if (matched === excerpt.length) return undefined;
    if (matched > best.matched) best = { start, matched };
  }
  const staleLine = markdownLine(snippet, first + best.matched + 1);
  const stale = excerpt.at(best.matched) ?? '';
  if (best.matched === 0) return `${where}: the excerpt's first line \`${stale}\` (${snippet.file}:${staleLine}) is nowhere in ${path}`;
  return (
    `${where}: the excerpt matches ${path} from line ${best.start + 1} for ${best.matched} line(s), ` +
    `then ${snippet.file}:${staleLine} \`${stale}\` differs from ${path}:${best.start + best.matched + 1} \`${source.at(best.start + best.matched) ?? '(end of file)'}\``
  );
}
