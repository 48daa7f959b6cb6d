import { z } from 'zod';
import { ALL_EVENT_REGISTRIES } from '../catalog';
import { DECODE_ERROR_CODES } from '../cloudevents/decode-error';
import { BINARY_MODE_CONTENT_TYPE, CLOUDEVENTS_SPEC_VERSION, CONTENT_TYPE_HEADER, STRUCTURED_MODE_CONTENT_TYPE, ceHeaderOf, type EventDefinition } from '../cloudevents/envelope';
import type { EventRegistry } from '../cloudevents/event-registry';
import { DEAD_LETTER_HEADERS, deadLetterTopicOf } from '../topics';

// docs/asyncapi.yaml is built from the same zod schemas the codec validates with, so the document
// cannot say something the code does not do. Pure: the caller renders it (YAML) and supplies examples.

export const ASYNCAPI_VERSION = '3.0.0';
const KAFKA_BINDING_VERSION = '0.5.0';

export interface AsyncApiMessageExample {
  readonly name: string;
  readonly summary: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: unknown;
}

export interface AsyncApiOptions {
  /** Examples per CloudEvents type (e.g. from the golden fixtures). */
  readonly examples?: ReadonlyMap<string, readonly AsyncApiMessageExample[]>;
}

type JsonObject = Record<string, unknown>;

// Formats say what these regexes say, in a word; the regexes (zod's) would only add noise to the document.
const FORMATS_WITHOUT_PATTERN = new Set(['date', 'date-time', 'email']);

/** JSON Schema (draft-07, the base of AsyncAPI schemas) for what a producer must send. */
export function jsonSchemaOf(schema: z.ZodType): JsonObject {
  const jsonSchema = z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'input',
    unrepresentable: 'any',
    override: ({ jsonSchema: node }) => {
      if (typeof node.format === 'string' && FORMATS_WITHOUT_PATTERN.has(node.format)) delete node.pattern;
    },
  }) as JsonObject;
  delete jsonSchema['$schema'];
  return jsonSchema;
}

const camel = (text: string): string =>
  text
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== '')
    .map((part, index) => (index === 0 ? part.toLowerCase() : part.charAt(0).toUpperCase() + part.slice(1)))
    .join('');

const channelIdOf = (topic: string): string => camel(topic);
const DEAD_LETTER_MESSAGE = 'deadLetter';

function cloudEventHeaders(registry: EventRegistry, definition: EventDefinition): JsonObject {
  const text = (description: string): JsonObject => ({ type: 'string', minLength: 1, description });
  const required = [ceHeaderOf('specversion'), ceHeaderOf('id'), ceHeaderOf('source'), ceHeaderOf('type')];
  if (registry.timeRequired) required.push(ceHeaderOf('time'));
  required.push(CONTENT_TYPE_HEADER);
  return {
    type: 'object',
    description: `CloudEvents ${CLOUDEVENTS_SPEC_VERSION} attributes, binary content mode (Kafka protocol binding). Other ce_* headers are extension attributes (e.g. ce_traceparent).`,
    required,
    properties: {
      [ceHeaderOf('specversion')]: { type: 'string', const: CLOUDEVENTS_SPEC_VERSION },
      [ceHeaderOf('id')]: text('Event id. source + id identify an event; a repeat is a duplicate and is ignored.'),
      [ceHeaderOf('source')]: text('The producing system, a URI-reference.'),
      [ceHeaderOf('type')]: { type: 'string', const: definition.type },
      [ceHeaderOf('time')]: {
        type: 'string',
        format: 'date-time',
        description: registry.timeRequired ? 'When the fact happened in the producing service, with an offset or Z.' : 'When the event happened, with an offset or Z. Optional.',
      },
      [ceHeaderOf('subject')]: text('Optional: what the event is about within the source, e.g. the invoice id.'),
      [ceHeaderOf('dataschema')]: text('Optional: URI of the data schema.'),
      [CONTENT_TYPE_HEADER]: {
        type: 'string',
        const: BINARY_MODE_CONTENT_TYPE,
        description: `Binary mode. Structured mode sends ${STRUCTURED_MODE_CONTENT_TYPE} instead, no ce_* headers, and the whole CloudEvent (with this payload as "data") as the value.`,
      },
    },
  };
}

