//! The sale screen: the cart on the left; the total, taxes and keypad on the right; the function
//! keys along the bottom. The scan field keeps the focus unless a dialog is open.

import { html, nothing, type TemplateResult } from 'lit-html';
import { pendingMultiplier, type App } from '../app';
import type { Key } from '../i18n';
import { cents, showQty, showRate } from '../money';
import type { Line, Tax, View } from '../types';
import { lines, ruleText } from './dialogs';
import { couponRow } from './returns';
import { button, errorHint, field, keepFocus, money, pad } from './widgets';

export function sale(app: App): TemplateResult {
  return html`<section class="sale">
      <div class="left">
        ${cart(app)} ${coupons(app, app.state.view!)} ${exemption(app, app.state.view!)}
        ${scanRow(app)}
      </div>
      <aside class="right">${totals(app)} ${salePad(app)}</aside>
    </section>
    ${functionKeys(app)}`;
}

function cart(app: App): TemplateResult {
  const v = app.state.view!;
  const lines = v.cart.lines;
  const returned = v.cart.returns ?? [];
  const { selected, highlight } = app.state;
  return html`<div class="cart" role="table">
    <div class="row head" role="row">
      <span class="no">${app.t('line_no')}</span><span class="name">${app.t('item')}</span>
      <span class="qty">${app.t('qty')}</span><span class="num">${app.t('unit_price')}</span>
      <span class="num">${app.t('amount')}</span>
    </div>
    <div class="rows">
      ${lines.length === 0 && returned.length === 0 ? html`<p class="empty">${app.t('cart_empty')}</p>` : nothing}
      ${returned.length ? returnedRows(app) : nothing}
      ${returned.length && lines.length ? html`<div class="row section" role="row"><span class="name">${app.t('new_items_head')}</span></div>` : nothing}
      ${lines.map(
        (l) =>
          html`<div
              role="row"
              class="row line ${l.line === selected ? 'selected' : ''} ${l.line === highlight ? 'last' : ''}"
              data-line=${l.line}
              @click=${() => app.tapLine(l.line)}
            >
              <span class="no">${l.line}</span>
              <span class="name"
                ><span class="text">${l.name}</span
                >${l.tax_flags ? html`<span class="flags">${l.tax_flags}</span>` : nothing}</span
              >
              <span class="qty">${showQty(l.qty, app.lang)}</span>
              <span class="num">${money(app, l.unit_price)}</span>
              <span class="num amount">${money(app, l.amount)}</span>
            </div>
            ${adjustments(app, l)}`,
      )}
    </div>
  </div>`;
}

/**
 * The lines coming back, apart from the new ones: each with its receipt (or none), restock or
 * write-off, and what it gives back as a negative amount; × takes it out before the refund.
 */
function returnedRows(app: App): TemplateResult {
  const v = app.state.view!;
  const returned = v.cart.returns ?? [];
  return html`<div class="row section returned-head" role="row">
      <span class="name">${app.t('returned_head')}</span>
    </div>
    ${returned.map(
      (r) =>
        html`<div
          role="row"
          class="row line returned ${r.line === app.state.selected ? 'selected' : ''}"
          data-returned=${r.line}
          @click=${() => app.select(r.line)}
        >
          <span class="no"
            >${
              v.cart.tenders.length === 0
                ? button('×', () => app.removeReturn(r.line), 'soft remove-return')
                : '↩'
            }</span
          >
          <span class="name"
            ><span class="text">${r.name}</span
            ><span class="from"
              >${r.original ? app.t('returned_from', { no: r.original.receipt_no }) : app.t('returned_no_receipt')}
              · ${r.disposition === 'write_off' ? app.t('written_off') : app.t('restocked')}</span
            ></span
          >
          <span class="qty">−${showQty(r.qty, app.lang)}</span>
          <span class="num">${money(app, r.unit_price)}</span>
          <span class="num amount">−${money(app, r.refund)}</span>
        </div>`,
    )}`;
}

/** The coupons entered, applied or not yet, each removable. */
function coupons(app: App, v: View): TemplateResult | typeof nothing {
  const list = v.cart.coupons ?? [];
  if (list.length === 0) return nothing;
  return html`<div class="cart-coupons">
    ${list.map((c) => couponRow(app, c.code, c.applied, c.label ?? null))}
  </div>`;
}

