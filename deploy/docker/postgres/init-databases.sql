-- Run once by the postgres image on an empty data volume: one database per service, as
-- deploy/local/postgres.sh creates them locally. Each service owns its database and writes nowhere else.
-- dunning_collection comes last: the compose healthcheck waits for it.
CREATE DATABASE dunning_invoicing;
CREATE DATABASE dunning_scoring;
CREATE DATABASE dunning_orchestrator;
CREATE DATABASE dunning_notifier;
CREATE DATABASE dunning_collection;
