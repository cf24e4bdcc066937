// Node-only helpers (crypto) beside everything browser-safe from @pims/util-core, so existing
// `@pims/util` imports keep working. Browser code imports @pims/util-core instead.
export * from '@pims/util-core';
export * from './crypto';
export * from './retry';
