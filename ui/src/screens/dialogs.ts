//! The dialogs over the sale screen. Each renders from its UI state and from the View's fields
//! (`price_check`, `search_results`, `parked`, `receipt_preview`, the cart's tenders).

import { html, nothing, type TemplateResult } from 'lit-html';
import {
  adjustable,
  ADJUST,
  cashDue,
  MENU,
  taxClasses,
  type App,
  type Dialog,
  type TenderTab,
} from '../app';
import type { PreviewLine } from '../types';
import { nextBills, showQty, showRate } from '../money';
import { showTime } from '../time';
import { couponDialog, noReceiptDialog, refundDialog, returnsDialog } from './returns';
import { cardDialog, devicesDialog } from './devices';
import { amountPad, button, errorBox, field, money, pinPad } from './widgets';

type Of<K extends Dialog['kind']> = Extract<Dialog, { kind: K }>;

export function dialog(app: App, d: Dialog): TemplateResult {
  switch (d.kind) {
    case 'qty':
      return qty(app, d);
    case 'price_check':
      return priceCheck(app, d);
    case 'search':
      return search(app, d);
    case 'open_price':
      return openPrice(app, d);
    case 'parked':
      return parked(app, d);
    case 'void':
      return voidSale(app, d);
    case 'tender':
      return tender(app, d);
    case 'nothing_due':
      return nothingDue(app);
    case 'change':
      return change(app, d);
    case 'receipt':
      return receipt(app);
    case 'menu':
      return menu(app, d);
    case 'paid_in':
    case 'paid_out':
      return paid(app, d);
    case 'no_sale':
      return noSale(app, d);
    case 'close_shift':
      return closeShift(app, d);
    case 'adjust':
      return adjustMenu(app, d);
    case 'discount':
      return discount(app, d);
    case 'override':
      return override(app, d);
    case 'approve':
      return approve(app, d);
    case 'exemption':
      return exemption(app, d);
    case 'returns':
      return returnsDialog(app, d);
    case 'no_receipt':
      return noReceiptDialog(app, d);
    case 'refund':
      return refundDialog(app, d);
    case 'coupon':
      return couponDialog(app, d);
    case 'devices':
      return devicesDialog(app, d);
    case 'card':
      return cardDialog(app, d);
  }
}

/** The frame of every dialog: a title, a close button, the body, and the actions. */
export function frame(
  app: App,
  kind: string,
  title: string,
  body: TemplateResult,
  actions: TemplateResult | typeof nothing = nothing,
  closable = true,
): TemplateResult {
  return html`<div class="backdrop">
    <div
      class="dialog ${kind}"
      role="dialog"
      aria-modal="true"
      aria-label=${title}
      data-dialog=${kind}
    >
      <header>
        <h2>${title}</h2>
        ${closable ? button(html`<span class="fk">${app.t('esc')}</span> ${app.t('cancel')}`, () => app.close(), 'soft') : nothing}
      </header>
      <div class="body">${body}</div>
      ${actions === nothing ? nothing : html`<footer>${actions}</footer>`}
    </div>
  </div>`;
}

function ok(app: App, label: string, cls = 'primary'): TemplateResult {
  return button(html`${label} <span class="fk">⏎</span>`, () => app.enter(), `${cls} grow`);
}

function qty(app: App, d: Of<'qty'>): TemplateResult {
  const line = app.state.view!.cart.lines.find((l) => l.line === d.line);
  const title = line ? app.t('qty_for', { line: line.line, name: line.name }) : app.t('qty_next');
  return frame(
    app,
    'qty',
    app.t('qty_title'),
    html`<div class="split">
      <div class="stack">
        <p class="lead">${title}</p>
        ${line ? html`<p class="muted">${app.t('qty')} : ${showQty(line.qty, app.lang)}</p>` : nothing}
        ${field({
          name: 'qty',
          label: app.t('qty'),
          value: d.value,
          mode: 'decimal',
          autofocus: true,
          big: true,
          onInput: (s) => {
            d.value = s;
            app.paint();
          },
        })}
        ${errorBox(app)}
      </div>
      ${amountPad(app)}
    </div>`,
    ok(app, app.t('set_qty')),
  );
}

