#!/usr/bin/env node
// The `rxwamp-router` command (package.json "bin"): everything it does is in router/cli.ts.
// The exit code is set rather than forced, so stdout is flushed; should anything still hold
// the event loop after the router closed, the unref'd timer ends the process anyway.
import { main } from '../router/node/cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (error: unknown) => {
    console.error('rxwamp-router: unexpected failure:', error);
    process.exit(1);
  },
);
