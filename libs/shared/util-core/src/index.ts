// Browser-safe: nothing here reaches a Node built-in (the lint rule holds it to runtime:browser).
export * from './errors';
export * from './time';
export * from './logger';
