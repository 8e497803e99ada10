// Times from the register are shown on the store's wall clock, whatever the machine's zone.

import { afterEach, describe, expect, it } from 'vitest';
import { showTime } from '../../ui/src/time';

const zone = process.env.TZ;

afterEach(() => {
  process.env.TZ = zone;
});

describe('showTime', () => {
  it('reads the fields of an offset string on a UTC machine, never converting', () => {
    process.env.TZ = 'UTC';
    expect(new Date('2026-12-03T08:07:00-05:00').getHours()).toBe(13); // what the bug showed
    expect(showTime('2026-12-03T08:07:00-05:00', 'fr')).toBe('3 déc. 2026, 08 h 07');
    expect(showTime('2026-12-03T08:07:00-05:00', 'en')).toBe('Dec 3, 2026, 8:07 a.m.');
    expect(showTime('2026-12-03T08:07:00-05:00', 'fr', false)).toBe('08 h 07');
    expect(showTime('2026-12-03T17:05:00-05:00', 'en', false)).toBe('5:05 p.m.');
  });

  it('is the same in any machine zone, and keeps the date written in the string', () => {
    process.env.TZ = 'Asia/Tokyo';
    expect(showTime('2026-12-03T23:30:00-05:00', 'fr')).toBe('3 déc. 2026, 23 h 30');
    expect(showTime('2026-12-03T23:30:00.123+01:00', 'fr', false)).toBe('23 h 30');
    expect(showTime('2026-12-03T08:07:00Z', 'fr', false)).toBe('08 h 07');
  });

  it('shows a string that is not RFC 3339 as it came', () => {
    expect(showTime('hier', 'fr')).toBe('hier');
  });
});
