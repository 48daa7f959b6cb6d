import { z } from 'zod';
import type { CloudEventLike, EventDefinition } from './envelope';

/** A topic and the event types it carries: what the codec decodes against and what AsyncAPI documents. */
export interface EventRegistry<E extends CloudEventLike = CloudEventLike> {
  readonly topic: string;
  readonly title: string;
  readonly description: string;
  /** The service (or outside system) that writes the topic. */
  readonly producer: string;
  /** The services that read it. */
  readonly consumers: readonly string[];
  /** Whether the CloudEvents `time` attribute must be present. */
  readonly timeRequired: boolean;
  readonly events: readonly EventDefinition[];
  readonly knownTypes: readonly string[];
  /** Every event of the topic, discriminated by `type` (for validating a whole CloudEvent object). */
  readonly schema: z.ZodType<E>;
  /** The envelope schema for a type, or undefined if the topic does not carry it. */
  envelopeOf(type: string): z.ZodType<E> | undefined;
}

export type EventOfRegistry<R> = R extends EventRegistry<infer E> ? E : never;

export interface TopicDescription {
  readonly topic: string;
  readonly title: string;
  readonly description: string;
  readonly producer: string;
  readonly consumers: readonly string[];
  readonly timeRequired: boolean;
}

export function createEventRegistry<const Defs extends readonly EventDefinition[]>(
  topic: TopicDescription,
  events: Defs,
): EventRegistry<z.output<Defs[number]['envelope']>> {
  type E = z.output<Defs[number]['envelope']>;
  const byType = new Map<string, z.ZodType<E>>();
  for (const definition of events) {
    if (byType.has(definition.type)) throw new Error(`event type ${definition.type} is defined twice on ${topic.topic}`);
    byType.set(definition.type, definition.envelope as z.ZodType<E>);
  }
  const envelopes = events.map((definition) => definition.envelope) as unknown as Parameters<typeof z.discriminatedUnion>[1];
  return {
    ...topic,
    events,
    schema: z.discriminatedUnion('type', envelopes) as unknown as z.ZodType<E>,
    knownTypes: [...byType.keys()],
    envelopeOf: (type) => byType.get(type),
  };
}
