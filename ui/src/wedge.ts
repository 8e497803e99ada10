//! Tells a keyboard-wedge barcode scanner from a person typing.
//!
//! A scanner types a code as a burst of keystrokes a few milliseconds apart and ends it with Enter
//! or Tab. A burst of at least `minLen` characters, every gap shorter than `maxGapMs`, closed by a
//! terminator within `maxGapMs` of the last character, is a scan, wherever the focus is.
//!
//! So that a scanned code never lands in a quantity, price, amount or PIN field, every printable
//! keystroke is held back until either the next keystroke shows it belongs to a burst, or
//! `maxGapMs` pass without one. Held characters that turn out to be a scan are dropped; the others
//! are released, in order, to the element that had the focus when each was typed. Gaps are measured
//! with `event.timeStamp`, so tests drive the module with synthetic events and a manual clock.

export interface WedgeConfig {
  /** Every gap inside a burst, and before its terminator, is shorter than this. */
  maxGapMs: number;
  /** A burst has at least this many characters before its terminator. */
  minLen: number;
}

/** One held keystroke. */
export interface Held<T> {
  ch: string;
  at: number;
  target: T;
}

/** What the detector decided about the keystrokes it held. */
export interface Decision<T> {
  /** Released to the fields they were typed into, in order. */
  typed: Held<T>[];
  /** A scanned code, whose keystrokes are dropped. */
  scan: string | null;
}

const none = <T>(): Decision<T> => ({ typed: [], scan: null });

/** The pure part: keystrokes and times in, decisions out. No DOM, no clock. */
export class BurstDetector<T> {
  private held: Held<T>[] = [];
  private human = false;

  constructor(private readonly config: () => WedgeConfig) {}

  /** True while keystrokes are held back. */
  get holding(): boolean {
    return this.held.length > 0;
  }

  /** A printable character. `repeat` marks a held-down key, which no scanner sends. */
  char(ch: string, at: number, target: T, repeat = false): Decision<T> {
    const out = this.gapBroken(at) ? this.release() : none<T>();
    this.held.push({ ch, at, target });
    if (repeat) this.human = true;
    return out;
  }

  /** Enter or Tab. A scan when the held keystrokes are a burst; otherwise they are released. */
  terminator(at: number): Decision<T> {
    const { minLen } = this.config();
    const burst = !this.human && this.held.length >= minLen && !this.gapBroken(at);
    if (!burst) return this.release();
    const scan = this.held.map((h) => h.ch).join('');
    this.reset();
    return { typed: [], scan };
  }

  /** Any other key, or the gap timer: whatever is held was typed by a person. */
  release(): Decision<T> {
    const typed = this.held;
    this.reset();
    return { typed, scan: null };
  }

  private gapBroken(at: number): boolean {
    const last = this.held[this.held.length - 1];
    if (!last) return false;
    const gap = at - last.at;
    // A clock that went backwards, or a huge gap, is not a burst either.
    return gap < 0 || gap >= this.config().maxGapMs;
  }

  private reset(): void {
    this.held = [];
    this.human = false;
  }
}

/** Where the DOM adapter sends its decisions. */
export interface WedgeSink {
  /** A scanned code, from wherever the focus was. */
  scan(code: string): void;
  /** Characters a person typed into `target` (the element focused at the time), held until now. */
  type(target: EventTarget | null, text: string): void;
}

/** Timers, injectable so tests run on a manual clock. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Keys that only change what the next key types. */
const MODIFIERS = ['Shift', 'CapsLock', 'AltGraph'];

/** A single printable character with no Ctrl, Alt or Meta: what a wedge scanner types. */
function isPrintable(e: KeyboardEvent): boolean {
  return e.key.length === 1 && !e.ctrlKey && !e.altKey && !e.metaKey;
}

/**
 * Listens to keydown on `root` in the capture phase, before any field or shortcut handler.
 * Printable keys are held and reach the page only through `sink.type`; a terminator that closes a
 * burst is swallowed. Returns a function that detaches the listener.
 */
export function attachWedge(
  root: Window | Document | HTMLElement,
  config: () => WedgeConfig,
  sink: WedgeSink,
  timers: Timers = realTimers,
): () => void {
  const detector = new BurstDetector<EventTarget | null>(config);
  let timer: unknown = null;

  const deliver = (d: Decision<EventTarget | null>) => {
    for (const run of groupByTarget(d.typed)) sink.type(run.target, run.text);
    if (d.scan !== null) sink.scan(d.scan);
  };
  const stopTimer = () => {
    if (timer !== null) timers.clear(timer);
    timer = null;
  };
  const onTimer = () => {
    timer = null;
    deliver(detector.release());
  };

  const onKeyDown = (event: Event) => {
    const e = event as KeyboardEvent;
    if (e.isComposing) return;
    if (isPrintable(e)) {
      e.preventDefault();
      e.stopImmediatePropagation();
      stopTimer();
      deliver(detector.char(e.key, e.timeStamp, e.target, e.repeat));
      timer = timers.set(onTimer, config().maxGapMs);
      return;
    }
    if (!detector.holding) return;
    // A scanner types capitals with Shift, as a keyboard does: a modifier on its own is part of
    // the burst, not a person taking over (MTL01-000042 stays one scan).
    if (MODIFIERS.includes(e.key)) return;
    stopTimer();
    if (e.key === 'Enter' || e.key === 'Tab') {
      const d = detector.terminator(e.timeStamp);
      if (d.scan !== null) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
      // Typed characters are released before the key goes on, so an Enter handler sees them.
      deliver(d);
      return;
    }
    // Backspace, arrows, function keys: a person is at the keyboard.
    deliver(detector.release());
  };

  root.addEventListener('keydown', onKeyDown, { capture: true });
  return () => {
    stopTimer();
    root.removeEventListener('keydown', onKeyDown, { capture: true });
  };
}

function groupByTarget<T>(held: Held<T>[]): { target: T; text: string }[] {
  const runs: { target: T; text: string }[] = [];
  for (const h of held) {
    const last = runs[runs.length - 1];
    if (last && last.target === h.target) last.text += h.ch;
    else runs.push({ target: h.target, text: h.ch });
  }
  return runs;
}

/**
 * Inserts text at the caret of an input or textarea and fires `input`, as typing would.
 * Returns false when `target` is not an editable text field.
 */
export function insertText(target: EventTarget | null, text: string): boolean {
  const el = target as HTMLInputElement | HTMLTextAreaElement | null;
  if (!el || !('setRangeText' in el) || el.disabled || el.readOnly) return false;
  const start = el.selectionStart ?? el.value.length;
  const end = el.selectionEnd ?? start;
  el.setRangeText(text, start, end, 'end');
  el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }));
  return true;
}
