// Row types for code that reads the database through node-postgres, derived from the generated
// Database type (database.types.ts, `npm run db:types`), so a renamed, dropped or retyped column
// breaks the typecheck of every repository that names it.
import type { Database, Json, Tables } from './database.types';

export type { CompositeTypes, Database, Enums, Json, Tables, TablesInsert, TablesUpdate } from './database.types';

export type TableName = keyof Database['public']['Tables'];
export type FunctionName = keyof Database['public']['Functions'];

/**
 * A column's value as node-postgres answers it. The generator types values as PostgREST sends them
 * (JSON: a timestamptz is a string); node-postgres parses timestamptz into a Date. Every timestamptz
 * column is named `*_at` and every `*_at` column is a timestamptz (checked by
 * database-types.int.test.ts), so the name says which. `date` and `time` stay strings, int8 is a
 * number (pool.ts sets both parsers), jsonb is parsed: as the generator says.
 */
type PgValue<K, V> = K extends `${string}_at` ? ([V] extends [string] ? Date : [V] extends [string | null] ? Date | null : V) : V;
type PgValues<R> = { [K in keyof R]: PgValue<K, R[K]> };

/** A row of a table as `pool.query('select * from public.<table>')` answers it. */
export type PgRow<T extends TableName> = PgValues<Tables<T>>;

/** A row that a set-returning function answers, as node-postgres gives it. */
export type PgFunctionRow<F extends FunctionName> = Database['public']['Functions'][F]['Returns'] extends (infer R)[]
  ? PgValues<R>
  : never;

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S;

/** The same fields with camelCase names (`clinic_id` -> `clinicId`): a row as the domain names it. */
export type Camelized<T> = { [K in keyof T as K extends string ? CamelCase<K> : K]: T[K] };

/**
 * T with some fields narrowed (a status column's text to its union of values, a jsonb column to the
 * shape the code stores in it). Each narrowed field must exist in T, and fit its type unless it is a
 * jsonb column: naming a column that is gone, or a type a text or number column cannot hold, fails
 * to compile.
 */
export type Narrow<T, N extends { [K in keyof N]: K extends keyof T ? (IsJson<T[K]> extends true ? unknown : T[K]) : never }> = Simplify<
  Omit<T, keyof N> & N
>;

type IsJson<V> = [NonNullable<Json>] extends [NonNullable<V>] ? true : false;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
