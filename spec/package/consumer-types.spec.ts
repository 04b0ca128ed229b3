import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { AUTH_APP, CLIENT_APP, DOM_SHAPED_WEBSOCKET, DOM_WEBSOCKET, ROUTER_APP, TESTING_APP, WRONG_CONTRACT_APP } from './consumer-sources.js';
import { consumerProject, packedTarball, root } from './packed-package.js';

/** The TypeScript versions users have: 5.x (the `typescript` dev dependency) and 7 (what `npm install typescript` gives now). */
const COMPILERS = [
  { name: 'TypeScript 5.9', tsc: join(root, 'node_modules/typescript/bin/tsc') },
  { name: 'TypeScript 7', tsc: join(root, 'node_modules/typescript7/bin/tsc') },
] as const;

/** TypeScript 7 removed `moduleResolution: node10` (error TS5108), so no TypeScript 7 project uses it. */
function variantsFor(compiler: Compiler): readonly Variant[] {
  return compiler.name === 'TypeScript 7' ? VARIANTS.filter((variant) => variant.moduleResolution !== 'node10') : VARIANTS;
}
type Compiler = (typeof COMPILERS)[number];

/** One way a project compiles against the published package. */
interface Variant {
  readonly name: string;
  readonly type: 'module' | 'commonjs';
  readonly module: string;
  readonly moduleResolution: string;
  /** lib "dom" (the browser's WebSocket) or not (a browser-shaped one declared by hand). */
  readonly dom: boolean;
  /** @types/node installed: a Node project, which may also use rxwamp/router. */
  readonly node: boolean;
}

const VARIANTS: readonly Variant[] = [
  { name: 'bundler, browser app (lib dom, no @types/node)', type: 'module', module: 'esnext', moduleResolution: 'bundler', dom: true, node: false },
  { name: 'bundler, Node app', type: 'module', module: 'esnext', moduleResolution: 'bundler', dom: false, node: true },
  { name: 'node16, ES module ("type": "module")', type: 'module', module: 'node16', moduleResolution: 'node16', dom: false, node: true },
  { name: 'node16, CommonJS (lib dom and @types/node)', type: 'commonjs', module: 'node16', moduleResolution: 'node16', dom: true, node: true },
  { name: 'node10, CommonJS', type: 'commonjs', module: 'commonjs', moduleResolution: 'node10', dom: false, node: true },
];

/** The client and (in Node projects) the router, as issue #8 asks. */
function clientAndRouter(variant: Variant): Record<string, string> {
  return {
    'client-app.ts': CLIENT_APP,
    'browser-websocket.ts': variant.dom ? DOM_WEBSOCKET : DOM_SHAPED_WEBSOCKET,
    ...(variant.node ? { 'router-app.ts': ROUTER_APP } : {}),
  };
}

function compile(compiler: Compiler, variant: Variant, files: Record<string, string>): { status: number | null; output: string } {
  const dir = consumerProject({
    type: variant.type,
    nodeTypes: variant.node,
    files,
    tsconfig: {
      compilerOptions: {
        target: 'es2022',
        module: variant.module,
        moduleResolution: variant.moduleResolution,
        lib: variant.dom ? ['dom', 'es2022'] : ['es2022'],
        types: variant.node ? ['node'] : [],
        strict: true,
        skipLibCheck: false,
        noEmit: true,
      },
      files: Object.keys(files),
    },
  });
  const tsc = spawnSync(process.execPath, [compiler.tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
  return { status: tsc.status, output: `${tsc.stdout}${tsc.stderr}`.trim() };
}

describe('package: a TypeScript consumer of the packed package (strict, skipLibCheck off, no ws types)', function () {
  this.timeout(180_000);

  before(() => {
    packedTarball();
  });

  for (const compiler of COMPILERS) {
    for (const variant of variantsFor(compiler)) {
      const imports = variant.node ? 'rxwamp, rxwamp/cbor, rxwamp/msgpack and rxwamp/router' : 'rxwamp, rxwamp/cbor and rxwamp/msgpack';
      it(`${compiler.name}, ${variant.name}: ${imports} compile`, () => {
        const { status, output } = compile(compiler, variant, clientAndRouter(variant));
        expect(output, output).to.equal('');
        expect(status).to.equal(0);
      });

      it(`${compiler.name}, ${variant.name}: rxwamp/auth and rxwamp/testing compile`, () => {
        const { status, output } = compile(compiler, variant, { 'auth-app.ts': AUTH_APP, 'testing-app.ts': TESTING_APP });
        expect(output, output).to.equal('');
        expect(status).to.equal(0);
      });
    }

    // Issue #20: TypeScript 7 explains a failed overloaded call by the last overload alone, so a
    // wrong contract used to read "Procedure<...> is not assignable to parameter of type 'string'".
    it(`${compiler.name}: a wrong contract or wrong untyped args are reported at the argument that is wrong, with the real mismatch`, () => {
      const { status, output } = compile(compiler, VARIANTS[1]!, { 'wrong-contract.ts': WRONG_CONTRACT_APP.source });
      expect(status).to.not.equal(0);
      // One error: its first line (file, position, code) and the indented lines that explain it.
      const errors = output.split(/\n(?=\S)/).filter((error) => /error TS\d+/.test(error));
      const expected = WRONG_CONTRACT_APP.expected.map(([line, message]) => ({ line, message }));
      expect(errors, output).to.have.length(expected.length);
      for (const [index, { line, message }] of expected.entries()) {
        expect(errors[index], output).to.match(new RegExp(`^wrong-contract\\.ts\\(${line},\\d+\\): error TS\\d+: `));
        expect(errors[index], output).to.include(message);
      }
      expect(output).to.not.include('No overload matches this call');
    });
  }
});
