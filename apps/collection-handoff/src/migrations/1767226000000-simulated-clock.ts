import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropSimulatedClockDdl, simulatedClockDdl } from '@dunning/platform';

/**
 * `<schema>.simulated_clock`: the simulated clock's instant (DUNNING_CLOCK=simulated), kept in the
 * service's own database so a restart, even a kill -9, never sends the simulation back in time.
 * Named per schema, like the other migrations of this service.
 */
export function createSimulatedClockMigration(schema: string): new () => MigrationInterface {
  return class SimulatedClock implements MigrationInterface {
    readonly name = `SimulatedClock${schema.replace(/[^A-Za-z0-9]/g, '')}1767226000000`;
    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(simulatedClockDdl(schema));
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(dropSimulatedClockDdl(schema));
    }
  };
}