function priceCheck(app: App, d: Of<'price_check'>): TemplateResult {
  const found = app.state.view!.price_check;
  return frame(
    app,
    'price-check',
    app.t('price_check_title'),
    html`<p>${app.t('price_check_hint')}</p>
      ${field({
        name: 'code',
        label: app.t('barcode'),
        value: d.value,
        autofocus: true,
        big: true,
        onInput: (s) => {
          d.value = s;
          app.paint();
        },
      })}
      ${errorBox(app)}
      ${
        found && !app.state.error
          ? html`<div class="price-card" data-sku=${found.sku}>
              <span class="name">${found.name}</span>
              <span class="price">${price(app, found.price)}</span>
              <span class="tax">${taxLabel(app, found.tax_class)}</span>
              <span class="muted">${app.t('barcode')} ${found.barcode ?? found.sku}</span>
            </div>`
          : nothing
      }`,
    ok(app, app.t('check')),
  );
}

function search(app: App, d: Of<'search'>): TemplateResult {
  const results = app.state.view!.search_results;
  const onInput = (s: string) => {
    d.value = s;
    d.index = 0;
    app.paint();
    void app.run('search', { query: s });
  };
  return frame(
    app,
    'search',
    app.t('search_title'),
    html`${field({ name: 'query', label: app.t('search_hint'), value: d.value, autofocus: true, big: true, onInput })}
      ${errorBox(app)}
      <div class="results" role="listbox">
        ${results.length === 0 ? html`<p class="empty">${app.t('search_none')}</p>` : nothing}
        ${results.map(
          (r, i) =>
            html`<div
              role="option"
              aria-selected=${i === d.index ? 'true' : 'false'}
              class="result ${i === d.index ? 'selected' : ''}"
              data-sku=${r.sku}
              @click=${() => {
                d.index = i;
                app.enter();
              }}
            >
              <span class="name">${r.name}</span><span class="code">${r.barcode ?? ''}</span
              ><span class="num">${price(app, r.price)}</span>
            </div>`,
        )}
      </div>`,
    ok(app, app.t('add')),
  );
}

function openPrice(app: App, d: Of<'open_price'>): TemplateResult {
  const tax = (cls: string) =>
    button(
      taxLabel(app, cls),
      () => {
        d.tax = cls;
        app.paint();
      },
      `segment ${d.tax === cls ? 'on' : ''}`,
    );
  return frame(
    app,
    'open-price',
    app.t('open_price_title'),
    html`<div class="split">
      <div class="stack">
        ${field({
          name: 'name',
          label: app.t('name'),
          value: d.name,
          placeholder: app.t('open_price_default_name'),
          // A catalog item brings its name: the cashier keys only the price.
          autofocus: d.sku === null,
          onInput: (s) => {
            d.name = s;
            app.paint();
          },
        })}
        ${field({
          name: 'price',
          label: app.t('price'),
          value: d.price,
          mode: 'decimal',
          big: true,
          autofocus: d.sku !== null,
          onInput: (s) => {
            d.price = s;
            app.paint();
          },
        })}
        <div class="field">
          <span class="label">${app.t('tax_class')} (↑ ↓)</span>
          <div class="segments" role="radiogroup">${taxClasses(app.state.view!).map(tax)}</div>
        </div>
        ${errorBox(app)}
      </div>
      ${amountPad(app)}
    </div>`,
    ok(app, app.t('add')),
  );
}

