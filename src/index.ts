/** Public entry point of the ringkv package. */
export * from './wire/types.js';
export * from './membership/types.js';
