export * from './records';
export * from './writes';
export * from './provider';
export * from './errors';
export * from './registry';
