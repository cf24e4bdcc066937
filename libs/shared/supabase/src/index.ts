export type { Database, Json, Tables, TablesInsert, TablesUpdate } from '@pims/db';
export * from './client';
export * from './queries';
