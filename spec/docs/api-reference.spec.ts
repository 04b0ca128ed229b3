import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The API reference (`npm run docs`): TypeDoc with the repository's typedoc.json, in which every
 * warning (an undocumented public symbol, a public type that references an unexported one, a
 * broken link) is an error. Run here as `npm run docs` runs it, into a temporary directory.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);
const typedocBin = join(dirname(require.resolve('typedoc/package.json')), 'bin', 'typedoc');

interface TypedocRun {
  readonly status: number | null;
  readonly output: string;
}

/** Runs the TypeDoc CLI in `cwd`; resolves with its exit code and everything it printed (NO_COLOR: plain text). */
function typedoc(args: readonly string[], cwd: string): Promise<TypedocRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [typedocBin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (status) => {
      resolve({ status, output });
    });
  });
}

/** typedoc.json as TypeDoc reads it (JSON with comments). */
function typedocConfig(): Record<string, unknown> & { entryPoints: string[] } {
  const read = ts.readConfigFile(join(root, 'typedoc.json'), (path) => ts.sys.readFile(path));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return read.config as Record<string, unknown> & { entryPoints: string[] };
}

interface ExportConditions {
  readonly import: { readonly types: string };
}

/** package.json "exports" with types: each subpath and the source file its types are built from. */
function exportedEntryPoints(): { subpath: string; source: string }[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, ExportConditions | string> };
  return Object.entries(manifest.exports)
    .filter((entry): entry is [string, ExportConditions] => typeof entry[1] === 'object')
    .map(([subpath, conditions]) => ({
      subpath,
      source: conditions.import.types.replace(/^\.\/dist\/esm\//, 'src/').replace(/\.d\.ts$/, '.ts'),
    }));
}

/** The module name TypeDoc gives an entry point (its `@module` tag): `rxwamp`, `rxwamp/router`, … */
const moduleName = (subpath: string): string => (subpath === '.' ? 'rxwamp' : `rxwamp/${subpath.slice(2)}`);
/** Where TypeDoc's HTML theme puts a module's or a class's page. */
const modulePage = (name: string): string => join('modules', `${name.replace(/\//g, '_')}.html`);
const classPage = (module: string, name: string): string => join('classes', `${module.replace(/\//g, '_')}.${name}.html`);

/**
 * A one-file project with the repository's TypeDoc settings (less what names this repository's
 * own files and symbols) and one undocumented function: what those settings must refuse.
 */
function projectWithAnUndocumentedFunction(): string {
  const project = mkdtempSync(join(tmpdir(), 'rxwamp-api-check-'));
  writeFileSync(
    join(project, 'index.ts'),
    [
      '/**',
      ' * A module with one documented and one undocumented function.',
      ' *',
      ' * @module fixture',
      ' */',
      '',
      '/** Documented. */',
      'export function documented(): void {}',
      '',
      'export function undocumented(): void {}',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, types: [] },
      files: ['index.ts'],
    }),
  );
  const settings: Record<string, unknown> = { ...typedocConfig(), entryPoints: ['index.ts'], tsconfig: 'tsconfig.json' };
  delete settings['intentionallyNotExported'];
  delete settings['intentionallyNotDocumented'];
  writeFileSync(join(project, 'typedoc.json'), JSON.stringify(settings));
  return project;
}

describe('docs: the API reference (typedoc.json, warnings as errors)', function () {
  this.timeout(120_000); // TypeDoc converts the whole package and writes every page

  let out: string;
  let project: string;
  /** `npm run docs`, into a temporary directory. */
  let docs: TypedocRun;
  /** The same settings on projectWithAnUndocumentedFunction(), validation only. */
  let check: TypedocRun;
  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'rxwamp-api-'));
    project = projectWithAnUndocumentedFunction();
    // Side by side: each run is mostly one CPU's work.
    [docs, check] = await Promise.all([typedoc(['--out', out], root), typedoc(['--options', 'typedoc.json', '--emit', 'none'], project)]);
  });
  after(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  });

  it('documents exactly the entry points of package.json "exports"', () => {
    const sources = exportedEntryPoints().map((entry) => entry.source);
    expect(sources).to.include('src/index.ts');
    expect(typedocConfig().entryPoints).to.have.members(sources);
  });

  it('npm run docs exits 0 and prints no warning or error', () => {
    expect(docs.output, docs.output).to.not.match(/\[(warning|error)\]/);
    expect(docs.status, docs.output).to.equal(0);
  });

  it('writes a page for each entry point, WampClient and Router', () => {
    const pages = [
      ...exportedEntryPoints().map((entry) => modulePage(moduleName(entry.subpath))),
      classPage('rxwamp', 'WampClient'),
      classPage('rxwamp/router', 'Router'),
    ];
    const missing = pages.filter((page) => !existsSync(join(out, page)));
    expect(missing, `pages missing from ${out}:\n${docs.output}`).to.deep.equal([]);
    for (const entry of exportedEntryPoints()) {
      expect(readFileSync(join(out, modulePage(moduleName(entry.subpath))), 'utf8')).to.include(`<title>${moduleName(entry.subpath)} | rxwamp</title>`);
    }
  });

  it("puts WampClient's documented methods on its page", () => {
    // Each member's heading, without the line-break hints (`call<wbr/>Stream$`) the theme adds.
    const page = readFileSync(join(out, classPage('rxwamp', 'WampClient')), 'utf8').replace(/<wbr\/>/g, '');
    for (const method of ['call$', 'callStream$', 'register', 'registerStream', 'registerDuplex', 'publish', 'topic$', 'close']) {
      expect(page, method).to.include(`<span>${method}</span>`);
    }
    expect(page).to.include('Unsubscribing before the final result sends CANCEL');
  });

  it('fails on an undocumented public symbol (the same settings on a one-file project)', () => {
    expect(check.output).to.match(/\[warning\] undocumented \(\w+\), defined in .* does not have any documentation/);
    expect(check.output).to.not.match(/\bdocumented \(/);
    expect(check.status, check.output).to.not.equal(0);
  });
});
