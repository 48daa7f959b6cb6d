/** Where a consumer chunk ran: its partition is what a later commit notice names. */
export interface ChunkRef {
  readonly topic: string;
  readonly partition: number;
}

/**
 * Wake-ups a consumer handler asks for while its transaction is still open, passed on once the
 * chunk committed (the consumer's `onCommitted`). Woken earlier, the worker could read before the
 * rows it should act on are visible, find nothing and sleep a whole poll interval. Only chunks that
 * queued work wake anyone, so a stream of plain projection updates costs the worker nothing.
 * A request left behind by a chunk that rolled back only causes one spare wake-up later.
 */
export class WakeAfterCommit {
  private readonly asked = new Set<string>();
  private readonly listeners: (() => void)[] = [];

  /** Called by a handler inside its transaction. */
  ask(chunk: ChunkRef): void {
    this.asked.add(keyOf(chunk));
  }

  /** The consumer's `onCommitted`. */
  readonly committed = (chunk: ChunkRef): void => {
    if (!this.asked.delete(keyOf(chunk))) return;
    for (const listener of this.listeners) listener();
  };

  /** For work committed outside a consumer (an agency callback): wake at once. */
  now(): void {
    for (const listener of this.listeners) listener();
  }

  listen(listener: () => void): void {
    this.listeners.push(listener);
  }
}

const keyOf = (chunk: ChunkRef): string => `${chunk.topic}\u0000${chunk.partition}`;
