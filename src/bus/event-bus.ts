/** @module The platform's event path between stages: a small interface, in-process for now (NATS JetStream is the scale-out implementation to come). */

export interface PlatformEvents {
  /** Detection stored new signals (ids of the signal table, which stays the durable record). */
  readonly 'signals.raised': { readonly signalIds: readonly number[] };
  /** The warning stage published CAP versions (ids of the warning table). */
  readonly 'warnings.published': { readonly warningIds: readonly number[] };
}

export type Topic = keyof PlatformEvents;

export interface EventBus {
  publish<T extends Topic>(topic: T, event: PlatformEvents[T]): void;
  /** Returns the function that unsubscribes. */
  subscribe<T extends Topic>(topic: T, handler: (event: PlatformEvents[T]) => void): () => void;
}

/** Delivers to this process' subscribers, synchronously and in order; a failing handler does not stop the others. */
export class InProcessBus implements EventBus {
  readonly #handlers = new Map<Topic, Set<(event: never) => void>>();

  constructor(private readonly onHandlerError: (error: unknown) => void = () => undefined) {}

  publish<T extends Topic>(topic: T, event: PlatformEvents[T]): void {
    for (const handler of this.#handlers.get(topic) ?? []) {
      try {
        (handler as (e: PlatformEvents[T]) => void)(event);
      } catch (error) {
        this.onHandlerError(error);
      }
    }
  }

  subscribe<T extends Topic>(topic: T, handler: (event: PlatformEvents[T]) => void): () => void {
    let set = this.#handlers.get(topic);
    if (!set) {
      set = new Set();
      this.#handlers.set(topic, set);
    }
    set.add(handler as (event: never) => void);
    return () => set.delete(handler as (event: never) => void);
  }
}
