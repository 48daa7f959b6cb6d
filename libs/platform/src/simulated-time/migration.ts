import type { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedSchema } from './clock';

/** DDL of `<schema>.simulated_clock(id int primary key, now timestamptz)`: one row, id 1. Idempotent. */
export function simulatedClockDdl(schema: string): string {
  const s = quotedSchema(schema);
  return `CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.simulated_clock (
  id integer PRIMARY KEY CHECK (id = 1),
  now timestamptz NOT NULL
);`;
}

export function dropSimulatedClockDdl(schema: string): string {
  return `DROP TABLE IF EXISTS ${quotedSchema(schema)}.simulated_clock;`;
}

/**
 * A TypeORM migration creating the simulated clock's table in `schema`. `timestamp` is the
 * migration's place in the service's sequence (TypeORM orders by the name's trailing number).
 */
export function simulatedClockMigration(schema: string, timestamp: number): new () => MigrationInterface {
  const name = `SimulatedClock${timestamp}`;
  return class SimulatedClockMigration implements MigrationInterface {
    name = name;

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(simulatedClockDdl(schema));
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(dropSimulatedClockDdl(schema));
    }
  };
}
