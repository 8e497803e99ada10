//! Times from the register: RFC 3339 strings carrying the store's offset
//! (`2026-12-03T08:07:00-05:00`). The cashier reads the store's wall clock, so the date and time
//! are taken from the string's own fields and never converted to the machine's time zone.

import type { Lang } from './types';

const locales: Record<Lang, string> = { fr: 'fr-CA', en: 'en-CA' };
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?$/;
const formats = new Map<string, Intl.DateTimeFormat>();

function format(lang: Lang, withDate: boolean): Intl.DateTimeFormat {
  const key = `${lang}/${withDate}`;
  let f = formats.get(key);
  if (!f) {
    // The fields are laid out as a UTC instant and formatted in UTC: no zone arithmetic at all.
    f = new Intl.DateTimeFormat(locales[lang], {
      timeZone: 'UTC',
      ...(withDate ? { dateStyle: 'medium' } : {}),
      timeStyle: 'short',
    });
    formats.set(key, f);
  }
  return f;
}

/**
 * "2026-12-03T08:07:00-05:00" → "3 déc. 2026, 08 h 07" in French, "Dec 3, 2026, 8:07 a.m." in
 * English: the wall-clock time written in the string, whatever the machine's zone. `withDate`
 * false gives the time alone. A string that is not RFC 3339 is shown as it came.
 */
export function showTime(iso: string, lang: Lang, withDate = true): string {
  const m = RFC3339.exec(iso.trim());
  if (!m) return iso;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as number[];
  const at = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  if (Number.isNaN(at.getTime())) return iso;
  return format(lang, withDate).format(at);
}