function message(registry: EventRegistry, definition: EventDefinition, examples: readonly AsyncApiMessageExample[]): JsonObject {
  return {
    name: definition.type,
    title: definition.type,
    summary: definition.summary,
    ...(definition.description === undefined ? {} : { description: definition.description }),
    contentType: BINARY_MODE_CONTENT_TYPE,
    headers: cloudEventHeaders(registry, definition),
    payload: jsonSchemaOf(definition.data),
    bindings: {
      kafka: {
        key: { type: 'string', description: 'The customer id; equals data.customerId, so a customer’s events stay in order.' },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
    ...(examples.length === 0 ? {} : { examples: examples.map((example) => ({ ...example })) }),
  };
}

function deadLetterMessage(): JsonObject {
  const header = (description: string): JsonObject => ({ type: 'string', description });
  return {
    name: 'dead-letter',
    title: 'Dead-lettered record',
    summary: 'A record a consumer could not accept, unchanged (key, value and original headers), plus where it came from and why.',
    description: 'Header values never contain personal data. Fix the producer, then replay the value to the origin topic.',
    contentType: 'application/octet-stream',
    headers: {
      type: 'object',
      required: Object.values(DEAD_LETTER_HEADERS),
      properties: {
        [DEAD_LETTER_HEADERS.originTopic]: header('The topic the record was read from.'),
        [DEAD_LETTER_HEADERS.originPartition]: header('Its partition (decimal).'),
        [DEAD_LETTER_HEADERS.originOffset]: header('Its offset (decimal).'),
        [DEAD_LETTER_HEADERS.errorClass]: header('DecodeError, BusinessRejection, or the class of a non-retriable error.'),
        [DEAD_LETTER_HEADERS.errorCode]: header(`Why: a decode error code (${DECODE_ERROR_CODES.join(', ')}) or a processing error code of the consumer.`),
        [DEAD_LETTER_HEADERS.errorReason]: header('The reason in words, e.g. "data.amount.minor: expected a positive integer …, got -5".'),
        [DEAD_LETTER_HEADERS.consumerGroup]: header('The consumer group that gave up on it.'),
        [DEAD_LETTER_HEADERS.failedAt]: { type: 'string', format: 'date-time', description: 'When it was dead-lettered (UTC).' },
      },
    },
    payload: { description: 'The original value, byte for byte; it may not be JSON at all.' },
    bindings: { kafka: { key: { type: 'string', description: 'The original key.' }, bindingVersion: KAFKA_BINDING_VERSION } },
  };
}

/** The AsyncAPI 3.0 document of every topic, message and dead-letter topic of the platform. */
export function buildAsyncApiDocument(options: AsyncApiOptions = {}): JsonObject {
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  const messages: JsonObject = {};

  for (const registry of ALL_EVENT_REGISTRIES) {
    const channelId = channelIdOf(registry.topic);
    const channelMessages: JsonObject = {};
    for (const definition of registry.events) {
      messages[definition.type] = message(registry, definition, options.examples?.get(definition.type) ?? []);
      channelMessages[definition.type] = { $ref: `#/components/messages/${definition.type}` };
    }
    channels[channelId] = {
      address: registry.topic,
      title: registry.title,
      description: `${registry.description}\n\nProduced by ${registry.producer}; consumed by ${registry.consumers.join(', ')}. Records that cannot be accepted go to ${deadLetterTopicOf(registry.topic)}.`,
      messages: channelMessages,
      bindings: { kafka: { topic: registry.topic, bindingVersion: KAFKA_BINDING_VERSION } },
    };
    const messageRefs = registry.events.map((definition) => ({ $ref: `#/channels/${channelId}/messages/${definition.type}` }));
    operations[camel(`send ${registry.topic}`)] = {
      action: 'send',
      channel: { $ref: `#/channels/${channelId}` },
      title: `${registry.producer} publishes ${registry.topic}`,
      messages: messageRefs,
    };
    for (const consumer of registry.consumers) {
      operations[camel(`${consumer} receives ${registry.topic}`)] = {
        action: 'receive',
        channel: { $ref: `#/channels/${channelId}` },
        title: `${consumer} consumes ${registry.topic}`,
        messages: messageRefs,
      };
    }

    const deadLetterTopic = deadLetterTopicOf(registry.topic);
    const deadLetterChannelId = channelIdOf(deadLetterTopic);
    channels[deadLetterChannelId] = {
      address: deadLetterTopic,
      title: `Dead letters of ${registry.topic}`,
      description: `Records of ${registry.topic} a consumer rejected, with the reason; the partition they came from kept moving.`,
      messages: { [DEAD_LETTER_MESSAGE]: { $ref: `#/components/messages/${DEAD_LETTER_MESSAGE}` } },
      bindings: { kafka: { topic: deadLetterTopic, bindingVersion: KAFKA_BINDING_VERSION } },
    };
    operations[camel(`dead letter ${registry.topic}`)] = {
      action: 'send',
      channel: { $ref: `#/channels/${deadLetterChannelId}` },
      title: `Consumers of ${registry.topic} dead-letter what they cannot accept`,
      messages: [{ $ref: `#/channels/${deadLetterChannelId}/messages/${DEAD_LETTER_MESSAGE}` }],
    };
  }
  messages[DEAD_LETTER_MESSAGE] = deadLetterMessage();

  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: 'Smart dunning — event contracts',
      version: '1.0.0',
      description:
        'Every Kafka topic of the smart dunning platform: the ingress contract billing systems write (billing.events.v1) and the integration events the services exchange. Generated from libs/contracts (zod schemas) by scripts/generate-asyncapi.ts; see docs/contracts.md for the rules (CloudEvents 1.0, key = customerId, money in integer minor units, additive evolution within a version).',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: BINARY_MODE_CONTENT_TYPE,
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'The local single-broker Kafka (deploy/local/kafka.sh).' },
    },
    channels,
    operations,
    components: { messages },
  };
}
