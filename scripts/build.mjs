// Builds dist/esm (ES modules) and dist/cjs (CommonJS), each with .d.ts, from src/. The source
// maps carry the TypeScript they map to (inlineSources), since src/ is not in the package.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';

const tsc = (project) => execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project], { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
tsc('tsconfig.build.json');
tsc('tsconfig.cjs.json');
// Tell Node which module system each half uses, whatever the package's "type" says. Bundlers
// read sideEffects from the nearest package.json, which for every built file is one of these.
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', JSON.stringify({ type: 'commonjs', sideEffects: false }) + '\n');
writeFileSync('dist/esm/package.json', JSON.stringify({ type: 'module', sideEffects: false }) + '\n');
// The rxwamp-router command (package.json "bin") runs from dist/esm only. tsc keeps its
// #!/usr/bin/env node line but writes it without the executable bit, which running it by path
// needs (npm sets the bit when it links a bin; a clone's ./dist/esm/bin/rxwamp-router.js does not).
rmSync('dist/cjs/bin', { recursive: true, force: true });
chmodSync('dist/esm/bin/rxwamp-router.js', 0o755);
console.log('built dist/esm and dist/cjs');
