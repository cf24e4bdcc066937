export * from './errors';
export * from './crypto';
export * from './time';
export * from './logger';
