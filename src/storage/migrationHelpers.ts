/**
 * Column helpers for migrations: the columns nearly every table repeats, written once. Each takes and returns the
 * table builder, for `.$call(...)` in a createTable chain, and emits exactly the DDL the spelled-out form did
 * (migrations-ddl.test.ts pins it), so using them never changes a migration's output.
 */
import type { CreateTableBuilder } from 'kysely';

type Table = CreateTableBuilder<any, any>;

/** `id text primary key`: the text ids of core/ids. */
export function idColumn(t: Table): Table {
  return t.addColumn('id', 'text', (c) => c.primaryKey());
}

/** `created_at` and `updated_at`, ISO text, not null. */
export function timestamps(t: Table): Table {
  return textColumns('created_at', 'updated_at')(t);
}

/** Required text columns, in order. */
export function textColumns(...names: string[]): (t: Table) => Table {
  return (t) => names.reduce((b, name) => b.addColumn(name, 'text', (c) => c.notNull()), t);
}

/** A required text column referencing `target` ("table.column"); deleting the target row deletes this one. */
export function refColumn(name: string, target: string): (t: Table) => Table {
  return (t) => t.addColumn(name, 'text', (c) => c.notNull().references(target).onDelete('cascade'));
}

/** A required JSON-as-text column with a default ('{}' for objects, '[]' for lists). */
export function jsonColumn(name: string, empty: '{}' | '[]' = '{}'): (t: Table) => Table {
  return (t) => t.addColumn(name, 'text', (c) => c.notNull().defaultTo(empty));
}

/** Required text columns defaulting to '' (free-text descriptions), in order. */
export function emptyTextColumns(...names: string[]): (t: Table) => Table {
  return (t) => names.reduce((b, name) => b.addColumn(name, 'text', (c) => c.notNull().defaultTo('')), t);
}
