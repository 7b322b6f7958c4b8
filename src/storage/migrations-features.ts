/**
 * Migration 0006_features: the feature store (issue 14). Feature groups, the append-only offline store and the
 * online store (latest row per record id).
 *
 * Event times are integer epoch milliseconds (`bigint`), not ISO text: point-in-time retrieval compares and sorts
 * them for every one of millions of rows, and numbers compare without parsing or format rules. The offline rows are
 * keyed (group_id, record_id, event_time, seq) — `seq` is the group's write counter, so equal event times are
 * ordered by write — and on SQLite the table is WITHOUT ROWID, clustered on that key: the retrieval scan reads the
 * rows in key order straight from the table, with no second lookup per row. Values are one JSON object per row
 * (a group's features may grow with its schema version; retrieval parses only the rows it returns).
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { emptyTextColumns, idColumn, refColumn, textColumns, timestamps } from './migrationHelpers.ts';

type Table = Parameters<typeof idColumn>[0];

/** The columns the offline and online stores share: one row of one record at one event time. */
function featureRowColumns(t: Table): Table {
  return t
    .$call(refColumn('group_id', 'feature_groups.id'))
    .$call(textColumns('record_id'))
    .addColumn('event_time', 'bigint', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('schema_version', 'integer', (c) => c.notNull())
    .$call(textColumns('written_at', 'values_json'));
}

/** `dialect` as in migrations.ts (spelled out here: importing its type would make an import cycle). */
export function featuresMigration(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('feature_groups')
        .$call(idColumn)
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .$call(emptyTextColumns('description'))
        .$call(textColumns('record_id_feature', 'event_time_feature'))
        .addColumn('schema_version', 'integer', (c) => c.notNull().defaultTo(1))
        .$call(textColumns('schemas_json'))
        .addColumn('next_seq', 'bigint', (c) => c.notNull().defaultTo(1))
        .$call(timestamps)
        .execute();
      const rows = db.schema
        .createTable('feature_records')
        .$call(featureRowColumns)
        .addPrimaryKeyConstraint('feature_records_pk', ['group_id', 'record_id', 'event_time', 'seq']);
      await (dialect === 'sqlite' ? rows.modifyEnd(sql`without rowid`) : rows).execute();
      await db.schema
        .createTable('feature_online')
        .$call(featureRowColumns)
        .addPrimaryKeyConstraint('feature_online_pk', ['group_id', 'record_id'])
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['feature_online', 'feature_records', 'feature_groups']) await db.schema.dropTable(t).ifExists().execute();
    },
  };
}
