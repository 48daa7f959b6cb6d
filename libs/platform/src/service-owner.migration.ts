import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { ServiceName } from './service-config';

/**
 * Each service's first migration: records which service owns the database, so that a
 * DATABASE_URL pointing at another service's database fails loudly at start instead of
 * mixing two services' tables (each service owns its database and writes nowhere else).
 */
export function serviceOwnerMigration(service: ServiceName): new () => MigrationInterface {
  return class Baseline1763800000000 implements MigrationInterface {
    name = 'Baseline1763800000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`CREATE TABLE IF NOT EXISTS service_owner (service text PRIMARY KEY, claimed_at timestamptz NOT NULL DEFAULT now())`);
      await queryRunner.query(`INSERT INTO service_owner (service) VALUES ($1) ON CONFLICT DO NOTHING`, [service]);
      const owners: { service: string }[] = await queryRunner.query(`SELECT service FROM service_owner`);
      const strangers = owners.filter((owner) => owner.service !== service);
      if (strangers.length > 0) {
        throw new Error(`This database belongs to ${strangers.map((s) => s.service).join(', ')}, not ${service}: check DATABASE_URL`);
      }
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE IF EXISTS service_owner`);
    }
  };
}
