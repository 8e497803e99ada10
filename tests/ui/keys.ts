// Synthetic keyboards for the tests: keydown events with chosen timestamps, and a manual clock for
// the wedge's release timer, so a scanner burst and a person typing are told apart deterministically.

import type { Timers } from '../../ui/src/wedge';

/** Timers that fire only when the test advances the clock. */
export class ManualTimers implements Timers {
  now = 0;
  private queue: { at: number; fn: () => void; id: number }[] = [];
  private next = 1;

  set(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.queue.push({ at: this.now + ms, fn, id });
    return id;
  }

  clear(handle: unknown): void {
    this.queue = this.queue.filter((t) => t.id !== handle);
  }

  /** Moves the clock to `to`, firing the timers due on the way. */
  advance(to: number): void {
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const first = this.queue[0];
      if (!first || first.at > to) break;
      this.queue.shift();
      this.now = first.at;
      first.fn();
    }
    this.now = Math.max(this.now, to);
  }

  /** Fires every pending timer. */
  flush(): void {
    this.advance(this.now + 60_000);
  }
}

/** A keyboard whose every key is dispatched at a time the test chooses. */
export class Keyboard {
  constructor(
    private readonly timers: ManualTimers,
    private readonly doc: Document = document,
  ) {}

  /** Dispatches keydown of `key` on the focused element at time `at`; returns the event. */
  down(key: string, at: number, init: KeyboardEventInit = {}): KeyboardEvent {
    this.timers.advance(at);
    const target = (this.doc.activeElement as HTMLElement | null) ?? this.doc.body;
    const view = this.doc.defaultView!;
    const e = new view.KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
    Object.defineProperty(e, 'timeStamp', { value: at });
    target.dispatchEvent(e);
    return e as KeyboardEvent;
  }

  /** Types `text` starting at `at`, `gap` ms between keys; returns the time after the last key. */
  type(text: string, at: number, gap: number): number {
    let t = at;
    for (const ch of text) {
      this.down(ch, t);
      t += gap;
    }
    return t - gap;
  }

  /** A scanner: `code` at `gap` ms per key, then Enter. Returns the time of the Enter. */
  scan(code: string, at: number, gap = 4, terminator = 'Enter'): number {
    const last = this.type(code, at, gap);
    this.down(terminator, last + gap);
    return last + gap;
  }

  /** A person: each key `gap` ms apart (well above the threshold), timers run in between. */
  human(text: string, at: number, gap = 120): number {
    const last = this.type(text, at, gap);
    this.timers.advance(last + gap);
    return last + gap;
  }
}
