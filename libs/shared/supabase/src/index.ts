export type { Database, Json, Tables, TablesInsert, TablesUpdate } from '@pims/db';