/** Under a line: a price override with the shelf price, then each discount and what it saved. */
function adjustments(app: App, l: Line): TemplateResult | typeof nothing {
  const a = l.adjustments;
  if (!a || (a.discounts.length === 0 && !a.price_override)) return nothing;
  const shelf = a.price_override?.shelf_price;
  const sub = (cls: string, label: string, amount: string | null, data: string) =>
    html`<div
      role="row"
      class="row sub ${cls} ${l.line === app.state.selected ? 'selected' : ''}"
      data-of=${l.line}
      data-adjustment=${data}
      @click=${() => app.tapLine(l.line)}
    >
      <span class="no"></span><span class="name"><span class="text">${label}</span></span>
      <span class="qty"></span><span class="num"></span>
      <span class="num amount">${amount === null ? '' : `−${money(app, amount)}`}</span>
    </div>`;
  return html`${shelf ? sub('override', app.t('price_was', { price: money(app, shelf) }), null, 'override') : nothing}
  ${a.discounts.map((d) =>
    sub('discount', d.kind === 'order' ? app.t('order_discount') : d.label, d.amount, d.kind),
  )}`;
}

/** The customer's tax exemption, under the cart, with its removal. */
function exemption(app: App, v: View): TemplateResult | typeof nothing {
  const e = v.cart.adjustments?.exemption;
  if (!e) return nothing;
  const names = (v.cart.adjustments?.exemptible ?? [])
    .filter((x) => e.taxes.includes(x.code))
    .map((x) => x.label)
    .join(', ');
  return html`<div class="cart-exemption" data-exemption=${e.certificate}>
    <span class="msg"
      >${app.t('exemption_on', { certificate: e.certificate })}<span class="muted">
        · ${names}</span
      ></span
    >
    ${button(app.t('remove'), () => void app.run('clear_exemption'), 'soft')}
  </div>`;
}

function scanRow(app: App): TemplateResult {
  const v = app.state.view!;
  const multiplier = pendingMultiplier(v);
  const dialogOpen = app.state.dialog !== null || v.report !== null;
  return html`<div class="scan-row">
      ${
        multiplier
          ? html`<span class="multiplier" data-multiplier=${multiplier}
              >${app.t('multiplier', { qty: showQty(multiplier, app.lang) })}</span
            >`
          : nothing
      }
      ${field({
        name: 'scan',
        label: app.t('scan_label'),
        value: app.state.entry,
        autofocus: !dialogOpen,
        placeholder: app.t('scan_placeholder'),
        big: true,
        onInput: (s) => app.entryInput(s),
      })}
      ${stock(app, v)}
    </div>
    ${dialogOpen ? nothing : message(app, v)}`;
}

/** The stock of the item just scanned; its age once it is more than a few minutes old. */
function stock(app: App, v: View): TemplateResult | typeof nothing {
  const s = v.stock;
  if (!s) return nothing;
  const n = showQty(s.on_hand, app.lang);
  const old = s.age_minutes !== null && s.age_minutes >= 5;
  return html`<span class="stock ${Number(s.on_hand) <= 0 ? 'out' : ''}" data-stock=${s.on_hand}
    >${old ? app.t('stock_age', { n, age: String(s.age_minutes) }) : app.t('stock_here', { n })}</span
  >`;
}

/**
 * The last rejected command, or else the View's notice, under the scan field. An unknown
 * barcode offers the open price (F5); a printer problem offers Reprint.
 */
function message(app: App, v: View): TemplateResult | typeof nothing {
  const e = app.state.error;
  const n = v.notice;
  const shown = e
    ? { level: 'error', code: e.code, message: e.message, offer: offerFor(e.code) }
    : n
      ? { level: n.level, code: n.code, message: n.message, offer: n.offer ?? null }
      : null;
  if (!shown) return nothing;
  const close = () => (e ? app.clearError() : void app.run('dismiss'));
  return html`<div
    class="banner ${shown.level}"
    role=${shown.level === 'info' ? 'status' : 'alert'}
    data-code=${shown.code}
  >
    ${
      e && errorHint(app, e.code)
        ? html`<span class="msg said"
            ><span class="what">${errorHint(app, e.code)}</span
            ><span class="detail">${e.message}</span></span
          >`
        : html`<span class="msg">${shown.message}</span>`
    }
    ${
      shown.offer === 'open_price' && app.can('open_price')
        ? button(html`<span class="fk">F5</span> ${app.t('f5')}`, () => app.function(5), 'primary')
        : nothing
    }
    ${
      shown.offer === 'reprint'
        ? button(app.t('reprint'), () => void app.run('reprint_last'), 'primary')
        : nothing
    }
    ${
      shown.offer === 'return'
        ? button(
            html`<span class="fk">⇧F10</span> ${app.t('returns_key')}`,
            () => app.openReturns(receiptOf(v, shown.message)),
            'primary',
          )
        : nothing
    }
    ${
      shown.offer === 'store_credit'
        ? button(
            html`<span class="fk">⇧F8</span> ${app.t('credit_key')}`,
            () => app.pay('credit', creditOf(shown.message) ?? ''),
            'primary',
          )
        : nothing
    }
    ${button('×', close, 'soft close-x')}
  </div>`;
}