function parked(app: App, d: Of<'parked'>): TemplateResult {
  const list = app.state.view!.parked;
  return frame(
    app,
    'parked',
    app.t('park_title'),
    html`${errorBox(app)}
      <div class="results" role="listbox">
        ${list.length === 0 ? html`<p class="empty">${app.t('park_none')}</p>` : nothing}
        ${list.map(
          (x, i) =>
            html`<div
              role="option"
              aria-selected=${i === d.index ? 'true' : 'false'}
              class="result ${i === d.index ? 'selected' : ''}"
              data-parked=${x.id}
              @click=${() => {
                d.index = i;
                app.enter();
              }}
            >
              <span class="name">#${x.id} · ${lines(app, x.lines)}</span>
              <span class="code">${app.t('parked_at', { time: time(app, x.parked_at) })}</span>
              <span class="num">${money(app, x.total)}</span>
            </div>`,
        )}
      </div>`,
    list.length ? ok(app, app.t('resume')) : nothing,
  );
}

function reasonField(app: App, d: { reason: string }, autofocus: boolean): TemplateResult {
  return field({
    name: 'reason',
    label: app.t('reason'),
    value: d.reason,
    autofocus,
    placeholder: app.t('reason_required_hint'),
    onInput: (s) => {
      d.reason = s;
      app.paint();
    },
  });
}

function voidSale(app: App, d: Of<'void'>): TemplateResult {
  const presets = app.t('void_reasons').split('|');
  return frame(
    app,
    'void',
    app.t('void_title'),
    html`<p>${app.t('void_hint')}</p>
      <p class="lead">
        ${app.t('total')} <strong class="num">${money(app, app.state.view!.cart.total)}</strong>
      </p>
      ${reasonField(app, d, true)}
      <div class="chips">
        ${presets.map((r) =>
          button(
            r,
            () => {
              d.reason = r;
              app.paint();
            },
            'chip',
          ),
        )}
      </div>
      ${errorBox(app)}`,
    ok(app, app.t('void_confirm'), 'danger'),
  );
}

