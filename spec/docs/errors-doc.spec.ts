// docs/errors.md promises one table of every error URI rxwamp sends or passes on, and one table of
// every WampConnectionError code. This spec keeps that promise true: a URI that appears anywhere in
// src/ (a constant, a message, a comment) or a code added to ConnectionErrorCode, without its own
// row in docs/errors.md, fails it.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloseReason, CONTRACT_VIOLATION, ErrorUri } from '../../src/index.js';
import { STREAM_OVERFLOW } from '../../src/roles/stream-limits.js';
import { LimitErrorUri } from '../../src/router/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ERRORS_DOC = 'docs/errors.md';

/** wamp.error.*, wamp.close.* and rxwamp.error.* (WAMP URIs have no further dot after these). */
const URI_IN_SOURCE = /\b(?:wamp\.(?:error|close)|rxwamp\.error)\.[a-z0-9_]+/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every error or close URI written anywhere in src/, with the first file that has it. */
function urisInSource(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sourceFiles(join(root, 'src'))) {
    for (const [uri] of readFileSync(file, 'utf8').matchAll(URI_IN_SOURCE)) {
      if (!found.has(uri)) found.set(uri, relative(root, file));
    }
  }
  return found;
}

/**
 * The codes of `ConnectionErrorCode`, read from src/protocol/errors.ts: the type has no run-time
 * list, so its declaration is the source of truth (the compiler keeps every `new
 * WampConnectionError(code, …)` in src/ within it).
 */
function connectionErrorCodes(): string[] {
  const source = readFileSync(join(root, 'src/protocol/errors.ts'), 'utf8');
  const declaration = /export type ConnectionErrorCode\s*=([^;]+);/.exec(source);
  if (!declaration) throw new Error('src/protocol/errors.ts no longer declares `export type ConnectionErrorCode = …;`: update this spec');
  const [, union = ''] = declaration;
  return [...union.matchAll(/'([^']+)'/g)].map(([, code = '']) => code);
}

/**
 * The backticked names in the first cell of each table row of a Markdown text: the things the
 * row is about (`wamp.error.canceled`, `connect-failed`). A mention in another row's prose does
 * not count as a row of its own.
 */
function rowSubjects(markdown: string): Set<string> {
  const subjects = new Set<string>();
  for (const line of markdown.split(/\r?\n/)) {
    if (!line.trimStart().startsWith('|')) continue;
    const firstCell = line.trim().slice(1).split('|')[0] ?? '';
    for (const [, name = ''] of firstCell.matchAll(/`([^`]+)`/g)) subjects.add(name);
  }
  return subjects;
}

/** What `names` lacks a row for in `markdown`. */
function withoutRow(markdown: string, names: Iterable<string>): string[] {
  const subjects = rowSubjects(markdown);
  return [...names].filter((name) => !subjects.has(name));
}

describe(`docs: ${ERRORS_DOC} has a row for every error URI and connection error code`, () => {
  const doc = readFileSync(join(root, ERRORS_DOC), 'utf8');
  const sourceUris = urisInSource();
  const exportedUris = [...Object.values(ErrorUri), ...Object.values(CloseReason), ...Object.values(LimitErrorUri), CONTRACT_VIOLATION, STREAM_OVERFLOW];
  const codes = connectionErrorCodes();

  it('finds the URIs in src/ (every exported constant among them) and the codes in src/protocol/errors.ts', () => {
    // Guards the searches themselves: a pattern that matched nothing would pass everything below.
    expect([...sourceUris.keys()]).to.include.members(exportedUris);
    expect(codes).to.include.members(['connect-failed', 'lost', 'closed']);
  });

  it('has a row for every wamp.error.*, wamp.close.* and rxwamp.error.* URI written in src/', () => {
    const missing = withoutRow(doc, sourceUris.keys()).map((uri) => `${uri} (in ${sourceUris.get(uri)})`);
    expect(missing, `add a row to ${ERRORS_DOC} for:\n  ${missing.join('\n  ')}`).to.deep.equal([]);
  });

  it('has a row for every exported ErrorUri, CloseReason, LimitErrorUri, CONTRACT_VIOLATION and STREAM_OVERFLOW', () => {
    const missing = withoutRow(doc, exportedUris);
    expect(missing, `add a row to ${ERRORS_DOC} for:\n  ${missing.join('\n  ')}`).to.deep.equal([]);
  });

  it('has a row for every WampConnectionError code', () => {
    const missing = withoutRow(doc, codes);
    expect(missing, `add a row to ${ERRORS_DOC}'s WampConnectionError table for:\n  ${missing.join('\n  ')}`).to.deep.equal([]);
  });

  it('lists no URI that src/ does not know (a row for a URI rxwamp neither sends nor passes on is stale)', () => {
    const stale = [...rowSubjects(doc)].filter((name) => new RegExp(`^${URI_IN_SOURCE.source}$`).test(name) && !sourceUris.has(name));
    expect(stale, `these rows of ${ERRORS_DOC} name URIs that appear nowhere in src/:\n  ${stale.join('\n  ')}`).to.deep.equal([]);
  });

  it('notices a missing row: with the row that starts with a URI or code taken out, the check reports it', () => {
    const lines = doc.split(/\r?\n/);
    for (const name of [...sourceUris.keys(), ...codes]) {
      const pruned = lines.filter((line) => !line.startsWith(`| \`${name}\``));
      expect(pruned.length, `no row of ${ERRORS_DOC} starts with | \`${name}\``).to.be.below(lines.length);
      expect(withoutRow(pruned.join('\n'), [name]), `${name} without its row`).to.deep.equal([name]);
    }
  });
});