/** The receipt a `receipt_scanned` notice names (its message quotes it). */
function receiptOf(_v: View, message: string): string | null {
  const m = /[A-Za-z0-9]{3,}(?:-\d+){1,2}/.exec(message);
  return m ? m[0] : null;
}

/** The credit note a `credit_scanned` notice names (its message quotes it). */
function creditOf(message: string): string | null {
  const m = /CR-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*/i.exec(message);
  return m ? m[0].toUpperCase() : null;
}

/** What a rejected command lets the cashier do next, by its code. */
function offerFor(code: string): string | null {
  if (code === 'unknown_barcode' || code === 'needs_price') return 'open_price';
  if (code.startsWith('printer_')) return 'reprint';
  if (code === 'receipt_scanned') return 'return';
  if (code === 'credit_scanned') return 'store_credit';
  return null;
}

function totals(app: App): TemplateResult {
  const c = app.state.view!.cart;
  const paid = c.paid !== '0.00';
  const count = c.lines.length;
  if ((c.returns?.length ?? 0) > 0) return exchangeTotals(app);
  return html`<div class="totals">
    <div class="total-box">
      <span class="label"
        >${app.t('total')}<span class="count">${count ? lines(app, count) : ''}</span></span
      >
      <span class="total" data-total=${c.total}>${money(app, c.total)}</span>
      <div class="paid-row ${paid ? 'big' : ''}">
        <span>${app.t('paid')} ${money(app, c.paid)}</span>
        <span class="remaining"
          >${app.t('remaining')} <strong>${money(app, c.remaining)}</strong></span
        >
      </div>
    </div>
    <dl class="tax-lines">
      ${orderDiscount(app)}
      <div>
        <dt>${app.t('subtotal')}</dt>
        <dd>${money(app, c.subtotal)}</dd>
      </div>
      ${saved(app)}
      ${
        c.taxes.length === 0
          ? html`<div class="muted">
              <dt>${app.t('taxes')}</dt>
              <dd>${app.t('no_tax')}</dd>
            </div>`
          : nothing
      }
      ${c.taxes.map((x) => taxRow(app, x))}
    </dl>
  </div>`;
}

/**
 * A return or an exchange: what the new items cost, what the returned ones give back, and the
 * difference: to pay (the tender flow) or to give back (the refund, F8).
 */
function exchangeTotals(app: App): TemplateResult {
  const c = app.state.view!.cart;
  const due = c.due ?? c.total;
  const d = cents(due) ?? 0;
  const label = d > 0 ? app.t('due_customer') : d < 0 ? app.t('due_give_back') : app.t('due_even');
  const paid = c.paid !== '0.00';
  return html`<div class="totals">
    <div class="total-box ${d < 0 ? 'give' : ''}">
      <span class="label">${label}</span>
      <span class="total" data-due=${due}>${money(app, due.replace(/^-/, ''))}</span>
      <div class="paid-row ${paid ? 'big' : ''}">
        ${
          d > 0
            ? html`<span>${app.t('paid')} ${money(app, c.paid)}</span>
                <span class="remaining"
                  >${app.t('remaining')} <strong>${money(app, c.remaining)}</strong></span
                >`
            : button(
                html`<span class="fk">F8</span>
                  ${d < 0 ? app.t('refund_key') : app.t('refund_even_confirm')}`,
                () => app.pay('cash'),
                'primary refund-btn',
              )
        }
      </div>
    </div>
    <dl class="tax-lines">
      <div data-new-total=${c.total}>
        <dt>${app.t('new_items')}</dt>
        <dd>${money(app, c.total)}</dd>
      </div>
      <div class="refund-row" data-refund=${c.refund ?? '0.00'}>
        <dt>${app.t('refund_line')}</dt>
        <dd>−${money(app, c.refund ?? '0.00')}</dd>
      </div>
      ${saved(app)} ${c.taxes.map((x) => taxRow(app, x))}
    </dl>
  </div>`;
}

