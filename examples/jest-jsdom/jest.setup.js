/**
 * Jest's jsdom environment gives tests jsdom's window as the global scope, and jsdom has no
 * TextEncoder/TextDecoder (browsers and Node do). rxwamp's JSON serializer needs them, so they are
 * lent from Node here, as most Jest + jsdom projects do. (Vitest's jsdom environment keeps Node's.)
 */
const { TextDecoder, TextEncoder } = require('node:util');

Object.assign(globalThis, { TextDecoder, TextEncoder });
