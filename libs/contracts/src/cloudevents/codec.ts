import {
  BINARY_MODE_CONTENT_TYPE,
  CE_HEADER_PREFIX,
  CLOUDEVENTS_SPEC_VERSION,
  CONTENT_TYPE_HEADER,
  CONTEXT_ATTRIBUTES,
  EXTENSION_NAME,
  STRUCTURED_MODE_CONTENT_TYPE,
  ceHeaderOf,
  type CloudEventLike,
} from './envelope';
import { describeReceived, expectationWording, formatIssues, quoteIfSafe, renderPath, type DecodeError, type DecodeErrorCode, type DecodeResult } from './decode-error';
import type { EventRegistry } from './event-registry';
import { bytesToText, readHeaders, type EncodedKafkaRecord, type KafkaRecordLike } from './kafka-record';
import { instant } from '../shared/primitives';

// CloudEvents 1.0 Kafka protocol binding (binary and structured content modes) for JSON data.
// Decoding never throws: it returns a reason a producer can act on, free of personal data.

type Mode = 'binary' | 'structured';

/** The attributes the codec has validated before the data schema runs. */
interface Attributes {
  specversion: string;
  id: string;
  source: string;
  type: string;
  time?: string;
  subject?: unknown;
  dataschema?: unknown;
}

type Read = { readonly status: 'absent' } | { readonly status: 'present'; readonly value: unknown } | { readonly status: 'conflicting'; readonly count: number };

interface AttributeReader {
  readonly mode: Mode;
  read(attribute: string): Read;
  /** How a producer calls the attribute in this mode: `ce_id` (header) or `id` (JSON member). */
  fieldOf(attribute: string): string;
  /** "header ce_id" or "attribute 'id'", for sentences. */
  labelOf(attribute: string): string;
  extensions(): Record<string, string>;
}

class Failure {
  constructor(readonly error: DecodeError) {}
}

const fail = (code: DecodeErrorCode, reason: string, field?: string, event?: DecodeError['event']): Failure =>
  new Failure({ code, reason, ...(field === undefined ? {} : { field }), ...(event === undefined || Object.keys(event).length === 0 ? {} : { event }) });

/**
 * Decode a Kafka record into a validated CloudEvent of the registry's topic.
 * Checks, in order: content type, empty value, attributes (specversion, id, source, type, time), JSON,
 * the data schema of the type, and finally that the record key equals data.customerId.
 */
export function decodeRecord<E extends CloudEventLike>(record: KafkaRecordLike, registry: EventRegistry<E>): DecodeResult<E> {
  try {
    return { ok: true, event: decodeOrThrow(record, registry) };
  } catch (thrown) {
    if (thrown instanceof Failure) return { ok: false, error: thrown.error };
    throw thrown;
  }
}

/**
 * Decode a CloudEvent already parsed from structured JSON (e.g. an HTTP request body in structured mode).
 * There is no record key to check; the caller knows the customer from data.customerId.
 */
export function decodeStructuredEvent<E extends CloudEventLike>(envelope: unknown, registry: EventRegistry<E>): DecodeResult<E> {
  try {
    return { ok: true, event: decodeEnvelopeObject(envelope, registry) };
  } catch (thrown) {
    if (thrown instanceof Failure) return { ok: false, error: thrown.error };
    throw thrown;
  }
}

function decodeOrThrow<E extends CloudEventLike>(record: KafkaRecordLike, registry: EventRegistry<E>): E {
  const headers = readHeaders(record.headers);
  const mode = contentModeOf(headers.get(CONTENT_TYPE_HEADER), headers.has(ceHeaderOf('specversion')));
  const text = valueText(record.value);
  const event = mode === 'structured' ? decodeEnvelopeObject(parseJson(text), registry) : decodeBinary(headers, text, registry);
  checkKey(record.key, event);
  return event;
}

