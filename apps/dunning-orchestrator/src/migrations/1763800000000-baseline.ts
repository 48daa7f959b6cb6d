import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Records which service owns this database, so a misconfigured DATABASE_URL fails loudly. */
export class Baseline1763800000000 implements MigrationInterface {
  name = 'Baseline1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE IF NOT EXISTS service_owner (service text PRIMARY KEY, claimed_at timestamptz NOT NULL DEFAULT now())`);
    await queryRunner.query(`INSERT INTO service_owner (service) VALUES ('dunning-orchestrator') ON CONFLICT DO NOTHING`);
    const owners: { service: string }[] = await queryRunner.query(`SELECT service FROM service_owner`);
    const strangers = owners.filter((owner) => owner.service !== 'dunning-orchestrator');
    if (strangers.length > 0) {
      throw new Error(`This database belongs to ${strangers.map((s) => s.service).join(', ')}, not dunning-orchestrator: check DATABASE_URL`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS service_owner`);
  }
}
