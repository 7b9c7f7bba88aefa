export * from './types.js';
export * from './openai/index.js';