/** One tax rate: its name, rate and base, and its amount; struck through when exempted. */
function taxRow(app: App, x: Tax): TemplateResult {
  const rate = showRate(x.rate, app.lang);
  const name = x.exempt
    ? app.t('tax_exempted', { label: x.label, rate })
    : x.included
      ? app.t('tax_included', { label: x.label, rate })
      : `${x.label} ${rate}`;
  return html`<div data-tax=${x.code} class=${x.exempt ? 'exempt' : ''}>
    <dt>${name} <span class="base">${app.t('tax_base', { base: money(app, x.base) })}</span></dt>
    <dd>${x.exempt ? html`<s>${money(app, x.amount)}</s>` : money(app, x.amount)}</dd>
  </div>`;
}

/** The order discount given, over the subtotal it is already taken from. */
function orderDiscount(app: App): TemplateResult | typeof nothing {
  const o = app.state.view!.cart.adjustments?.order_discount;
  if (!o) return nothing;
  return html`<div class="order-discount" data-order-discount=${o.amount}>
    <dt>${app.t('order_discount')} ${ruleText(app, o.rule, o.value)}</dt>
    <dd>−${money(app, o.amount)}</dd>
  </div>`;
}

/** What every discount saved, when they saved anything. */
function saved(app: App): TemplateResult | typeof nothing {
  const a = app.state.view!.cart.adjustments;
  if (!a || !cents(a.savings)) return nothing;
  return html`<div class="saved" data-savings=${a.savings}>
    <dt>${app.t('you_saved')}</dt>
    <dd>${money(app, a.savings)}</dd>
  </div>`;
}

function salePad(app: App): TemplateResult {
  const hasLine = app.selectedLine() !== null;
  return html`${pad(
    app,
    [
      { label: '7', key: '7' },
      { label: '8', key: '8' },
      { label: '9', key: '9' },
      { label: '⌫', key: 'back', name: app.t('backspace'), cls: 'soft' },
      { label: '4', key: '4' },
      { label: '5', key: '5' },
      { label: '6', key: '6' },
      { label: '×', key: '*', name: app.t('qty_times'), cls: 'soft' },
      { label: '1', key: '1' },
      { label: '2', key: '2' },
      { label: '3', key: '3' },
      { label: '−', key: '-', name: app.t('qty_minus'), cls: 'soft', disabled: !hasLine },
      { label: '0', key: '0' },
      { label: app.lang === 'fr' ? ',' : '.', key: '.' },
      { label: 'C', key: 'clear', name: app.t('clear'), cls: 'soft' },
      { label: '+', key: '+', name: app.t('qty_plus'), cls: 'soft', disabled: !hasLine },
      { label: app.t('del_line'), key: 'del', cls: 'soft wide-1', disabled: !hasLine },
      { label: `${app.t('enter')} ⏎`, key: 'enter', cls: 'primary wide-3' },
    ],
    'sale-pad',
  )}`;
}

interface FKey {
  n: number;
  label: Key;
  permission?: string;
}

function functionKeys(app: App): TemplateResult {
  const v = app.state.view!;
  const park: Key = v.cart.lines.length === 0 && v.parked.length > 0 ? 'f6_resume' : 'f6_park';
  const keys: FKey[] = [
    { n: 1, label: 'f1' },
    { n: 2, label: 'f2' },
    { n: 3, label: 'f3' },
    { n: 4, label: 'f4' },
    { n: 5, label: 'f5', permission: 'open_price' },
    { n: 6, label: park },
    { n: 7, label: 'f7', permission: 'void' },
    { n: 8, label: 'f8' },
    { n: 9, label: 'f9' },
    { n: 10, label: 'f10' },
    { n: 11, label: 'f11' },
    { n: 12, label: 'f12' },
  ];
  return html`<nav class="fkeys">
    ${keys.map(
      (k) =>
        html`<button
          type="button"
          tabindex="-1"
          class="fkey f${k.n} ${k.n === 8 || k.n === 9 ? 'pay' : ''}"
          data-fkey=${k.n}
          ?disabled=${k.permission !== undefined && !app.can(k.permission)}
          @pointerdown=${keepFocus}
          @mousedown=${keepFocus}
          @click=${() => app.function(k.n)}
        >
          <span class="fk">F${k.n}</span><span class="fl">${app.t(k.label)}</span>
          ${k.n === 6 && v.parked.length ? html`<span class="badge">${v.parked.length}</span>` : nothing}
        </button>`,
    )}
  </nav>`;
}
