//! Money and quantity strings for display and entry. The UI does no business arithmetic beyond
//! suggesting bills a customer may hand over and stepping a quantity by one.

import type { Lang, Money, Qty } from './types';

/** Integer cents from a decimal string ("12.5" → 1250); null if it is not a plain amount. */
export function cents(amount: string): number | null {
  const m = /^(-)?(\d+)(?:[.,](\d{0,2}))?$/.exec(amount.trim());
  if (!m) return null;
  const whole = Number(m[2]);
  const frac = Number((m[3] ?? '').padEnd(2, '0'));
  const value = whole * 100 + frac;
  return m[1] ? -value : value;
}

/** A decimal string from integer cents (1250 → "12.50"). */
export function fromCents(value: number): Money {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** What the cashier typed, as the wire wants it: a comma becomes a point, blanks go. */
export function normalizeEntry(typed: string): string {
  return typed.trim().replace(',', '.');
}

/**
 * An amount typed in an amount field, as the wire wants it: "9,57", "9.57", "9,57 $" and "$9.57"
 * all give "9.57" (blanks, thin spaces and the currency sign go; a comma becomes a point).
 */
export function normalizeAmount(typed: string): string {
  return normalizeEntry(typed.replace(/[\s\u00a0\u202f$€£]/g, ''));
}

/** The decimal separator the cashier reads and types in `lang`. */
export function decimalSeparator(lang: Lang): string {
  return lang === 'fr' ? ',' : '.';
}

/**
 * A wire amount as an amount field shows it, in the UI's style without the currency sign (the
 * cashier edits it): "9.57" → "9,57" in French, "9.57" in English.
 */
export function entryAmount(amount: Money, lang: Lang): string {
  return amount.replace('.', decimalSeparator(lang));
}

const locales: Record<Lang, string> = { fr: 'fr-CA', en: 'en-CA' };
const formats = new Map<string, Intl.NumberFormat>();

function format(lang: Lang, currency: string | null, decimals = -1): Intl.NumberFormat {
  const key = `${lang}/${currency ?? ''}/${decimals}`;
  let f = formats.get(key);
  if (!f) {
    const options: Intl.NumberFormatOptions = currency
      ? { style: 'currency', currency, currencyDisplay: 'narrowSymbol' }
      : decimals >= 0
        ? { minimumFractionDigits: decimals, maximumFractionDigits: decimals }
        : { maximumFractionDigits: 3 };
    f = new Intl.NumberFormat(locales[lang], options);
    formats.set(key, f);
  }
  return f;
}

/** "8.03" → "8,03 $" in French, "$8.03" in English. Strings are formatted exactly, never as floats. */
export function showMoney(amount: Money, lang: Lang, currency: string): string {
  // Intl formats a decimal string without going through a binary float.
  return format(lang, currency).format(amount as unknown as number);
}

/** "0.350" → "0,350" in French, "2" → "2": as many decimals as the backend sent. */
export function showQty(qty: Qty, lang: Lang): string {
  const decimals = Math.min((qty.split('.')[1] ?? '').length, 3);
  return format(lang, null, decimals).format(qty as unknown as number);
}

/** A tax rate "9.975" as "9,975 %" or "9.975%". */
export function showRate(rate: string, lang: Lang): string {
  const n = format(lang, null).format(rate as unknown as number);
  return lang === 'fr' ? `${n}\u00a0%` : `${n}%`;
}

const bills = [500, 1000, 2000, 5000, 10000];

/** Amounts a customer is likely to hand over for `due`: the next 5, 10, 20, 50 and 100. */
export function nextBills(due: Money): Money[] {
  const d = cents(due);
  if (d === null || d <= 0) return [];
  const out = new Set<number>();
  for (const b of bills) {
    const up = Math.ceil(d / b) * b;
    if (up > d) out.add(up);
  }
  return [...out]
    .sort((a, b) => a - b)
    .slice(0, 4)
    .map(fromCents);
}

/** A quantity stepped by `delta` whole units, keeping its decimals ("0.350" + 1 → "1.350"). */
export function stepQty(qty: Qty, delta: number): Qty {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(qty);
  if (!m) return qty;
  const whole = Number(m[1]) + delta;
  return m[2] ? `${whole}.${m[2]}` : String(whole);
}
