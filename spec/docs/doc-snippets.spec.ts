import { expect } from 'chai';
import { root } from '../package/packed-package.js';
import { excerptMismatch } from './check-excerpt.js';
import { blockAddress, collectDocSnippets, firstMeaningfulLine, formatProblem, type Snippet } from './extract-snippets.js';
import { limitConcurrency, runSnippet, type RunOutcome } from './run-snippet.js';
import { createSnippetProject, isTypeChecked, typeCheck, type TypeCheckReport } from './snippet-project.js';

/**
 * Every TypeScript block of README.md and docs/**\/*.md, checked as the convention in
 * CONTRIBUTING.md says: type-checked against the packed package, programs run against an
 * embedded router, excerpts found in their files. The files are found when the spec loads.
 */
const docs = collectDocSnippets(root);
const typeChecked = docs.snippets.filter(isTypeChecked);
const programs = docs.snippets.filter((snippet) => snippet.kind === 'run');
const excerpts = docs.snippets.filter((snippet) => snippet.kind === 'excerpt');

/** One project for the whole spec (packing happens once per test run, in packedTarball). */
let project: string | undefined;
const snippetProject = (): string => (project ??= createSnippetProject(docs.snippets));

describe('docs: the TypeScript blocks of README.md and docs/**/*.md', function () {
  it(`finds README.md and its TypeScript blocks (${docs.files.length} files, ${docs.snippets.length} blocks)`, () => {
    expect(docs.files).to.include('README.md');
    expect(
      docs.snippets.filter((s) => s.file === 'README.md'),
      'no TypeScript block found in README.md',
    ).to.not.be.empty;
  });

  it('tags every TypeScript block with a known kind, and puts each text output block right after a ts block', () => {
    if (docs.problems.length > 0) expect.fail(docs.problems.map(formatProblem).join('\n'));
  });

  describe(`type-check (strict, against the packed rxwamp, one tsc run for ${typeChecked.length} blocks)`, function () {
    let report: TypeCheckReport;
    before(async function () {
      this.timeout(240_000); // the build and npm pack (once per test run), then tsc
      report = await typeCheck(snippetProject(), docs.snippets);
    });

    for (const snippet of typeChecked) {
      it(`${blockAddress(snippet)} (ts${snippet.kind === 'run' ? '' : ` ${snippet.kind}`}): ${firstMeaningfulLine(snippet)}`, () => {
        const errors = report.errors.get(snippet);
        if (errors) expect.fail(errors.join('\n'));
      });
    }

    it("tsc reports no error outside the blocks (the package's declarations, the project)", () => {
      if (report.elsewhere.length > 0) expect.fail(report.elsewhere.join('\n'));
      if (report.errors.size === 0) expect(report.exitCode).to.equal(0);
    });
  });

  describe(`run with tsx against an embedded router (${programs.length} programs, 2 at a time)`, function () {
    const outcomes = new Map<Snippet, Promise<RunOutcome>>();
    before(function () {
      this.timeout(240_000);
      const projectDir = snippetProject();
      const inTurn = limitConcurrency(2);
      // All start now, two at a time; each test below waits for its own.
      for (const snippet of programs) {
        const outcome = inTurn(() => runSnippet(snippet, { projectDir })).catch((error: unknown) => ({
          failure: `${blockAddress(snippet)}: could not be run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
          stdout: '',
          stderr: '',
        }));
        outcomes.set(snippet, outcome);
      }
    });

    for (const snippet of programs) {
      it(`${blockAddress(snippet)}: ${firstMeaningfulLine(snippet)}`, async function () {
        this.timeout(120_000); // its own 20 s limit, after those ahead of it in the queue
        const { failure } = await outcomes.get(snippet)!;
        if (failure !== undefined) expect.fail(failure);
      });
    }
  });

  describe(`excerpts (${excerpts.length}): each block's lines occur, in order, in its file`, () => {
    for (const snippet of excerpts) {
      it(`${blockAddress(snippet)}: ts excerpt ${snippet.excerptOf}`, () => {
        const mismatch = excerptMismatch(snippet, root);
        if (mismatch !== undefined) expect.fail(mismatch);
      });
    }
  });
});
