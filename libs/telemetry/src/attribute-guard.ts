import type { Attributes, AttributeValue, Context, Link, SpanStatus } from '@opentelemetry/api';
import type { IAttributesProcessor } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import { ATTRIBUTE_REGISTRY, METRIC_LABEL_ATTRIBUTES } from './attributes';
import { containsContactData, scrubText } from './personal-data';

/**
 * Keeps registered attributes only, and scrubs e-mail addresses and phone numbers out of the
 * string values that remain. Unregistered keys are dropped rather than renamed: an attribute that
 * nobody put in the registry has not been checked for personal data.
 */
export function guardAttributes(attributes: Attributes, allowed: ReadonlySet<string> = ATTRIBUTE_REGISTRY): Attributes {
  const guarded: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (!allowed.has(key) || value === undefined) continue;
    guarded[key] = scrubValue(value);
  }
  return guarded;
}

function scrubValue(value: AttributeValue): AttributeValue {
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) {
    // Homogeneous arrays keep their element type; only string elements can carry contact data.
    return value.map((item) => (typeof item === 'string' ? scrubText(item) : item)) as AttributeValue;
  }
  return value;
}

/**
 * A span processor that hands its delegates a guarded copy of every ended span: attributes,
 * event attributes (e.g. a recorded exception's message and stack), link attributes and the status
 * message all pass through {@link guardAttributes} / scrubbing. Exporters sit behind it, so nothing
 * unregistered or contact-like ever leaves the process.
 */
export class AttributeGuardSpanProcessor implements SpanProcessor {
  constructor(
    private readonly delegates: readonly SpanProcessor[],
    private readonly allowed: ReadonlySet<string> = ATTRIBUTE_REGISTRY,
  ) {}

  onStart(span: Span, parentContext: Context): void {
    for (const delegate of this.delegates) delegate.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if (this.delegates.length === 0) return;
    const guarded = guardSpan(span, this.allowed);
    for (const delegate of this.delegates) delegate.onEnd(guarded);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.delegates.map((delegate) => delegate.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.delegates.map((delegate) => delegate.shutdown()));
  }
}

export function guardSpan(span: ReadableSpan, allowed: ReadonlySet<string> = ATTRIBUTE_REGISTRY): ReadableSpan {
  const attributes = guardAttributes(span.attributes, allowed);
  const droppedHere = Object.keys(span.attributes).length - Object.keys(attributes).length;
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    ...(span.parentSpanContext === undefined ? {} : { parentSpanContext: span.parentSpanContext }),
    startTime: span.startTime,
    endTime: span.endTime,
    status: guardStatus(span.status),
    attributes,
    links: span.links.map((link) => guardLink(link, allowed)),
    events: span.events.map((event) => guardEvent(event, allowed)),
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount + droppedHere,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

function guardStatus(status: SpanStatus): SpanStatus {
  return status.message === undefined ? status : { ...status, message: scrubText(status.message) };
}

function guardEvent(event: TimedEvent, allowed: ReadonlySet<string>): TimedEvent {
  return event.attributes === undefined ? event : { ...event, attributes: guardAttributes(event.attributes, allowed) };
}

function guardLink(link: Link, allowed: ReadonlySet<string>): Link {
  return link.attributes === undefined ? link : { ...link, attributes: guardAttributes(link.attributes, allowed) };
}

/**
 * For metric views: keeps registered metric labels (low cardinality, see
 * METRIC_LABEL_ATTRIBUTES) and drops any label whose value looks like contact data outright, since
 * a scrubbed label would merge unrelated series.
 */
export function createMetricLabelGuard(allowed: ReadonlySet<string> = METRIC_LABEL_ATTRIBUTES): IAttributesProcessor {
  return {
    process(incoming: Attributes): Attributes {
      const guarded: Attributes = {};
      for (const [key, value] of Object.entries(incoming)) {
        if (!allowed.has(key) || value === undefined) continue;
        if (typeof value === 'string' && containsContactData(value)) continue;
        guarded[key] = value;
      }
      return guarded;
    },
  };
}
