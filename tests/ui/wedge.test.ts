// The keyboard-wedge scanner detector: bursts are scans and never reach a field; people type.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BurstDetector, attachWedge, insertText, type WedgeConfig } from '../../ui/src/wedge';
import { Keyboard, ManualTimers } from './keys';

const config: WedgeConfig = { maxGapMs: 35, minLen: 6 };

describe('BurstDetector', () => {
  const feed = (d: BurstDetector<string>, text: string, at: number, gap: number) => {
    const typed: string[] = [];
    let t = at;
    for (const ch of text) {
      typed.push(...d.char(ch, t, 'f').typed.map((h) => h.ch));
      t += gap;
    }
    return { typed: typed.join(''), end: t - gap };
  };

  it('a fast burst closed by Enter is a scan', () => {
    const d = new BurstDetector<string>(() => config);
    const { typed, end } = feed(d, '0068200100012', 1000, 8);
    const out = d.terminator(end + 8);
    expect(typed).toBe('');
    expect(out).toEqual({ typed: [], scan: '0068200100012' });
  });

  it('a burst shorter than burst_min_len is typing', () => {
    const d = new BurstDetector<string>(() => config);
    const { end } = feed(d, '12345', 0, 5);
    const out = d.terminator(end + 5);
    expect(out.scan).toBeNull();
    expect(out.typed.map((h) => h.ch).join('')).toBe('12345');
  });

  it('a gap at the threshold breaks the burst', () => {
    const d = new BurstDetector<string>(() => config);
    const { typed, end } = feed(d, '123456', 0, 35);
    expect(typed).toBe('12345');
    expect(d.terminator(end + 5).scan).toBeNull();
  });

  it('a terminator that comes too late is not part of the burst', () => {
    const d = new BurstDetector<string>(() => config);
    const { end } = feed(d, '1234567', 0, 5);
    const out = d.terminator(end + 200);
    expect(out.scan).toBeNull();
    expect(out.typed).toHaveLength(7);
  });

  it('a held-down key (auto-repeat) is a person', () => {
    const d = new BurstDetector<string>(() => config);
    for (let i = 0; i < 8; i++) d.char('0', i * 5, 'f', i > 0);
    expect(d.terminator(45).scan).toBeNull();
  });

  it('reads its thresholds every time, so view.scanner can change them', () => {
    let c = { maxGapMs: 10, minLen: 4 };
    const d = new BurstDetector<string>(() => c);
    feed(d, '1234', 0, 20);
    expect(d.terminator(80).scan).toBeNull();
    c = { maxGapMs: 50, minLen: 4 };
    const { end } = feed(d, '1234', 1000, 20);
    expect(d.terminator(end + 20).scan).toBe('1234');
  });
});

describe('attachWedge in a page', () => {
  let timers: ManualTimers;
  let keys: Keyboard;
  let scans: string[];
  let detach: () => void;
  let cfg: WedgeConfig;
  let qty: HTMLInputElement;
  let enters: string[];

  beforeEach(() => {
    document.body.innerHTML =
      '<input id="qty" data-field="qty" inputmode="decimal"><input id="other">';
    qty = document.getElementById('qty') as HTMLInputElement;
    qty.focus();
    timers = new ManualTimers();
    keys = new Keyboard(timers);
    scans = [];
    enters = [];
    cfg = { ...config };
    detach = attachWedge(
      window,
      () => cfg,
      { scan: (c) => scans.push(c), type: (el, s) => insertText(el, s) },
      timers,
    );
    // A screen's Enter handler, as the app has: it reads the field when Enter arrives.
    qty.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') enters.push(qty.value);
    });
  });

  afterEach(() => detach());

  it('a fast burst into the quantity field is a scan and leaves the field unchanged', () => {
    qty.value = '2';
    qty.setSelectionRange(1, 1);
    keys.scan('0068200100012', 1000, 4);
    timers.flush();
    expect(scans).toEqual(['0068200100012']);
    expect(qty.value).toBe('2');
    expect(enters).toEqual([]);
  });

  it('no character of a burst is ever in the field, even mid-burst', () => {
    const seen: string[] = [];
    qty.addEventListener('input', () => seen.push(qty.value));
    let t = 0;
    for (const ch of '0068200100012') {
      // Prevented: a real browser inserts nothing either.
      expect(keys.down(ch, t).defaultPrevented).toBe(true);
      expect(qty.value).toBe('');
      t += 6;
    }
    keys.down('Enter', t);
    timers.flush();
    expect(seen).toEqual([]);
    expect(scans).toEqual(['0068200100012']);
  });

  it('a receipt number scanned with Shift before each capital is one scan', () => {
    // What a wedge scanner sends for MTL01-000042: Shift down before each capital letter.
    let t = 1000;
    for (const ch of 'MTL01-000042') {
      if (ch >= 'A' && ch <= 'Z') keys.down('Shift', t++, { shiftKey: true });
      keys.down(ch, t, { shiftKey: ch >= 'A' && ch <= 'Z' });
      t += 4;
    }
    keys.down('Enter', t);
    timers.flush();
    expect(scans).toEqual(['MTL01-000042']);
    expect(qty.value).toBe('');
  });

  it('slow typing lands in the quantity field', () => {
    keys.human('12', 0, 150);
    expect(qty.value).toBe('12');
    expect(scans).toEqual([]);
  });

  it('each typed digit appears once the gap threshold has passed', () => {
    keys.down('7', 100);
    expect(qty.value).toBe('');
    timers.advance(100 + 34);
    expect(qty.value).toBe('');
    timers.advance(100 + 35);
    expect(qty.value).toBe('7');
  });

  it('a burst with no terminator is typing', () => {
    keys.type('123456789', 0, 4);
    timers.flush();
    expect(qty.value).toBe('123456789');
    expect(scans).toEqual([]);
  });

  it('Enter after typing reaches the field handler with the typed text', () => {
    const at = keys.type('34', 0, 90);
    const e = keys.down('Enter', at + 10);
    expect(enters).toEqual(['34']);
    expect(e.defaultPrevented).toBe(false);
  });

  it('Tab closes a burst too', () => {
    keys.scan('ABC-123456', 0, 5, 'Tab');
    expect(scans).toEqual(['ABC-123456']);
    expect(qty.value).toBe('');
  });

  it('the threshold is configurable', () => {
    cfg = { maxGapMs: 80, minLen: 6 };
    keys.scan('123456', 0, 50);
    expect(scans).toEqual(['123456']);
    cfg = { maxGapMs: 20, minLen: 6 };
    keys.scan('654321', 10_000, 30);
    timers.flush();
    expect(scans).toEqual(['123456']);
    expect(qty.value).toBe('654321');
  });

  it('typed keys go to the field that had the focus when they were typed', () => {
    keys.down('1', 0);
    (document.getElementById('other') as HTMLInputElement).focus();
    keys.down('2', 10);
    timers.flush();
    expect(qty.value).toBe('1');
    expect((document.getElementById('other') as HTMLInputElement).value).toBe('2');
  });

  it('Backspace releases held keys first, so it deletes what was typed', () => {
    keys.down('5', 0);
    keys.down('Backspace', 10);
    expect(qty.value).toBe('5');
  });

  it('keys with Ctrl are left alone', () => {
    const e = keys.down('a', 0, { ctrlKey: true });
    expect(e.defaultPrevented).toBe(false);
    timers.flush();
    expect(qty.value).toBe('');
  });
});
