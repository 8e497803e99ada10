//! Pieces every screen uses: keypads, labelled fields, money, and the buttons that never take the
//! focus away from the field being typed into.

import { html, nothing, type TemplateResult } from 'lit-html';
import { live } from 'lit-html/directives/live.js';
import type { App } from '../app';
import type { Key } from '../i18n';
import { showMoney } from '../money';

export function money(app: App, amount: string): string {
  return showMoney(amount, app.lang, app.state.view?.store.currency ?? 'CAD');
}

/** Keeps the focus in the field: keypad and function buttons are for touch, not for tabbing. */
export const keepFocus = (e: Event) => e.preventDefault();

export interface PadKey {
  label: string;
  key: string;
  /** Accessible name when the label is a symbol. */
  name?: string;
  cls?: string;
  disabled?: boolean;
}

const digits = (extra: PadKey[]): PadKey[] => [
  ...['7', '8', '9', '4', '5', '6', '1', '2', '3'].map((d) => ({ label: d, key: d })),
  ...extra,
];

/** A PIN pad: digits, clear, 0, backspace. */
export function pinPad(app: App): TemplateResult {
  return pad(
    app,
    [
      ...digits([]),
      { label: app.t('clear'), key: 'clear', cls: 'soft' },
      { label: '0', key: '0' },
      { label: '⌫', key: 'back', name: app.t('backspace'), cls: 'soft' },
    ],
    'pin-pad',
  );
}

/** An amount pad: digits, point, 00, backspace. */
export function amountPad(app: App): TemplateResult {
  return pad(
    app,
    [
      ...digits([]),
      { label: app.lang === 'fr' ? ',' : '.', key: '.' },
      { label: '0', key: '0' },
      { label: '⌫', key: 'back', name: app.t('backspace'), cls: 'soft' },
    ],
    'amount-pad',
  );
}

export function pad(app: App, keys: PadKey[], cls: string): TemplateResult {
  return html`<div class="keypad ${cls}">
    ${keys.map(
      (k) =>
        html`<button
          type="button"
          tabindex="-1"
          class="key ${k.cls ?? ''}"
          data-key=${k.key}
          aria-label=${k.name ?? nothing}
          ?disabled=${k.disabled ?? false}
          @pointerdown=${keepFocus}
          @mousedown=${keepFocus}
          @click=${() => app.keypad(k.key)}
        >
          ${k.label}
        </button>`,
    )}
  </div>`;
}

export interface FieldOptions {
  name: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  /** numeric: amounts, quantities; the wedge keeps scans out of every field anyway. */
  mode?: 'numeric' | 'decimal' | 'text';
  type?: 'text' | 'password';
  autofocus?: boolean;
  placeholder?: string;
  big?: boolean;
  hint?: string;
}

export function field(o: FieldOptions): TemplateResult {
  return html`<label class="field ${o.big ? 'big' : ''}">
    <span class="label">${o.label}</span>
    <input
      type=${o.type ?? 'text'}
      name=${o.name}
      data-field=${o.name}
      inputmode=${o.mode ?? 'text'}
      autocomplete="off"
      spellcheck="false"
      placeholder=${o.placeholder ?? ''}
      ?data-autofocus=${o.autofocus ?? false}
      .value=${live(o.value)}
      @input=${(e: Event) => o.onInput((e.target as HTMLInputElement).value)}
    />
    ${o.hint ? html`<span class="hint">${o.hint}</span>` : nothing}
  </label>`;
}

/** A button that does not steal the focus from the field. */
export function button(
  label: string | TemplateResult,
  onClick: () => void,
  cls = '',
  disabled = false,
): TemplateResult {
  return html`<button
    type="button"
    tabindex="-1"
    class="btn ${cls}"
    ?disabled=${disabled}
    @pointerdown=${keepFocus}
    @mousedown=${keepFocus}
    @click=${onClick}
  >
    ${label}
  </button>`;
}

/**
 * The rejected command's message, inside a dialog or screen. For the codes of returns, refunds
 * and coupons the UI says in the cashier's language what happened and what to do, and the
 * register's own message (which names the receipt, the line, the amounts) follows.
 */
export function errorBox(app: App): TemplateResult | typeof nothing {
  const e = app.state.error;
  if (!e) return nothing;
  const hint = errorHint(app, e.code);
  if (!hint)
    return html`<div class="banner error" role="alert" data-code=${e.code}>${e.message}</div>`;
  return html`<div class="banner error" role="alert" data-code=${e.code}>
    <div class="said">
      <span class="what">${hint}</span>
      ${e.message && e.message !== hint ? html`<span class="detail">${e.message}</span>` : nothing}
    </div>
  </div>`;
}

/** Codes whose next step the UI spells out itself (i18n `err_<code>`). */
const HINTED = [
  'no_such_sale',
  'sale_not_here_offline',
  'nothing_left_to_return',
  'nothing_to_refund',
  'nothing_left_to_refund',
  'store_credit_only',
  'refund_due',
  'invalid_query',
  'ambiguous_receipt',
  'wrong_currency',
  'return_in_progress',
  'unknown_coupon',
  'coupon_not_entered',
  'unknown_credit',
  'credit_required',
  'credit_not_here_offline',
  'credit_short',
  'credit_scanned',
  'nothing_due',
  'payment_due',
  'tender_in_progress',
  'drawer_short',
];

export function errorHint(app: App, code: string): string | null {
  // The drawer falls short of a paid-out too: the hint's way out is the refund's.
  if (code === 'drawer_short' && app.state.dialog?.kind !== 'refund') return null;
  return HINTED.includes(code) ? app.t(`err_${code}` as Key) : null;
}
