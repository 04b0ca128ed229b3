// Types for the constants the specs import from ensure-test-deps.mjs.

/** Debian's Chromium (/usr/bin/chromium), or CHROMIUM_PATH. */
export declare const CHROMIUM_PATH: string;
/** Debian's Python (/usr/bin/python3), which has python3-autobahn; or PYTHON. */
export declare const PYTHON_PATH: string;
/** The Debian packages the tests need, less those a CHROMIUM_PATH or PYTHON override takes care of. */
export declare function requiredPackages(): string[];
