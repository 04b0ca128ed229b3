import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { root } from './packed-package.js';

// Issue #22 item 1: the router's core (src/router/core) and rxwamp/testing import nothing from
// Node, so they run in a browser and under jsdom; the Node listeners (src/router/node) are
// adapters beside the core, never under it; and no module of src/ is part of an import cycle.

const SRC = join(root, 'src');

/** Every .ts file under `dir`, repository-relative. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(root, path)] : [];
  });
}

/** A module's imports (type-only ones too): relative ones resolved to repository paths, bare ones as written. */
function importsOf(file: string): { readonly local: string[]; readonly bare: string[] } {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
  const local: string[] = [];
  const bare: string[] = [];
  for (const { fileName } of importedFiles) {
    if (fileName.startsWith('.')) local.push(relative(root, resolve(dirname(join(root, file)), fileName)).replace(/\.js$/, '.ts'));
    else bare.push(fileName);
  }
  return { local, bare };
}

const graph = new Map(sourceFiles(SRC).map((file) => [file, importsOf(file)]));

/** `from` and every module it reaches through relative imports. */
function reachable(from: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...from];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...(graph.get(file)?.local ?? []));
  }
  return seen;
}

/** The import cycles of src/ (strongly connected components of more than one module, or a module importing itself). */
function cycles(): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const lowOf = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string) => {
    indexOf.set(file, index);
    lowOf.set(file, index++);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file)?.local ?? []) {
      if (!graph.has(next)) continue;
      if (!indexOf.has(next)) {
        visit(next);
        lowOf.set(file, Math.min(lowOf.get(file)!, lowOf.get(next)!));
      } else if (onStack.has(next)) lowOf.set(file, Math.min(lowOf.get(file)!, indexOf.get(next)!));
    }
    if (lowOf.get(file) !== indexOf.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)!.local.includes(file)) found.push(component.sort());
  };
  for (const file of graph.keys()) if (!indexOf.has(file)) visit(file);
  return found;
}

/** Packages that run anywhere: isomorphic-ws is the browser's WebSocket in a browser bundle. */
const PORTABLE_PACKAGES = new Set(['rxjs', 'isomorphic-ws', 'cbor-x', 'msgpackr']);

describe('package: layering of the router core, its Node adapters and rxwamp/testing', () => {
  const core = [...graph.keys()].filter((file) => file.startsWith('src/router/core/'));

  it('the router core and rxwamp/testing reach no Node module (node:*, ws) and no Node adapter', () => {
    expect(core.length, 'the core has its modules').to.be.greaterThan(20);
    for (const [entry, from] of [
      ['src/router/core', core],
      ['rxwamp/testing', ['src/testing.ts']],
    ] as const) {
      const modules = reachable(from);
      const offending = [...modules].flatMap((file) =>
        graph
          .get(file)!
          .bare.filter((name) => !PORTABLE_PACKAGES.has(name))
          .map((name) => `${file}: ${name}`),
      );
      expect(offending, entry).to.deep.equal([]);
      expect(
        [...modules].filter((file) => file.startsWith('src/router/node/')),
        entry,
      ).to.deep.equal([]);
    }
  });

  it('the router core and rxwamp/testing use no Node global (Buffer, process) either', () => {
    const nodeGlobal = /(?<![.\w])(?:Buffer|process)\.\w/;
    for (const from of [core, ['src/testing.ts']]) {
      const offending = [...reachable(from)].filter((file) => nodeGlobal.test(readFileSync(join(root, file), 'utf8')));
      expect(offending).to.deep.equal([]);
    }
  });

  it('the Node adapters are where the Node imports are', () => {
    const nodeImports = [...graph].filter(([, { bare }]) => bare.some((name) => name.startsWith('node:') || name === 'ws')).map(([file]) => file);
    expect(nodeImports.filter((file) => file.startsWith('src/router/')).every((file) => file.startsWith('src/router/node/'))).to.equal(true);
    expect(nodeImports).to.include('src/router/node/router.ts');
  });

  it('no module of src/ is part of an import cycle (type-only imports included)', () => {
    expect(cycles()).to.deep.equal([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const saved = graph.get('src/router/core/realm.ts')!;
    graph.set('src/router/core/realm.ts', { ...saved, local: [...saved.local, 'src/router/core/router-session.ts'] });
    try {
      expect(cycles().some((cycle) => cycle.includes('src/router/core/realm.ts') && cycle.includes('src/router/core/router-session.ts'))).to.equal(true);
    } finally {
      graph.set('src/router/core/realm.ts', saved);
    }
  });
});
