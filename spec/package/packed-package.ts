// The package as npm publishes it, for the package specs: one build and one `npm pack` per test
// run (the specs share them), and throwaway consumer projects that have it installed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));

let built = false;
let tarball: string | undefined;

/** Temp folders made here, removed when the test run ends (rm does not follow the links in them). */
const madeDirs: string[] = [];
process.on('exit', () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

/** `npm run build`, once per test run. */
export function buildOnce(): void {
  if (built) return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
  built = true;
}

/** The .tgz `npm pack` makes of the built package (its prepare build is the one buildOnce ran: packed with --ignore-scripts). */
export function packedTarball(): string {
  if (tarball) return tarball;
  buildOnce();
  const destination = tempDir('rxwamp-pack-');
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', destination], { cwd: root, stdio: 'pipe' });
  const [file] = readdirSync(destination).filter((name) => name.endsWith('.tgz'));
  if (!file) throw new Error(`npm pack left no .tgz in ${destination}`);
  tarball = join(destination, file);
  return tarball;
}

/** The paths in the tarball, relative to the package root. */
export function packedFiles(): string[] {
  return execFileSync('tar', ['-tzf', packedTarball()], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));
}

export interface ConsumerOptions {
  /** The consumer's package.json "type". */
  readonly type: 'module' | 'commonjs';
  /** Install @types/node beside it (a Node project), or not (a browser app). */
  readonly nodeTypes: boolean;
  /** Source files, by name. */
  readonly files: Readonly<Record<string, string>>;
  readonly tsconfig: object;
}

/**
 * A project in the temp folder with the packed rxwamp in node_modules as `npm install` would
 * put it, plus rxjs (its peer) and typescript linked from this repo. Nothing else: no `ws`,
 * no `@types/ws`, none of rxwamp's runtime dependencies, so types that lean on them fail.
 */
export function consumerProject(options: ConsumerOptions): string {
  const dir = tempDir('rxwamp-consumer-');
  const modules = join(dir, 'node_modules');
  mkdirSync(join(modules, '@types'), { recursive: true });
  execFileSync('tar', ['-xzf', packedTarball(), '-C', dir]);
  renameSync(join(dir, 'package'), join(modules, 'rxwamp'));
  const linked = ['rxjs', 'typescript', ...(options.nodeTypes ? ['@types/node'] : [])];
  for (const name of linked) symlinkSync(join(root, 'node_modules', name), join(modules, name), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: options.type }, null, 2));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(options.tsconfig, null, 2));
  for (const [name, text] of Object.entries(options.files)) writeFileSync(join(dir, name), text);
  return dir;
}
