import { z } from 'zod';
import { instant } from '../shared/primitives';

// One envelope for every event on every topic: CloudEvents 1.0 (https://github.com/cloudevents/spec).
// Ingress (billing) and integration events differ only in whether `time` is required.

export const CLOUDEVENTS_SPEC_VERSION = '1.0';
/** Binary content mode: attributes in `ce_*` headers, the event's data as the JSON value. */
export const BINARY_MODE_CONTENT_TYPE = 'application/json';
/** Structured content mode: the whole CloudEvent as one JSON object in the value. */
export const STRUCTURED_MODE_CONTENT_TYPE = 'application/cloudevents+json';
export const CONTENT_TYPE_HEADER = 'content-type';
/** CloudEvents Kafka binding: every attribute travels as a header named `ce_<attribute>`. */
export const CE_HEADER_PREFIX = 'ce_';

/** The context attributes this contract understands; any other `ce_*` header (or top-level key) is an extension. */
export const CONTEXT_ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'time', 'subject', 'dataschema'] as const;
export type ContextAttribute = (typeof CONTEXT_ATTRIBUTES)[number];

export const ceHeaderOf = (attribute: string): string => `${CE_HEADER_PREFIX}${attribute}`;

/** CloudEvents extension attribute names: lower-case letters and digits (e.g. traceparent, correlationid). */
export const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;

/** The structural shape every event of this project has; the record key is `data.customerId`. */
export interface CloudEventLike {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time?: string | undefined;
  readonly subject?: string | undefined;
  readonly dataschema?: string | undefined;
  readonly extensions?: Readonly<Record<string, string>> | undefined;
  readonly data: { readonly customerId: string };
}

const attributeText = (what: string, maxLength: number) =>
  z
    .string({ error: `expected ${what} as a non-empty string` })
    .min(1, { error: `expected ${what} as a non-empty string` })
    .max(maxLength, { error: `expected ${what} of at most ${maxLength} characters` });

const identifyingAttributes = {
  specversion: z.literal(CLOUDEVENTS_SPEC_VERSION, { error: "expected specversion '1.0'" }),
  id: attributeText('the event id', 200).meta({ description: 'Event id; source + id identify an event, a repeat is a duplicate.' }),
  source: attributeText('the event source (a URI-reference)', 500).meta({ description: 'The producing system, a URI-reference, e.g. urn:billing:brand-a.' }),
};

const optionalAttributes = {
  subject: attributeText('the subject', 200).optional().meta({ description: 'What the event is about within the source, e.g. the invoice id.' }),
  dataschema: attributeText('the data schema URI', 500).optional(),
  extensions: z
    .record(z.string().regex(EXTENSION_NAME), z.string())
    .optional()
    .meta({ description: 'CloudEvents extension attributes (e.g. traceparent), as sent.' }),
};

export interface EventDocumentation<T extends string> {
  /** The wire name, the CloudEvents `type`. */
  readonly type: T;
  readonly summary: string;
  readonly description?: string;
}

/** An event on the ingress topic: `time` is optional (CloudEvents), the data carries its own business instants. */
export function defineIngressEvent<const T extends string, D extends z.ZodType<{ customerId: string }>>(
  definition: EventDocumentation<T> & { readonly data: D },
) {
  const envelope = z.object({
    ...identifyingAttributes,
    type: z.literal(definition.type),
    time: instant.optional(),
    ...optionalAttributes,
    data: definition.data,
  });
  return { ...definition, envelope } as const;
}

/** An integration event between our services: `time` (when the fact happened in the producing service) is required. */
export function defineIntegrationEvent<const T extends string, D extends z.ZodType<{ customerId: string }>>(
  definition: EventDocumentation<T> & { readonly data: D },
) {
  const envelope = z.object({
    ...identifyingAttributes,
    type: z.literal(definition.type),
    time: instant,
    ...optionalAttributes,
    data: definition.data,
  });
  return { ...definition, envelope } as const;
}

/** What a topic's catalogue needs to know about one event type. */
export interface EventDefinition {
  readonly type: string;
  readonly summary: string;
  readonly description?: string;
  readonly data: z.ZodType<{ customerId: string }>;
  readonly envelope: z.ZodType<CloudEventLike>;
}
