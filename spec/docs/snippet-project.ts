// A user's project for the doc snippets: the packed rxwamp installed (not src/), "type": "module",
// module nodenext, strict, skipLibCheck off, @types/node. Each block is one file named after it
// (README.md-L120.ts), so one tsc run checks them all and every error names its block.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { consumerProject, root } from '../package/packed-package.js';
import { markdownLine, type Snippet } from './extract-snippets.js';

/** The project-relative file of a block: `README.md-L120.ts`, `docs/pubsub.md-L40.ts`. */
export const snippetFile = (snippet: Snippet): string => `${snippet.file}-L${snippet.fenceLine}.ts`;

const TYPE_CHECKED: ReadonlySet<Snippet['kind']> = new Set(['run', 'compile', 'fragment']);
export const isTypeChecked = (snippet: Snippet): boolean => TYPE_CHECKED.has(snippet.kind);

export const SNIPPET_TSCONFIG = {
  target: 'es2022',
  module: 'nodenext',
  moduleResolution: 'nodenext',
  lib: ['es2023', 'dom'],
  types: ['node'],
  strict: true,
  skipLibCheck: false,
  noEmit: true,
  // Every block is its own module: two blocks may both declare `const client`.
  moduleDetection: 'force',
} as const;

/**
 * The one global a fragment may use without declaring it. It is appended to each fragment that
 * does not declare `client` itself (rather than declared globally for the whole program), so a
 * complete program that forgets to create its client fails to compile instead of passing.
 */
export const FRAGMENT_AMBIENT = "declare const client: import('rxwamp').WampClient;";

/** The text tsc sees for a block: the block itself, line for line, plus what a fragment is given. */
export function compiledText(snippet: Snippet): string {
  if (snippet.kind !== 'fragment') return snippet.code;
  const given = declaresAtTopLevel(snippet.code, 'client') ? [] : [FRAGMENT_AMBIENT];
  return `${snippet.code}${['export {};', ...given].join('\n')}\n`;
}

/** Whether the module declares `name` itself (a variable, function, class, enum or import binding). */
function declaresAtTopLevel(code: string, name: string): boolean {
  const source = ts.createSourceFile('block.ts', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const bound = (binding: ts.BindingName): boolean =>
    ts.isIdentifier(binding) ? binding.text === name : binding.elements.some((element) => !ts.isOmittedExpression(element) && bound(element.name));
  return source.statements.some((statement) => {
    if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.some((d) => bound(d.name));
    if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) return statement.name?.text === name;
    if (ts.isImportEqualsDeclaration(statement)) return statement.name.text === name;
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      const named = clause?.namedBindings;
      return (
        clause?.name?.text === name ||
        (named !== undefined && (ts.isNamespaceImport(named) ? named.name.text === name : named.elements.some((e) => e.name.text === name)))
      );
    }
    return false;
  });
}

/**
 * Packages the guides tell readers to install beside rxwamp, so blocks may import them as the
 * reader's project would (docs/testing.md: mocha and chai). Linked from this repository's
 * node_modules (they are its dev dependencies); add here what a new guide needs.
 */
export const GUIDE_PACKAGES: readonly string[] = ['mocha', '@types/mocha', 'chai', '@types/chai'];

/**
 * Links what `npm install rxwamp` would have installed beside it (its dependencies, and the
 * optional peers a snippet may import: cbor-x, msgpackr), plus GUIDE_PACKAGES, from this
 * repository's node_modules, so the blocks compile and run as in a reader's project.
 * consumerProject() links only rxjs, typescript and @types/node.
 */
function linkInstalledPackages(dir: string): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'node_modules/rxwamp/package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  const dependencies = ['dependencies', 'optionalDependencies', 'peerDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {}));
  for (const name of new Set([...dependencies, ...GUIDE_PACKAGES])) {
    const link = join(dir, 'node_modules', name);
    const target = join(root, 'node_modules', name);
    if (existsSync(link) || !existsSync(target)) continue;
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(target, link, 'dir');
  }
}

/** A temp project with the packed rxwamp installed and one file per type-checked block. */
export function createSnippetProject(snippets: readonly Snippet[]): string {
  const checked = snippets.filter(isTypeChecked);
  const dir = consumerProject({
    type: 'module',
    nodeTypes: true,
    files: {},
    tsconfig: { compilerOptions: SNIPPET_TSCONFIG, files: checked.map(snippetFile) },
  });
  linkInstalledPackages(dir);
  for (const snippet of checked) {
    const path = join(dir, snippetFile(snippet));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, compiledText(snippet));
  }
  return dir;
}

export interface TypeCheckReport {
  /** tsc's errors in each block, as `README.md:123 (block at line 118): error TS…`. */
  readonly errors: ReadonlyMap<Snippet, readonly string[]>;
  /** Errors tsc reported anywhere else (the package's .d.ts, the tsconfig), as tsc printed them. */
  readonly elsewhere: readonly string[];
  readonly exitCode: number | null;
}

const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+): (.*)$/;

/** Maps tsc's `--pretty false` output back to the blocks (continuation lines stay with their error). */
export function mapDiagnostics(output: string, dir: string, snippets: readonly Snippet[]): Omit<TypeCheckReport, 'exitCode'> {
  const byPath = new Map(snippets.filter(isTypeChecked).map((s) => [resolve(dir, snippetFile(s)), s] as const));
  const errors = new Map<Snippet, string[]>();
  const elsewhere: string[] = [];
  let last: string[] | undefined;
  for (const line of output.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const diagnostic = DIAGNOSTIC.exec(line);
    if (!diagnostic) {
      if (last && /^\s/.test(line)) last[last.length - 1]! += `\n${line}`;
      else {
        elsewhere.push(line);
        last = elsewhere;
      }
      continue;
    }
    const [, path = '', lineText = '', , severity = '', code = '', message = ''] = diagnostic;
    const snippet = byPath.get(resolve(dir, path));
    if (!snippet) {
      elsewhere.push(line);
      last = elsewhere;
      continue;
    }
    const lineInBlock = Number(lineText);
    const blockLines = snippet.code.split('\n').length - 1;
    const where =
      lineInBlock <= blockLines
        ? `${snippet.file}:${markdownLine(snippet, lineInBlock)} (block at line ${snippet.fenceLine})`
        : `${snippet.file}:${snippet.fenceLine} (in what the harness adds to the block: ${compiledText(snippet).split('\n')[lineInBlock - 1] ?? ''})`;
    const list = errors.get(snippet) ?? [];
    list.push(`${where}: ${severity} ${code}: ${message}`);
    errors.set(snippet, list);
    last = list;
  }
  return { errors, elsewhere };
}

/** One run of TypeScript 5.9 (this repository's node_modules/typescript) over the whole project. */
export function typeCheck(dir: string, snippets: readonly Snippet[]): Promise<TypeCheckReport> {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  return new Promise((done) => {
    execFile(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { cwd: dir, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      const mapped = mapDiagnostics(`${stdout}${stderr}`, dir, snippets);
      const silentFailure = exitCode !== 0 && mapped.errors.size === 0 && mapped.elsewhere.length === 0;
      done({ ...mapped, exitCode, elsewhere: silentFailure ? [`tsc exited with ${exitCode ?? error?.message} and printed nothing`] : mapped.elsewhere });
    });
  });
}
