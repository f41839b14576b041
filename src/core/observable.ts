/** A value that can be read now and watched: the one reactive primitive the core exposes (no framework). */

export type Listener<T> = (value: T) => void;

export interface ReadonlyObservable<T> {
  get(): T;
  /** Calls `listener` now and on every change; returns the unsubscribe function. */
  subscribe(listener: Listener<T>): () => void;
}

export class Observable<T> implements ReadonlyObservable<T> {
  readonly #listeners = new Set<Listener<T>>();

  constructor(
    private value: T,
    private readonly equals: (a: T, b: T) => boolean = Object.is,
  ) {}

  get(): T {
    return this.value;
  }

  set(value: T): void {
    if (this.equals(this.value, value)) return;
    this.value = value;
    for (const listener of [...this.#listeners]) listener(value);
  }

  subscribe(listener: Listener<T>): () => void {
    this.#listeners.add(listener);
    listener(this.value);
    return () => this.#listeners.delete(listener);
  }
}
