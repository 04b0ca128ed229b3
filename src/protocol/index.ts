export * from './messages.js';
export * from './errors.js';
export * from './error-uris.js';
export * from './ids.js';
export * from './uri.js';
export * from './validate.js';
export * from './validate-message.js';
