export * from './api';
export * from './labels';