function contentModeOf(values: readonly string[] | undefined, hasSpecVersionHeader: boolean): Mode {
  if (values === undefined || values.length === 0) {
    // CloudEvents' Kafka binding reads a record without content-type as binary mode; the data is then JSON by our contract.
    if (hasSpecVersionHeader) return 'binary';
    throw fail(
      'missing_attribute',
      `missing header ${CONTENT_TYPE_HEADER} (and no ${ceHeaderOf('specversion')}): send binary mode (${CONTENT_TYPE_HEADER}: ${BINARY_MODE_CONTENT_TYPE} and ce_* headers) or structured mode (${CONTENT_TYPE_HEADER}: ${STRUCTURED_MODE_CONTENT_TYPE})`,
      CONTENT_TYPE_HEADER,
    );
  }
  if (new Set(values).size > 1) throw fail('invalid_attribute', `header ${CONTENT_TYPE_HEADER} appears ${values.length} times with different values`, CONTENT_TYPE_HEADER);
  const raw = values[0] ?? '';
  const [mediaTypePart = '', ...parameters] = raw.split(';');
  const mediaType = mediaTypePart.trim().toLowerCase();
  const mode: Mode | undefined = mediaType === BINARY_MODE_CONTENT_TYPE ? 'binary' : mediaType === STRUCTURED_MODE_CONTENT_TYPE ? 'structured' : undefined;
  if (mode === undefined) {
    throw fail(
      'unsupported_content_type',
      `content-type ${quoteIfSafe(mediaType || raw)} is not supported; use ${BINARY_MODE_CONTENT_TYPE} (binary mode) or ${STRUCTURED_MODE_CONTENT_TYPE} (structured mode)`,
      CONTENT_TYPE_HEADER,
    );
  }
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=').map((part) => part.trim().toLowerCase());
    if (name === 'charset' && !['utf-8', 'utf8'].includes(value.replace(/"/g, ''))) {
      throw fail('unsupported_content_type', `content-type charset ${quoteIfSafe(value)} is not supported; JSON must be UTF-8`, CONTENT_TYPE_HEADER);
    }
  }
  return mode;
}

function valueText(value: KafkaRecordLike['value']): string {
  const text = value === null || value === undefined ? '' : bytesToText(value).replace(/^\uFEFF/, '');
  if (text.trim() === '') {
    throw fail('empty_value', `value is empty${value === null || value === undefined ? ' (null, a tombstone)' : ''}; expected a JSON object`, 'value');
  }
  return text;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (thrown) {
    throw fail('invalid_json', `value is not valid JSON: ${jsonSyntaxProblem(thrown)}`, 'value');
  }
}

/**
 * V8 quotes the offending input in its JSON.parse messages (`Unexpected token 'J', "Jane Doe" is not valid JSON`);
 * that text may be personal data, so keep only the part that describes the syntax.
 */
function jsonSyntaxProblem(thrown: unknown): string {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const withoutExcerpt = message.replace(/,\s*(?:\.\.\.)?".*$/s, '').trim();
  return withoutExcerpt.includes('"') || withoutExcerpt === '' ? 'syntax error' : withoutExcerpt;
}

function decodeBinary<E extends CloudEventLike>(headers: ReadonlyMap<string, readonly string[]>, text: string, registry: EventRegistry<E>): E {
  const reader: AttributeReader = {
    mode: 'binary',
    read(attribute) {
      const values = headers.get(ceHeaderOf(attribute));
      if (values === undefined || values.length === 0) return { status: 'absent' };
      if (new Set(values).size > 1) return { status: 'conflicting', count: values.length };
      return { status: 'present', value: values[0] };
    },
    fieldOf: ceHeaderOf,
    labelOf: (attribute) => `header ${ceHeaderOf(attribute)}`,
    extensions() {
      const extensions: Record<string, string> = {};
      for (const [name, values] of headers) {
        if (!name.startsWith(CE_HEADER_PREFIX)) continue;
        const attribute = name.slice(CE_HEADER_PREFIX.length);
        const value = values[0];
        if (EXTENSION_NAME.test(attribute) && !isContextAttribute(attribute) && value !== undefined) extensions[attribute] = value;
      }
      return extensions;
    },
  };
  const attributes = readAttributes(reader, registry);
  const data = parseJson(text);
  return validateEnvelope(reader, registry, attributes, data);
}

function decodeEnvelopeObject<E extends CloudEventLike>(envelope: unknown, registry: EventRegistry<E>): E {
  if (envelope === null || typeof envelope !== 'object' || Array.isArray(envelope)) {
    throw fail('invalid_envelope', `a structured-mode value must be a JSON object (the CloudEvent), ${describeReceived(envelope, false)}`, 'value');
  }
  const members = envelope as Record<string, unknown>;
  const reader: AttributeReader = {
    mode: 'structured',
    read: (attribute) => (members[attribute] === undefined ? { status: 'absent' } : { status: 'present', value: members[attribute] }),
    fieldOf: (attribute) => attribute,
    labelOf: (attribute) => `attribute '${attribute}'`,
    extensions() {
      const extensions: Record<string, string> = {};
      for (const [name, value] of Object.entries(members)) {
        if (!EXTENSION_NAME.test(name) || isContextAttribute(name) || STRUCTURED_ONLY_MEMBERS.has(name)) continue;
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') extensions[name] = String(value);
      }
      return extensions;
    },
  };
  const attributes = readAttributes(reader, registry);
  const context = eventContext(attributes);
  const contentType = members['datacontenttype'];
  if (contentType !== undefined) {
    const mediaType = typeof contentType === 'string' ? contentType.split(';')[0]?.trim().toLowerCase() : undefined;
    if (mediaType !== BINARY_MODE_CONTENT_TYPE) {
      const shown = typeof contentType === 'string' ? quoteIfSafe(contentType) : describeReceived(contentType, false).replace(/^got /, '');
      throw fail('unsupported_content_type', `datacontenttype ${shown} is not supported; data must be JSON (${BINARY_MODE_CONTENT_TYPE})`, 'datacontenttype', context);
    }
  }
  if (members['data_base64'] !== undefined) {
    throw fail('unsupported_content_type', 'data_base64 is not supported; put the JSON object in data', 'data_base64', context);
  }
  if (members['data'] === undefined) throw fail('missing_attribute', "structured event has no 'data' member; expected the event's data object", 'data', context);
  return validateEnvelope(reader, registry, attributes, members['data']);
}

const STRUCTURED_ONLY_MEMBERS: ReadonlySet<string> = new Set(['data', 'datacontenttype']);
const isContextAttribute = (name: string): boolean => (CONTEXT_ATTRIBUTES as readonly string[]).includes(name);

function requiredText(reader: AttributeReader, attribute: string, context: DecodeError['event']): string {
  const read = reader.read(attribute);
  const field = reader.fieldOf(attribute);
  if (read.status === 'absent') throw fail('missing_attribute', `missing ${reader.labelOf(attribute)}`, field, context);
  if (read.status === 'conflicting') throw fail('invalid_attribute', `${reader.labelOf(attribute)} appears ${read.count} times with different values`, field, context);
  if (typeof read.value !== 'string') throw fail('invalid_attribute', `${reader.labelOf(attribute)}: expected a string, ${describeReceived(read.value, false)}`, field, context);
  if (read.value.trim() === '') throw fail('invalid_attribute', `${reader.labelOf(attribute)} is empty`, field, context);
  return read.value;
}

const eventContext = (attributes: Partial<Attributes>): DecodeError['event'] => ({
  ...(attributes.id !== undefined && attributes.id.length <= 200 ? { id: attributes.id } : {}),
  ...(attributes.source !== undefined && attributes.source.length <= 500 ? { source: attributes.source } : {}),
  ...(attributes.type !== undefined && attributes.type.length <= 200 ? { type: attributes.type } : {}),
});

function readAttributes<E extends CloudEventLike>(reader: AttributeReader, registry: EventRegistry<E>): Attributes {
  const specversion = requiredText(reader, 'specversion', undefined);
  if (specversion !== CLOUDEVENTS_SPEC_VERSION) {
    throw fail(
      'unsupported_specversion',
      `${reader.labelOf('specversion')} ${quoteIfSafe(specversion)} is not supported; expected '${CLOUDEVENTS_SPEC_VERSION}'`,
      reader.fieldOf('specversion'),
    );
  }
  const id = requiredText(reader, 'id', undefined);
  const source = requiredText(reader, 'source', eventContext({ id }));
  const type = requiredText(reader, 'type', eventContext({ id, source }));
  const context = eventContext({ id, source });
  if (registry.envelopeOf(type) === undefined) {
    const label = reader.mode === 'binary' ? ceHeaderOf('type') : 'type';
    throw fail(
      'unknown_type',
      `unknown ${label} ${quoteIfSafe(type)} on ${registry.topic}; known types: ${registry.knownTypes.join(', ')}`,
      reader.fieldOf('type'),
      context,
    );
  }
  const attributes: Attributes = { specversion, id, source, type };
  const time = reader.read('time');
  if (time.status === 'absent') {
    if (registry.timeRequired) throw fail('missing_attribute', `missing ${reader.labelOf('time')}`, reader.fieldOf('time'), eventContext(attributes));
  } else {
    const value = time.status === 'present' ? time.value : undefined;
    const parsed = instant.safeParse(value);
    if (time.status === 'conflicting' || !parsed.success) {
      const why = time.status === 'conflicting' ? `appears ${time.count} times with different values` : `expected an ISO 8601 instant with an offset or Z (e.g. 2026-03-01T09:30:00Z), ${describeReceived(value, false)}`;
      throw fail('invalid_attribute', `${reader.labelOf('time')}: ${why}`, reader.fieldOf('time'), eventContext(attributes));
    }
    attributes.time = parsed.data;
  }
  for (const optional of ['subject', 'dataschema'] as const) {
    const read = reader.read(optional);
    if (read.status === 'present') attributes[optional] = read.value;
    if (read.status === 'conflicting') {
      throw fail('invalid_attribute', `${reader.labelOf(optional)} appears ${read.count} times with different values`, reader.fieldOf(optional), eventContext(attributes));
    }
  }
  return attributes;
}

function validateEnvelope<E extends CloudEventLike>(reader: AttributeReader, registry: EventRegistry<E>, attributes: Attributes, data: unknown): E {
  const schema = registry.envelopeOf(attributes.type);
  const context = eventContext(attributes);
  if (schema === undefined) throw fail('unknown_type', `unknown type ${quoteIfSafe(attributes.type)} on ${registry.topic}`, reader.fieldOf('type'), context);
  const extensions = reader.extensions();
  const candidate = { ...attributes, ...(Object.keys(extensions).length > 0 ? { extensions } : {}), data };
  const parsed = schema.safeParse(candidate, { error: expectationWording });
  if (parsed.success) return parsed.data;
  const renderField = (path: readonly PropertyKey[]): string => {
    const [head, ...rest] = path;
    if (typeof head !== 'string') return 'value';
    return renderPath([head === 'data' ? 'data' : reader.fieldOf(head), ...rest]);
  };
  const { reason, field } = formatIssues(parsed.error.issues, candidate, renderField);
  const onlyData = parsed.error.issues.every((issue) => issue.path[0] === 'data');
  return failWith(onlyData ? 'invalid_data' : 'invalid_attribute', reason, field, context);
}

function failWith(code: DecodeErrorCode, reason: string, field: string, context: DecodeError['event']): never {
  throw fail(code, reason, field, context);
}

function checkKey(key: KafkaRecordLike['key'], event: CloudEventLike): void {
  const context = eventContext(event);
  const text = key === null || key === undefined ? '' : bytesToText(key);
  if (text === '') throw fail('missing_key', 'record key is missing; the key must equal data.customerId', 'key', context);
  if (text !== event.data.customerId) {
    throw fail('key_mismatch', 'record key does not equal data.customerId; records are keyed by customer so that a customer\'s events stay in order', 'key', context);
  }
}

// ---- encoding ---------------------------------------------------------------------------------------------

/** Binary content mode: attributes as `ce_*` headers, data as the JSON value, key = data.customerId. */
export function encodeBinary(event: CloudEventLike): EncodedKafkaRecord {
  const headers: Record<string, string> = {
    [ceHeaderOf('specversion')]: event.specversion,
    [ceHeaderOf('id')]: event.id,
    [ceHeaderOf('source')]: event.source,
    [ceHeaderOf('type')]: event.type,
  };
  if (event.time !== undefined) headers[ceHeaderOf('time')] = event.time;
  if (event.subject !== undefined) headers[ceHeaderOf('subject')] = event.subject;
  if (event.dataschema !== undefined) headers[ceHeaderOf('dataschema')] = event.dataschema;
  for (const [name, value] of Object.entries(event.extensions ?? {})) headers[ceHeaderOf(name)] = value;
  headers[CONTENT_TYPE_HEADER] = BINARY_MODE_CONTENT_TYPE;
  return { key: event.data.customerId, value: Buffer.from(JSON.stringify(event.data), 'utf8'), headers };
}

/** The CloudEvents JSON format of an event (structured mode), e.g. for an HTTP body. */
export function toStructuredJson(event: CloudEventLike): Record<string, unknown> {
  const { extensions, data, ...attributes } = event;
  const defined = Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined));
  return { ...extensions, ...defined, datacontenttype: BINARY_MODE_CONTENT_TYPE, data };
}

/** Structured content mode: the whole CloudEvent as JSON in the value, key = data.customerId. */
export function encodeStructured(event: CloudEventLike): EncodedKafkaRecord {
  return {
    key: event.data.customerId,
    value: Buffer.from(JSON.stringify(toStructuredJson(event)), 'utf8'),
    headers: { [CONTENT_TYPE_HEADER]: STRUCTURED_MODE_CONTENT_TYPE },
  };
}
