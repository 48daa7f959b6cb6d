import { context, ROOT_CONTEXT, trace, TraceFlags, type Context, type ContextManager } from '@opentelemetry/api';
import { encodeOutboxMessages } from './outbox';

// The outbox carries the trace across the gap between the transaction that writes a row and the
// relay that publishes it later, outside that context: a row without `traceparent` takes the one
// active at write time.

/** A synchronous context manager, enough for `context.with` in a unit test (no async hooks). */
class StackContextManager implements ContextManager {
  private stack: Context[] = [];
  active(): Context {
    return this.stack[this.stack.length - 1] ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    this.stack.push(ctx);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.stack.pop();
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.stack = [];
    return this;
  }
}

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';
const consumedRecordContext = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: false });
const headersOf = (json: string): Record<string, string>[] => (JSON.parse(json) as { headers: Record<string, string> }[]).map((row) => row.headers);

describe('encodeOutboxMessages and the active trace context', () => {
  beforeAll(() => context.setGlobalContextManager(new StackContextManager()));
  afterAll(() => context.disable());

  it("stores the active span's traceparent on rows that have none", () => {
    const { json } = context.with(consumedRecordContext, () => encodeOutboxMessages([{ topic: 't', key: 'k', messageId: 'a', value: 'v', headers: { ce_type: 'x' } }]));
    expect(headersOf(json)).toEqual([{ ce_type: 'x', traceparent: `00-${traceId}-${spanId}-01` }]);
  });

  it('keeps a traceparent the message brings', () => {
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const { json } = context.with(consumedRecordContext, () => encodeOutboxMessages([{ topic: 't', key: 'k', messageId: 'a', value: 'v', headers: { traceparent: own } }]));
    expect(headersOf(json)).toEqual([{ traceparent: own }]);
  });

  it('adds nothing when no span is active', () => {
    const { json } = encodeOutboxMessages([{ topic: 't', key: 'k', messageId: 'a', value: 'v' }]);
    expect(headersOf(json)).toEqual([{}]);
  });
});
