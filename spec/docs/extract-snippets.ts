// Finds the TypeScript blocks of README.md and docs/**/*.md and says what each one is, following
// the doc-snippet convention (CONTRIBUTING.md, "How the docs are tested"):
//   ```ts                   a complete program: type-checked and run
//   ```ts compile           a complete program: type-checked only
//   ```ts fragment          part of a program (may use the ambient `client`): type-checked only
//   ```ts excerpt <path>    lines copied from a file of this repository
//   ```text output          directly after a ```ts block: what that program prints
// Anything else that looks like TypeScript is a mistake in the docs, reported with its file:line,
// so no block can slip through unchecked.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One fenced code block, as CommonMark reads it (``` or ~~~ fences of 3 or more). */
export interface FencedBlock {
  /** The Markdown file, relative to the repository root (posix separators). */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly fenceLine: number;
  /** 1-based line of the closing fence. */
  readonly closeLine: number;
  /** The info string, trimmed (`ts fragment`, `text output`, `sh`, …). */
  readonly info: string;
  /** The lines between the fences, without the opening fence's indentation. */
  readonly lines: readonly string[];
}

export type SnippetKind = 'run' | 'compile' | 'fragment' | 'excerpt';

/** A TypeScript block the harness checks. */
export interface Snippet {
  readonly file: string;
  readonly fenceLine: number;
  readonly kind: SnippetKind;
  /** The block's text, one line per Markdown line, ending with a newline. */
  readonly code: string;
  /** `ts excerpt <path>`: the repository file the lines come from. */
  readonly excerptOf?: string;
  /** `ts` directly followed by a ```text output block: what the program must print. */
  readonly expectedOutput?: string;
}

/** Something wrong with the docs themselves (not with a program in them). */
export interface DocProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface DocSnippets {
  readonly snippets: readonly Snippet[];
  readonly problems: readonly DocProblem[];
}

export const formatProblem = (problem: DocProblem): string => `${problem.file}:${problem.line}: ${problem.message}`;

/** The 1-based Markdown line of a snippet's n-th line (1-based). */
export const markdownLine = (snippet: Snippet, lineInBlock: number): number => snippet.fenceLine + lineInBlock;

const OPENING_FENCE = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
const CLOSING_FENCE = /^[ \t]*(`{3,}|~{3,})[ \t]*$/;

/** The fenced code blocks of one Markdown text, plus a problem for a fence never closed. */
export function fencedBlocks(file: string, markdown: string): { blocks: FencedBlock[]; problems: DocProblem[] } {
  const lines = markdown.split(/\r?\n/);
  const blocks: FencedBlock[] = [];
  const problems: DocProblem[] = [];
  for (let index = 0; index < lines.length; index++) {
    const opening = OPENING_FENCE.exec(lines.at(index) ?? '');
    if (!opening) continue;
    const [, indent = '', fence = '', info = ''] = opening;
    // CommonMark: a backtick fence's info string has no backtick (```a``` is inline code).
    if (fence.startsWith('`') && info.includes('`')) continue;
    const body: string[] = [];
    let close = index + 1;
    for (; close < lines.length; close++) {
      const line = lines.at(close) ?? '';
      const [, closingMarks = ''] = CLOSING_FENCE.exec(line) ?? [];
      if (closingMarks.startsWith(fence.charAt(0)) && closingMarks.length >= fence.length) break;
      body.push(withoutIndent(line, indent.length));
    }
    if (close === lines.length) {
      problems.push({ file, line: index + 1, message: `the fence opened here (${fence}${info.trim()}) is never closed (everything after it would be code)` });
      break;
    }
    blocks.push({ file, fenceLine: index + 1, closeLine: close + 1, info: info.trim(), lines: body });
    index = close;
  }
  return { blocks, problems };
}

/** A line inside a fence loses up to as much leading whitespace as the opening fence had. */
function withoutIndent(line: string, width: number): string {
  let cut = 0;
  while (cut < width && (line[cut] === ' ' || line[cut] === '\t')) cut++;
  return line.slice(cut);
}

const KINDS = '`ts`, `ts compile`, `ts fragment` or `ts excerpt <path>`';
/** Info strings that look like TypeScript but are not `ts …`: they would go unchecked. */
const OTHER_TYPESCRIPT_TAG = /^(ts|typescript|tsx|mts|cts)(?![a-z0-9])/i;

/** Reads one block's info string: a snippet, an output block, a problem, or nothing to check. */
function classify(block: FencedBlock): { snippet: Snippet } | { output: true } | { problem: DocProblem } | undefined {
  const [language = '', ...rest] = block.info.split(/\s+/);
  const code = block.lines.map((line) => `${line}\n`).join('');
  const at = { file: block.file, fenceLine: block.fenceLine, code };
  if (language === 'ts') {
    const tag = rest.join(' ');
    if (rest.length === 0) return { snippet: { ...at, kind: 'run' } };
    if (tag === 'compile') return { snippet: { ...at, kind: 'compile' } };
    if (tag === 'fragment') return { snippet: { ...at, kind: 'fragment' } };
    const path = rest.at(1);
    if (rest.at(0) === 'excerpt' && path !== undefined && rest.length === 2) return { snippet: { ...at, kind: 'excerpt', excerptOf: path } };
    return { problem: { file: block.file, line: block.fenceLine, message: `unknown TypeScript block kind \`${block.info}\`: use ${KINDS}` } };
  }
  if (OTHER_TYPESCRIPT_TAG.test(language)) {
    return { problem: { file: block.file, line: block.fenceLine, message: `TypeScript block tagged \`${block.info}\` would not be checked: use ${KINDS}` } };
  }
  if (language === 'text' && rest.length === 1 && rest[0] === 'output') return { output: true };
  return undefined;
}

