export * from './types.js';
export * from './openai/index.js';
export { simpleBackend, type SimplePoll, type SimpleSubmit } from './simple/simple-backend.js';
