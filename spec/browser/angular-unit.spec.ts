import { expect } from 'chai';
import { testAngularApp, type AngularTestRun } from '../../demo/angular/prepare.js';

/** The component specs of examples/angular (src/app/*.spec.ts) and how many tests each has. */
const EXPECTED = { files: 2, tests: 3 };

/**
 * examples/angular's component tests, run the way the app's developers run them: `ng test`
 * (Angular 21's unit-test builder, Vitest under jsdom), against the packed rxwamp, with
 * rxwamp/testing's in-memory router in place of a server.
 */
describe('browser: the Angular example component tests (ng test, Vitest, rxwamp/testing)', function () {
  let run: AngularTestRun;

  before(function () {
    // npm ci of the example (first run only, about a minute), the pack, and the Vitest run.
    this.timeout(15 * 60_000);
    const started = Date.now();
    run = testAngularApp({ log: (line) => console.log(`      +${((Date.now() - started) / 1000).toFixed(1)} s ${line}`) });
    console.log(`      [angular] ng test finished in ${((Date.now() - started) / 1000).toFixed(1)} s, exit code ${String(run.status)}:`);
    for (const line of summaryLines(run.output)) console.log(`        ${line}`);
  });

  it('passes every component test: the progress bar advances, Cancel sends CANCEL, leaving the route cancels', () => {
    expect(run.status, run.output).to.equal(0);
    expect(count(run.output, 'Test Files'), run.output).to.deep.equal({ passed: EXPECTED.files, total: EXPECTED.files });
    expect(count(run.output, 'Tests'), run.output).to.deep.equal({ passed: EXPECTED.tests, total: EXPECTED.tests });
  });
});

/** Vitest's per-file lines (` ✓ src/app/longop.spec.ts (2 tests) 95ms`) and its summary (`Test Files  2 passed (2)`, `Tests  3 passed (3)`). */
function summaryLines(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => /^\s*[✓×❯↓]\s.*\.spec\.ts/.test(line) || /^\s*(Test Files|Tests|Duration)\s/.test(line));
}

/** `Tests  3 passed (3)` → { passed: 3, total: 3 }; a line with failures has no bare `N passed (N)`. */
function count(output: string, label: 'Test Files' | 'Tests'): { passed: number; total: number } | undefined {
  const match = new RegExp(`^\\s*${label}\\s+(\\d+) passed \\((\\d+)\\)\\s*$`, 'm').exec(output);
  return match ? { passed: Number(match[1]), total: Number(match[2]) } : undefined;
}