const QUOTED_TYPESCRIPT_FENCE = /^[ \t]*>[ \t>]*(`{3,}|~{3,})[ \t]*(ts|typescript|tsx|mts|cts)(?![a-z0-9])/i;

/** Only blank lines between two blocks. */
function adjacent(lines: readonly string[], before: FencedBlock, after: FencedBlock): boolean {
  return lines.slice(before.closeLine, after.fenceLine - 1).every((line) => line.trim() === '');
}

/** The snippets of one Markdown text, each ```text output attached to the ```ts block it follows. */
export function snippetsOf(file: string, markdown: string): DocSnippets {
  const { blocks, problems } = fencedBlocks(file, markdown);
  const lines = markdown.split(/\r?\n/);
  const snippets: Snippet[] = [];
  // The block before the current one, and the snippet it was (an output block belongs to it).
  let previous: { block: FencedBlock; snippet: Snippet | undefined } | undefined;
  for (const block of blocks) {
    const found = classify(block);
    if (found && 'output' in found) {
      const owner = previous && adjacent(lines, previous.block, block) ? previous : undefined;
      if (owner?.snippet?.kind !== 'run') {
        const what = owner?.snippet
          ? `the block before it is \`ts ${owner.snippet.kind}\`, which is not run`
          : 'it does not directly follow a ```ts block (only blank lines may be between)';
        problems.push({ file, line: block.fenceLine, message: `a \`text output\` block is checked against the program it follows, but ${what}` });
      } else {
        snippets[snippets.indexOf(owner.snippet)] = { ...owner.snippet, expectedOutput: block.lines.map((line) => `${line}\n`).join('') };
      }
    } else if (found && 'problem' in found) {
      problems.push(found.problem);
    } else if (found) {
      snippets.push(found.snippet);
    }
    previous = { block, snippet: found && 'snippet' in found ? found.snippet : undefined };
  }
  // The harness reads fences at the start of a line only; one quoted with `>` would go unchecked.
  const insideBlock = (line: number): boolean => blocks.some((block) => block.fenceLine <= line && line <= block.closeLine);
  lines.forEach((line, index) => {
    if (QUOTED_TYPESCRIPT_FENCE.test(line) && !insideBlock(index + 1))
      problems.push({ file, line: index + 1, message: 'a TypeScript block inside a `>` quote is not checked: move it out of the quote' });
  });
  return { snippets, problems: problems.sort((a, b) => a.line - b.line) };
}

/** README.md and every .md file under docs/, relative to `root`, in a stable order. */
export function docFiles(root: string): string[] {
  const files = existsSync(join(root, 'README.md')) ? ['README.md'] : [];
  const walk = (dir: string): void => {
    if (!existsSync(join(root, dir))) return;
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.md')) files.push(path);
    }
  };
  walk('docs');
  return files;
}

/** The snippets and problems of every doc file under `root`. */
export function collectDocSnippets(root: string): DocSnippets & { readonly files: readonly string[] } {
  const files = docFiles(root);
  const found = files.map((file) => snippetsOf(file, readFileSync(join(root, file), 'utf8')));
  return { files, snippets: found.flatMap((f) => f.snippets), problems: found.flatMap((f) => f.problems) };
}

/** `README.md:73`, the address of a block's opening fence. */
export const blockAddress = (snippet: Snippet): string => `${snippet.file}:${snippet.fenceLine}`;

/** Lines every program starts with, which would make the test names all alike. */
const BOILERPLATE = /^(import\b|\/\/|\/\*|\*|(const|let) \w+ = new WampClient\()/;

/** The first line that says what the block does: not blank, an import, a comment or `new WampClient(…)`. */
export function firstMeaningfulLine(snippet: Snippet, maxLength = 72): string {
  const lines = snippet.code
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const meaningful = lines.find((line) => !BOILERPLATE.test(line)) ?? lines.at(0) ?? '(empty block)';
  return meaningful.length > maxLength ? `${meaningful.slice(0, maxLength - 1)}…` : meaningful;
}
