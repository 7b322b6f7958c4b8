/**
 * Migration 0011_edge (issue 15): fleets of edge devices, their devices (only a SHA-256 of each device token is
 * stored; revoked_at revokes it), deployments of a detector version to a fleet (canary → promoted | rolled_back |
 * superseded, with the artifact's sha256 and size fixed when the deployment is made), and what devices send: results
 * and feedback images, each keyed by the id the device generated, so a re-sent batch never stores anything twice.
 */
import type { Kysely, Migration } from 'kysely';

export function edgeMigration(): Migration {
  return {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('edge_fleets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('feedback_threshold', 'double precision', (c) => c.notNull())
        .addColumn('canary_share', 'double precision', (c) => c.notNull())
        .addColumn('feedback_dataset', 'text', (c) => c.notNull())
        .addColumn('health_json', 'text', (c) => c.notNull())
        .addColumn('stable_model_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('edge_devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('fleet_id', 'text', (c) => c.notNull().references('edge_fleets.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('revoked_at', 'text')
        .addColumn('last_seen_at', 'text')
        .addColumn('model_id', 'text')
        .addColumn('heartbeat_json', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('edge_devices_fleet_name_uq', ['fleet_id', 'name'])
        .execute();
      await db.schema
        .createTable('edge_deployments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('fleet_id', 'text', (c) => c.notNull().references('edge_fleets.id').onDelete('cascade'))
        .addColumn('model_id', 'text', (c) => c.notNull())
        .addColumn('model_ref', 'text', (c) => c.notNull())
        .addColumn('artifact_key', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('previous_model_id', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('canary_share', 'double precision', (c) => c.notNull())
        .addColumn('canary_devices_json', 'text', (c) => c.notNull())
        .addColumn('health_json', 'text')
        .addColumn('reason', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text')
        .execute();
      await db.schema.createIndex('edge_deployments_fleet_idx').on('edge_deployments').columns(['fleet_id', 'created_at']).execute();
      await db.schema
        .createTable('edge_results')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) => c.notNull().references('edge_devices.id').onDelete('cascade'))
        .addColumn('fleet_id', 'text', (c) => c.notNull())
        .addColumn('model_id', 'text')
        .addColumn('image', 'text', (c) => c.notNull())
        .addColumn('detections_json', 'text', (c) => c.notNull())
        .addColumn('latency_ms', 'double precision')
        .addColumn('error_code', 'text')
        .addColumn('low_confidence', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('captured_at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('edge_results_model_idx').on('edge_results').columns(['model_id', 'received_at']).execute();
      await db.schema.createIndex('edge_results_device_idx').on('edge_results').columns(['device_id', 'received_at']).execute();
      await db.schema
        .createTable('edge_feedback')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) => c.notNull().references('edge_devices.id').onDelete('cascade'))
        .addColumn('fleet_id', 'text', (c) => c.notNull())
        .addColumn('image', 'text', (c) => c.notNull())
        .addColumn('artifact_key', 'text', (c) => c.notNull())
        .addColumn('max_score', 'double precision', (c) => c.notNull())
        .addColumn('model_id', 'text')
        .addColumn('inbox_ref', 'text')
        .addColumn('captured_at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('edge_feedback_device_idx').on('edge_feedback').columns(['device_id']).execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['edge_feedback', 'edge_results', 'edge_deployments', 'edge_devices', 'edge_fleets']) await db.schema.dropTable(t).execute();
    },
  };
}
