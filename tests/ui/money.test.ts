// Money strings for display and entry; the bills a customer is likely to hand over.

import { describe, expect, it } from 'vitest';
import {
  cents,
  entryAmount,
  fromCents,
  nextBills,
  normalizeAmount,
  normalizeEntry,
  showMoney,
  showQty,
  showRate,
  stepQty,
} from '../../ui/src/money';

const plain = (s: string) => s.replace(/\s/g, ' ');

describe('money', () => {
  it('parses and prints cents without floats', () => {
    expect([cents('12.5'), cents('0,05'), cents('-1.99'), cents('1.999'), cents('abc')]).toEqual([
      1250,
      5,
      -199,
      null,
      null,
    ]);
    expect([fromCents(1250), fromCents(5), fromCents(-199)]).toEqual(['12.50', '0.05', '-1.99']);
    expect(normalizeEntry(' 12,50 ')).toBe('12.50');
  });

  it('formats for Québec in French and English', () => {
    expect(plain(showMoney('1234.50', 'fr', 'CAD'))).toBe('1 234,50 $');
    expect(showMoney('1234.50', 'en', 'CAD')).toBe('$1,234.50');
    expect(plain(showMoney('-0.02', 'fr', 'CAD'))).toBe('-0,02 $');
    expect(showMoney('90071992547409.93', 'en', 'CAD')).toBe('$90,071,992,547,409.93');
    expect([showQty('0.350', 'fr'), showQty('2', 'en')]).toEqual(['0,350', '2']);
    expect([plain(showRate('9.975', 'fr')), showRate('5', 'en')]).toEqual(['9,975 %', '5%']);
  });

  it('prefills an amount field as the UI writes amounts, and reads a comma or a point back', () => {
    expect(entryAmount('9.57', 'fr')).toBe('9,57');
    expect(entryAmount('9.57', 'en')).toBe('9.57');
    expect(
      ['9,57', '9.57', ' 9,57\u00a0$ ', '$9.57', entryAmount('9.57', 'fr')].map(normalizeAmount),
    ).toEqual(['9.57', '9.57', '9.57', '9.57', '9.57']);
  });

  it('suggests the next bills above what is due', () => {
    expect(nextBills('8.05')).toEqual(['10.00', '20.00', '50.00', '100.00']);
    expect(nextBills('37.40')).toEqual(['40.00', '50.00', '100.00']);
    // Exactly a bill: the exact button covers it; the next bills up are a 50 or a 100.
    expect(nextBills('20.00')).toEqual(['50.00', '100.00']);
    expect(nextBills('0.00')).toEqual([]);
  });

  it('steps a quantity by one', () => {
    expect([stepQty('2', 1), stepQty('2', -1), stepQty('0.350', 1)]).toEqual(['3', '1', '1.350']);
  });
});
