export * from './pool';
export * from './migrate';
export * from './embedded';
export * from './database';