function tender(app: App, d: Of<'tender'>): TemplateResult {
  const v = app.state.view!;
  const c = v.cart;
  const due = cashDue(v);
  const inTender = v.screen === 'tender';
  const tab = (kind: TenderTab, label: string) =>
    button(
      label,
      () => {
        d.tab = kind;
        app.clearError();
      },
      `tab ${d.tab === kind ? 'on' : ''}`,
    );
  const legs = c.tenders.map(
    (l) =>
      html`<div class="due-row leg">
        <span>${legLabel(app, l.kind)}${l.reference ? ` #${l.reference}` : ''}</span
        ><span class="num">${money(app, l.amount)}</span>
      </div>`,
  );
  const cash = html`<div class="stack">
    ${field({
      name: 'cash',
      label: app.t('cash_received'),
      value: d.cash,
      mode: 'decimal',
      autofocus: true,
      big: true,
      placeholder: money(app, due),
      onInput: (s) => {
        d.cash = s;
        app.paint();
      },
    })}
    <div class="quick">
      ${button(html`${app.t('exact')}<strong>${money(app, due)}</strong>`, () => app.tender(d, due), 'quick exact')}
      ${nextBills(due).map((b) => button(money(app, b), () => app.tender(d, b), 'quick'))}
    </div>
  </div>`;
  const card = html`<div class="stack">
    ${field({
      name: 'card',
      label: app.t('card_amount'),
      value: d.card,
      mode: 'decimal',
      autofocus: true,
      big: true,
      onInput: (s) => {
        d.card = s;
        app.paint();
      },
    })}
    ${field({
      name: 'reference',
      label: app.t('card_reference'),
      value: d.reference,
      hint: app.t('card_reference_hint'),
      onInput: (s) => {
        d.reference = s;
        app.paint();
      },
    })}
  </div>`;
  return frame(
    app,
    'tender',
    app.t('tender_title'),
    html`<div class="tender-grid">
      <div class="due">
        <div class="due-list">
          <div class="due-row">
            <span>${app.t('total')}</span><span class="num">${money(app, c.total)}</span>
          </div>
          ${legs}
          <div class="due-row">
            <span>${app.t('paid')}</span><span class="num">${money(app, c.paid)}</span>
          </div>
          ${d.tab === 'cash' && due !== c.remaining ? html`<div class="due-row"><span>${app.t('cash_due')}</span><span class="num">${money(app, due)}</span></div>` : nothing}
        </div>
        <div class="remaining-box">
          <span>${app.t('remaining')}</span
          ><span class="num" data-remaining=${c.remaining}>${money(app, c.remaining)}</span>
        </div>
      </div>
      <div class="pay">
        <div class="tabs">
          ${tab('cash', app.t('cash_tab'))}${tab('card', app.t('card_tab'))}${tab('credit', app.t('credit_tab'))}
        </div>
        ${d.tab === 'cash' ? cash : d.tab === 'card' ? card : credit(app, d)} ${errorBox(app)}
      </div>
      ${amountPad(app)}
    </div>`,
    html`${inTender ? button(html`<span class="fk">F7</span> ${app.t('f7')}`, () => app.function(7), 'soft') : nothing}
    ${ok(app, tenderLabel(app, d))}`,
    !inTender,
  );
}

function legLabel(app: App, kind: string): string {
  if (kind === 'cash') return app.t('leg_cash');
  if (kind === 'store_credit') return app.t('leg_credit');
  return app.t('leg_card');
}

function tenderLabel(app: App, d: Of<'tender'>): string {
  if (d.tab === 'cash') return app.t('tender_cash');
  if (d.tab === 'card') return app.t('tender_card');
  return d.balance ? app.t('tender_credit') : app.t('credit_lookup');
}

/** The store credit tab: the note's number, then its balance and the amount to take off it. */
function credit(app: App, d: Of<'tender'>): TemplateResult {
  const b = d.balance;
  return html`<div class="stack">
    ${field({
      name: 'note',
      label: app.t('credit_note'),
      value: d.note,
      autofocus: !b,
      big: !b,
      placeholder: 'CR-…',
      hint: b ? undefined : app.t('credit_note_hint'),
      onInput: (s) => {
        d.note = s;
        app.paint();
      },
    })}
    ${
      b
        ? html`<div class="due-row credit-balance" data-balance=${b.balance}>
              <span
                >${app.t('credit_balance')}
                <span class="muted credit-history"
                  >${app.t('credit_history', {
                    issued: money(app, b.issued),
                    spent: money(app, b.spent),
                  })}</span
                ></span
              ><strong class="num">${money(app, b.balance)}</strong>
            </div>
            ${field({
              name: 'credit',
              label: app.t('credit_amount'),
              value: d.credit,
              mode: 'decimal',
              autofocus: true,
              big: true,
              hint: app.t('credit_amount_hint'),
              onInput: (s) => {
                d.credit = s;
                app.paint();
              },
            })}`
        : nothing
    }
  </div>`;
}

/** A cart that costs nothing: F8, F9 or Enter record it without a payment. */
function nothingDue(app: App): TemplateResult {
  const c = app.state.view!.cart;
  const exchange = (c.returns?.length ?? 0) > 0;
  return frame(
    app,
    'nothing-due',
    app.t('nothing_due_title'),
    html`<div class="stack">
      <div class="remaining-box">
        <span>${app.t('total')}</span><span class="num" data-due="0.00">${money(app, '0.00')}</span>
      </div>
      <p class="lead">${exchange ? app.t('nothing_due_exchange') : app.t('nothing_due_sale')}</p>
      ${errorBox(app)}
    </div>`,
    ok(app, app.t('nothing_due_confirm')),
  );
}

function change(app: App, d: Of<'change'>): TemplateResult {
  const preview = app.state.preview;
  const none = d.change === '0.00';
  return html`<div class="backdrop">
    <div
      class="dialog change"
      role="dialog"
      aria-modal="true"
      data-dialog="change"
      @click=${() => app.close()}
    >
      <div class="change-main">
        <span class="label">${none ? app.t('change_none') : app.t('change_title')}</span>
        <span class="change-amount" data-change=${d.change}>${money(app, d.change)}</span>
        <span class="receipt-no">${app.t('receipt_no', { no: d.receipt_no })}</span>
        <span class="muted"
          >${app.t('total')}
          ${money(app, d.total)}${d.rounding !== '0.00' ? ` · ${app.t('rounding')} ${money(app, d.rounding)}` : ''}</span
        >
        ${errorBox(app)}
        <span class="any-key">${app.t('any_key')}</span>
      </div>
      ${preview ? paper(preview.lines) : nothing}
    </div>
  </div>`;
}

/** A receipt as the paper shows it: monospace, centred and bold where the printer was told so. */
export function paper(lines: PreviewLine[]): TemplateResult {
  return html`<div class="paper" aria-label="receipt">
    ${lines.map((l) => {
      if (l.kind === 'cut') return html`<div class="cut" aria-hidden="true"></div>`;
      if (l.kind !== 'text') return html`<div class="pl symbol ${l.align}">${l.text}</div>`;
      // No whitespace around the text: the line is `white-space: pre`, as on paper.
      const cls = `pl ${l.align} ${l.bold ? 'bold' : ''} ${l.wide ? 'wide' : ''} ${l.tall ? 'tall' : ''}`;
      return html`<div class=${cls}>${l.text || '\u00a0'}</div>`;
    })}
  </div>`;
}

function receipt(app: App): TemplateResult {
  const preview = app.state.preview;
  return frame(
    app,
    'receipt',
    app.t('receipt_title'),
    html`${errorBox(app)}${preview ? paper(preview.lines) : nothing}`,
    ok(app, `F10 ${app.t('receipt_copy')}`),
  );
}

function menu(app: App, d: Of<'menu'>): TemplateResult {
  return frame(
    app,
    'menu',
    app.t('menu_title'),
    html`<div class="menu-list" role="menu">
        ${MENU.map((m, i) => {
          const allowed = !m.permission || app.can(m.permission);
          return html`<button
            type="button"
            tabindex="-1"
            role="menuitem"
            class="menu-item ${i === d.index ? 'selected' : ''}"
            ?disabled=${!allowed}
            @click=${() => app.choose(i)}
          >
            <span class="fk">${i + 1}</span>${app.t(m.label)}
          </button>`;
        })}
      </div>
      ${errorBox(app)}`,
  );
}

function paid(app: App, d: Of<'paid_in' | 'paid_out'>): TemplateResult {
  const hint = d.kind === 'paid_in' ? app.t('paid_in_hint') : app.t('paid_out_hint');
  return frame(
    app,
    d.kind,
    d.kind === 'paid_in' ? app.t('paid_in') : app.t('paid_out'),
    html`<div class="split">
      <div class="stack">
        <p>${hint}</p>
        ${field({
          name: 'amount',
          label: app.t('amount'),
          value: d.amount,
          mode: 'decimal',
          autofocus: true,
          big: true,
          onInput: (s) => {
            d.amount = s;
            app.paint();
          },
        })}
        ${reasonField(app, d, false)} ${errorBox(app)}
      </div>
      ${amountPad(app)}
    </div>`,
    ok(app, app.t('record')),
  );
}

function noSale(app: App, d: Of<'no_sale'>): TemplateResult {
  return frame(
    app,
    'no-sale',
    app.t('no_sale'),
    html`<p>${app.t('no_sale_hint')}</p>
      ${reasonField(app, d, true)}${errorBox(app)}`,
    ok(app, app.t('open_drawer')),
  );
}

function closeShift(app: App, d: Of<'close_shift'>): TemplateResult {
  return frame(
    app,
    'close-shift',
    app.t('close_shift_title'),
    html`<div class="split">
      <div class="stack">
        <p>${app.t('close_shift_hint')}</p>
        ${field({
          name: 'counted',
          label: app.t('counted'),
          value: d.counted,
          mode: 'decimal',
          autofocus: true,
          big: true,
          onInput: (s) => {
            d.counted = s;
            app.paint();
          },
        })}
        ${errorBox(app)}
      </div>
      ${amountPad(app)}
    </div>`,
    ok(app, app.t('close_shift_confirm'), 'danger'),
  );
}

// Discounts, price overrides and the tax exemption (F1).

function adjustMenu(app: App, d: Of<'adjust'>): TemplateResult {
  const v = app.state.view!;
  const line = v.cart.lines.find((l) => l.line === d.line) ?? null;
  return frame(
    app,
    'adjust',
    app.t('adjust_title'),
    html`<p class="lead">
        ${line ? app.t('qty_for', { line: line.line, name: line.name }) : app.t('adjust_no_line')}
      </p>
      <div class="menu-list" role="menu">
        ${ADJUST.map(
          (m, i) =>
            html`<button
              type="button"
              tabindex="-1"
              role="menuitem"
              class="menu-item ${i === d.index ? 'selected' : ''}"
              data-adjust=${m.kind}
              ?disabled=${!adjustable(m.kind, v, line)}
              @click=${() => app.adjust(i)}
            >
              <span class="fk">${i + 1}</span>${app.t(m.label)}
            </button>`,
        )}
      </div>
      ${errorBox(app)}`,
  );
}

function discount(app: App, d: Of<'discount'>): TemplateResult {
  const v = app.state.view!;
  const line = v.cart.lines.find((l) => l.line === d.line);
  const lead =
    d.target === 'line' && line
      ? html`<p class="lead">${app.t('qty_for', { line: line.line, name: line.name })}</p>
          <p class="muted">${money(app, line.adjustments?.gross ?? line.amount)}</p>`
      : html`<p class="lead">${app.t('subtotal')} ${money(app, v.cart.subtotal)}</p>
          ${given(app)}`;
  const rule = (r: 'percent' | 'amount', label: string) =>
    button(
      label,
      () => {
        d.rule = r;
        app.paint();
      },
      `segment ${d.rule === r ? 'on' : ''}`,
    );
  return frame(
    app,
    'discount',
    d.target === 'line' ? app.t('discount_line_title') : app.t('discount_order_title'),
    html`<div class="split">
      <div class="stack">
        ${lead}
        <div class="field">
          <span class="label">${app.t('discount_rule_hint')}</span>
          <div class="segments" role="radiogroup" data-rule=${d.rule}>
            ${rule('percent', app.t('discount_percent'))}${rule('amount', app.t('discount_amount'))}
          </div>
        </div>
        ${field({
          name: 'value',
          label:
            d.rule === 'percent' ? app.t('discount_value_percent') : app.t('discount_value_amount'),
          value: d.value,
          mode: 'decimal',
          autofocus: true,
          big: true,
          onInput: (s) => {
            // "15%" or "2,50$" picks the kind as it is typed.
            if (/%\s*$/.test(s)) d.rule = 'percent';
            else if (/\$\s*$/.test(s)) d.rule = 'amount';
            d.value = s.replace(/[%$]/g, '');
            app.paint();
          },
        })}
        ${reasonField(app, d, false)} ${chips(app, d, 'discount_reasons')} ${errorBox(app)}
      </div>
      ${amountPad(app)}
    </div>`,
    ok(app, app.t('discount_give')),
  );
}

/** The order discount already given, which a new one replaces. */
function given(app: App): TemplateResult | typeof nothing {
  const o = app.state.view!.cart.adjustments?.order_discount;
  if (!o) return nothing;
  const params = { rule: ruleText(app, o.rule, o.value), amount: money(app, o.amount) };
  return html`<p class="muted" data-given>${app.t('order_discount_given', params)}</p>`;
}

/** "10 %" or "2,50 $", as the cashier gave it. */
export function ruleText(app: App, rule: string, value: string): string {
  return rule === 'percent' ? showRate(value, app.lang) : money(app, value);
}

function override(app: App, d: Of<'override'>): TemplateResult {
  const line = app.state.view!.cart.lines.find((l) => l.line === d.line);
  const shelf = line?.adjustments?.price_override?.shelf_price ?? line?.unit_price ?? null;
  return frame(
    app,
    'override',
    app.t('override_title'),
    html`<div class="split">
      <div class="stack">
        ${line ? html`<p class="lead">${app.t('qty_for', { line: line.line, name: line.name })}</p>` : nothing}
        ${shelf ? html`<p class="muted">${app.t('override_shelf', { price: money(app, shelf) })}</p>` : nothing}
        ${field({
          name: 'price',
          label: app.t('new_price'),
          value: d.price,
          mode: 'decimal',
          autofocus: true,
          big: true,
          onInput: (s) => {
            d.price = s;
            app.paint();
          },
        })}
        ${reasonField(app, d, false)} ${chips(app, d, 'override_reasons')} ${errorBox(app)}
      </div>
      ${amountPad(app)}
    </div>`,
    ok(app, app.t('override_next')),
  );
}

/** The manager's PIN pad: the PIN is a password field, never shown, and forgotten once sent. */
function approve(app: App, d: Of<'approve'>): TemplateResult {
  const hint =
    d.ask.why === 'override'
      ? app.t('approve_override_hint')
      : d.ask.why === 'return'
        ? app.t('approve_return_hint')
        : d.ask.why === 'cash_refund'
          ? app.t('approve_cash_refund_hint')
          : app.t('approve_discount_hint');
  return frame(
    app,
    'approve',
    app.t('approve_title'),
    html`<div class="split">
      <div class="stack">
        ${d.note ? html`<p class="note" data-note>${d.note}</p>` : nothing}
        <p class="lead">${hint}</p>
        ${field({
          name: 'manager_pin',
          label: app.t('manager_pin'),
          value: d.pin,
          type: 'password',
          mode: 'numeric',
          autofocus: true,
          big: true,
          onInput: (s) => {
            d.pin = s;
            app.paint();
          },
        })}
        ${errorBox(app)}
      </div>
      ${pinPad(app)}
    </div>`,
    ok(app, app.t('approve')),
  );
}

function exemption(app: App, d: Of<'exemption'>): TemplateResult {
  const taxes = app.state.view!.cart.adjustments?.exemptible ?? [];
  return frame(
    app,
    'exemption',
    app.t('exemption_title'),
    html`<p>${app.t('exemption_hint')}</p>
      ${field({
        name: 'certificate',
        label: app.t('certificate'),
        value: d.certificate,
        autofocus: true,
        big: true,
        onInput: (s) => {
          d.certificate = s;
          app.paint();
        },
      })}
      <div class="field">
        <span class="label">${app.t('exempt_taxes')}</span>
        <div class="segments" role="group">
          ${taxes.map((x, i) =>
            button(
              html`<span class="fk">F${i + 1}</span> ${x.label}
                ${d.taxes.includes(x.code) ? '✓' : ''}`,
              () => app.toggleTax(d, x.code),
              `segment ${d.taxes.includes(x.code) ? 'on' : ''}`,
            ),
          )}
        </div>
      </div>
      ${errorBox(app)}`,
    ok(app, app.t('exemption_apply')),
  );
}

/** Preset reasons, one tap each. */
function chips(
  app: App,
  d: { reason: string },
  key: 'discount_reasons' | 'override_reasons',
): TemplateResult {
  return html`<div class="chips">
    ${app
      .t(key)
      .split('|')
      .map((r) =>
        button(
          r,
          () => {
            d.reason = r;
            app.paint();
          },
          'chip',
        ),
      )}
  </div>`;
}

/** A catalog price, or "open price" for an item whose price the cashier keys. */
function price(app: App, amount: string | null): string {
  return amount === null ? app.t('open_price_short') : money(app, amount);
}

/** The name of a tax class; a class the UI does not know is shown as the store calls it. */
export function taxLabel(app: App, cls: string): string {
  if (cls === 'standard') return app.t('tax_standard');
  if (cls === 'zero_rated') return app.t('tax_zero_rated');
  if (cls === 'exempt') return app.t('tax_exempt');
  return cls;
}

export function lines(app: App, n: number): string {
  return app.t(n === 1 ? 'lines_one' : 'lines_many', { n });
}

/** A time from the register, on the store's wall clock (time.ts). */
export function time(app: App, iso: string, withDate = false): string {
  return showTime(iso, app.lang, withDate);
}
