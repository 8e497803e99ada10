// French and English say the same things, with the same placeholders.

import { describe, expect, it } from 'vitest';
import { strings, t } from '../../ui/src/i18n';

const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n', () => {
  it('every string has the same placeholders in both languages', () => {
    for (const key of Object.keys(strings.fr) as (keyof typeof strings.fr)[]) {
      expect([key, holes(strings.en[key])]).toEqual([key, holes(strings.fr[key])]);
    }
  });

  it('fills placeholders', () => {
    expect(t('fr', 'shift_no', { n: 3 })).toBe('Quart 3');
    expect(t('en', 'qty_for', { line: 2, name: 'Milk' })).toBe('Line 2: Milk');
  });
});
