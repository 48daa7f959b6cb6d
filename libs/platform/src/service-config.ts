/** The five services and the local defaults that deploy/local and docker-compose.yml share. */
export const SERVICES = {
  invoicing: { httpPort: 3001, database: 'dunning_invoicing' },
  scoring: { httpPort: 3002, database: 'dunning_scoring' },
  'dunning-orchestrator': { httpPort: 3003, database: 'dunning_orchestrator' },
  notifier: { httpPort: 3004, database: 'dunning_notifier' },
  'collection-handoff': { httpPort: 3005, database: 'dunning_collection' },
} as const;

export type ServiceName = keyof typeof SERVICES;

export interface ServiceConfig {
  serviceName: ServiceName;
  kafkaBrokers: string[];
  databaseUrl: string;
  httpHost: string;
  httpPort: number;
}

/** Reads the environment once, at start-up; nothing else in a service reads process.env. */
export function loadServiceConfig(serviceName: ServiceName, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const defaults = SERVICES[serviceName];
  const httpPort = Number(env['HTTP_PORT'] ?? defaults.httpPort);
  if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535) {
    throw new Error(`HTTP_PORT must be an integer between 0 and 65535, got '${env['HTTP_PORT']}'`);
  }
  const kafkaBrokers = (env['KAFKA_BROKERS'] ?? '127.0.0.1:9092')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  if (kafkaBrokers.length === 0) throw new Error('KAFKA_BROKERS must name at least one broker (host:port)');
  return {
    serviceName,
    kafkaBrokers,
    databaseUrl: env['DATABASE_URL'] ?? `postgres://postgres@127.0.0.1:5432/${defaults.database}`,
    httpHost: env['HTTP_HOST'] ?? '127.0.0.1',
    httpPort,
  };
}
