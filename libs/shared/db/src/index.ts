export * from './pool';
export * from './migrate';
export * from './embedded';
export * from './database';
export * from './session-lock';
export * from './rows';
