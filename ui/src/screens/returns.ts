//! Returns, exchanges, refunds and coupons: the dialog that finds a sale and picks the lines
//! coming back, the return without a receipt, the refund with its legs, and coupon entry.

import { html, nothing, type TemplateResult } from 'lit-html';
import { REFUND_TO, type App, type Dialog, type RefundTo } from '../app';
import type { Key } from '../i18n';
import { cents, showQty } from '../money';
import type { SaleForReturn, SaleTender, Tender } from '../types';
import { frame, paper, time } from './dialogs';
import { amountPad, button, errorBox, field, money } from './widgets';

type Of<K extends Dialog['kind']> = Extract<Dialog, { kind: K }>;

export function returnsDialog(app: App, d: Of<'returns'>): TemplateResult {
  const picked = d.picks.filter((p) => p.on).length;
  return frame(
    app,
    'returns',
    app.t('returns_title'),
    html`<div class="returns-find">
        ${field({
          name: 'query',
          label: app.t('returns_query'),
          value: d.query,
          autofocus: true,
          big: true,
          placeholder: 'MTL01-000042',
          onInput: (s) => {
            d.query = s;
            app.paint();
          },
        })}
        ${button(app.t('returns_find'), () => void app.lookupSale(d), 'soft find')}
      </div>
      ${d.sale ? nothing : html`<p class="muted">${app.t('returns_hint')}</p>`} ${results(app, d)}
      ${d.sale ? saleCard(app, d, d.sale) : nothing} ${errorBox(app)}`,
    html`${button(app.t('returns_no_receipt'), () => app.noReceipt(), 'soft')}
    ${
      d.sale
        ? button(
            html`${app.t('returns_confirm', { n: picked })} <span class="fk">⏎</span>`,
            () => app.submit(),
            'primary grow',
            picked === 0,
          )
        : button(
            html`${app.t('returns_find')} <span class="fk">⏎</span>`,
            () => app.enter(),
            'primary grow',
          )
    }`,
  );
}

/** The receipts a card reference or a customer gave, to choose from. */
function results(app: App, d: Of<'returns'>): TemplateResult | typeof nothing {
  if (!d.results || (d.sale && d.results.length <= 1)) return nothing;
  if (d.results.length === 0)
    return html`<p class="empty">${app.t('returns_none_found', { q: d.query })}</p>`;
  return html`<p class="lead">${app.t('returns_results', { n: d.results.length })}</p>
    <div class="chips receipts">
      ${d.results.map((r) =>
        button(r, () => void app.lookupSale(d, r), `chip ${d.sale?.receipt_no === r ? 'on' : ''}`),
      )}
    </div>`;
}

function saleCard(app: App, d: Of<'returns'>, sale: SaleForReturn): TemplateResult {
  const v = app.state.view!;
  const where = sale.sold_in
    ? app.t('returns_sold_in', { store: sale.sold_in })
    : app.t('returns_sold_here', { register: app.t('register_no', { n: v.register.number }) });
  return html`<div class="sale-found" data-receipt=${sale.receipt_no}>
    <div class="sale-head">
      <strong>${app.t('returns_sale', { no: sale.receipt_no })}</strong>
      <span
        >${app.t('returns_sold', {
          date: time(app, sale.recorded_at, true),
          total: money(app, sale.total),
        })}</span
      >
      <span class="muted">${where}</span>
      <span class="muted"
        >${app.t('returns_paid_by', { tenders: sale.tenders.map((t) => tenderText(app, t)).join(', ') })}</span
      >
    </div>
    <div class="return-lines" role="table">
      <div class="rl head" role="row">
        <span class="fk-col"></span><span class="name">${app.t('returns_col_item')}</span>
        <span class="num">${app.t('returns_col_sold')}</span
        ><span class="num">${app.t('returns_col_left')}</span>
        <span class="num">${app.t('returns_col_paid')}</span
        ><span class="qty">${app.t('returns_col_qty')}</span><span class="disp"></span>
      </div>
      ${sale.lines.map((l, i) => {
        const pick = d.picks[i]!;
        const none = Number(l.returnable) <= 0;
        return html`<div
          role="row"
          class="rl ${pick.on ? 'on' : ''} ${none ? 'none' : ''}"
          data-return-line=${l.line}
        >
          <span class="fk-col"
            >${button(
              html`${i < 9 ? html`<span class="fk">F${i + 1}</span>` : nothing}
              ${pick.on ? '✓' : ''}`,
              () => app.togglePick(d, i),
              `tick ${pick.on ? 'on' : ''}`,
              none,
            )}</span
          >
          <span class="name" @click=${() => app.togglePick(d, i)}>${l.name}</span>
          <span class="num">${showQty(l.qty, app.lang)}</span>
          <span class="num left"
            >${none ? app.t('returns_all_back') : showQty(l.returnable, app.lang)}</span
          >
          <span class="num">${money(app, l.paid)}</span>
          <span class="qty"
            >${
              pick.on
                ? field({
                    name: `qty-${l.line}`,
                    label: app.t('returns_col_qty'),
                    value: pick.qty,
                    mode: 'decimal',
                    onInput: (s) => {
                      pick.qty = s;
                      app.paint();
                    },
                  })
                : nothing
            }</span
          >
          <span class="disp"
            >${
              pick.on
                ? html`<div class="segments" role="radiogroup" data-disposition=${pick.disposition}>
                    ${(['restock', 'write_off'] as const).map((x) =>
                      button(
                        app.t(x),
                        () => {
                          pick.disposition = x;
                          app.paint();
                        },
                        `segment ${pick.disposition === x ? 'on' : ''}`,
                      ),
                    )}
                  </div>`
                : nothing
            }</span
          >
        </div>`;
      })}
    </div>
    <p class="muted small">${app.t('returns_pick_hint')}</p>
    ${reason(app, d, 'returns_reasons')}
  </div>`;
}

function reason(app: App, d: { reason: string }, presets: Key): TemplateResult {
  return html`<div class="reason-row">
    ${field({
      name: 'reason',
      label: app.t('reason'),
      value: d.reason,
      placeholder: app.t('reason_required_hint'),
      onInput: (s) => {
        d.reason = s;
        app.paint();
      },
    })}
    <div class="chips">
      ${app
        .t(presets)
        .split('|')
        .map((r) =>
          button(
            r,
            () => {
              d.reason = r;
              app.paint();
            },
            `chip ${d.reason === r ? 'on' : ''}`,
          ),
        )}
    </div>
  </div>`;
}

function tenderText(app: App, t: SaleTender): string {
  switch (t.kind) {
    case 'cash':
      return `${app.t('leg_cash')} ${money(app, t.tendered)}`;
    case 'store_credit':
      return `${app.t('refund_credit')} ${t.reference} ${money(app, t.amount)}`;
    default:
      return `${app.t('leg_card')} ${t.reference} ${money(app, t.amount)}`;
  }
}

export function noReceiptDialog(app: App, d: Of<'no_receipt'>): TemplateResult {
  return frame(
    app,
    'no-receipt',
    app.t('no_receipt_title'),
    html`<div class="split">
      <div class="stack">
        <p>${app.t('no_receipt_hint')}</p>
        ${field({
          name: 'code',
          label: app.t('barcode'),
          value: d.code,
          autofocus: true,
          big: true,
          onInput: (s) => {
            d.code = s;
            d.price = null;
            app.paint();
          },
        })}
        ${d.price ? html`<p class="muted" data-price=${d.price}>${app.t('no_receipt_price', { price: money(app, d.price) })}</p>` : nothing}
        <div class="row2">
          ${field({
            name: 'qty',
            label: app.t('qty'),
            value: d.qty,
            mode: 'decimal',
            onInput: (s) => {
              d.qty = s;
              app.paint();
            },
          })}
          <div class="field">
            <span class="label">↑ ↓</span>
            <div class="segments" role="radiogroup" data-disposition=${d.disposition}>
              ${(['restock', 'write_off'] as const).map((x) =>
                button(
                  app.t(x),
                  () => {
                    d.disposition = x;
                    app.paint();
                  },
                  `segment ${d.disposition === x ? 'on' : ''}`,
                ),
              )}
            </div>
          </div>
        </div>
        ${reason(app, d, 'returns_reasons')} ${errorBox(app)}
      </div>
      ${amountPad(app)}
    </div>`,
    button(
      html`${app.t('no_receipt_add')} <span class="fk">⏎</span>`,
      () => app.submit(),
      'primary grow',
    ),
  );
}

const REFUND_LABELS: Record<RefundTo, [Key, Key]> = {
  original: ['refund_original', 'refund_original_hint'],
  cash: ['refund_cash', 'refund_cash_hint'],
  store_credit: ['refund_credit', 'refund_credit_hint'],
};

export function refundDialog(app: App, d: Of<'refund'>): TemplateResult {
  if (d.done) return refunded(app);
  const c = app.state.view!.cart;
  const due = c.due ?? '0.00';
  const even = (cents(due) ?? 0) >= 0;
  const back = even ? '0.00' : due.replace(/^-/, '');
  const options = html`<div class="menu-list refund-to" role="radiogroup">
    ${REFUND_TO.map((to, i) => {
      const [label, hint] = REFUND_LABELS[to];
      return html`<button
        type="button"
        tabindex="-1"
        role="radio"
        aria-checked=${d.to === to ? 'true' : 'false'}
        class="menu-item ${d.to === to ? 'selected' : ''}"
        data-refund-to=${to}
        @click=${() => {
          d.to = to;
          app.paint();
        }}
      >
        <span class="fk">${i + 1}</span><span class="what">${app.t(label)}</span
        ><span class="muted">${app.t(hint)}</span>
      </button>`;
    })}
  </div>`;
  return frame(
    app,
    'refund',
    app.t('refund_title'),
    html`<div class="tender-grid refund-grid">
      <div class="due">
        <div class="due-list">
          <div class="due-row">
            <span>${app.t('refund_line')}</span
            ><span class="num">−${money(app, c.refund ?? '0.00')}</span>
          </div>
          <div class="due-row">
            <span>${app.t('new_items')}</span><span class="num">${money(app, c.total)}</span>
          </div>
        </div>
        <div class="remaining-box give">
          <span>${app.t('refund_amount')}</span
          ><span class="num" data-refund=${back}>${money(app, back)}</span>
        </div>
      </div>
      <div class="pay">
        ${even ? html`<p class="lead">${app.t('refund_even_hint')}</p>` : options} ${errorBox(app)}
        ${
          d.progress?.length
            ? html`<ul class="terminal-texts" aria-live="polite">
                ${d.progress.map((text) => html`<li>${text}</li>`)}
              </ul>`
            : nothing
        }
      </div>
    </div>`,
    button(
      html`${even ? app.t('refund_even_confirm') : app.t('refund_confirm')}
        <span class="fk">⏎</span>`,
      () => app.enter(),
      'primary grow',
    ),
  );
}

/** After the refund: what goes back on each leg, the rounding, a credit note's number. */
function refunded(app: App): TemplateResult {
  const sale = app.state.view!.last_sale;
  const preview = app.state.preview;
  const legs = sale?.tenders ?? [];
  const given = legs.reduce((sum, l) => sum + (cents(l.amount) ?? 0), 0);
  const exchange = sale?.kind === 'exchange';
  return html`<div class="backdrop">
    <div
      class="dialog change refunded"
      role="dialog"
      aria-modal="true"
      data-dialog="refunded"
      @click=${() => app.close()}
    >
      <div class="change-main">
        <span class="label"
          >${exchange ? app.t('refund_done_exchange') : app.t('refund_done')}</span
        >
        ${given < 0 ? html`<span class="muted">${app.t('refund_give')}</span>` : nothing}
        <div class="legs">
          ${legs.map(
            (l) =>
              html`<div class="leg-row" data-leg=${l.kind} data-amount=${l.amount}>
                <span>${legName(app, l)}</span><span class="num">${money(app, l.amount)}</span>
              </div>`,
          )}
          ${
            sale && sale.cash_rounding !== '0.00'
              ? html`<div class="leg-row muted" data-rounding=${sale.cash_rounding}>
                  <span>${app.t('rounding')}</span
                  ><span class="num">${money(app, sale.cash_rounding)}</span>
                </div>`
              : nothing
          }
        </div>
        ${
          legs.some(
            (l) =>
              l.kind !== 'cash' &&
              l.kind !== 'store_credit' &&
              Number(l.amount) < 0 &&
              !l.on_terminal,
          )
            ? html`<span class="card-hint" data-card-hint>${app.t('refund_card_hint')}</span>`
            : nothing
        }
        ${sale ? html`<span class="receipt-no">${app.t('receipt_no', { no: sale.receipt_no })}</span>` : nothing}
        ${errorBox(app)}
        <span class="any-key">${app.t('any_key')}</span>
      </div>
      ${preview ? paper(preview.lines) : nothing}
    </div>
  </div>`;
}

function legName(app: App, l: Tender): TemplateResult | string {
  const ref = l.reference ?? '';
  if (l.kind === 'cash') return app.t('refund_leg_cash');
  // A credit note's number is read out to the customer: it never breaks at its dashes.
  const [before, after = ''] = app
    .t(l.kind === 'store_credit' ? 'refund_leg_credit' : 'refund_leg_card', { ref: '\u0000' })
    .split('\u0000');
  return html`${before}<span class="ref">${ref}</span>${after}`;
}

export function couponDialog(app: App, d: Of<'coupon'>): TemplateResult {
  const c = app.state.view!.cart;
  const coupons = c.coupons ?? [];
  return frame(
    app,
    'coupon',
    app.t('coupon_title'),
    html`<p>${app.t('coupon_hint')}</p>
      ${field({
        name: 'coupon',
        label: app.t('coupon_code'),
        value: d.code,
        autofocus: true,
        big: true,
        placeholder: 'BIENVENUE5',
        onInput: (s) => {
          d.code = s;
          app.paint();
        },
      })}
      ${errorBox(app)}
      <div class="coupon-list">
        ${coupons.length === 0 ? html`<p class="empty">${app.t('coupon_none')}</p>` : nothing}
        ${coupons.map((x) => couponRow(app, x.code, x.applied, x.label ?? null))}
      </div>
      ${
        c.savings && (cents(c.savings) ?? 0) > 0
          ? html`<p class="lead" data-savings=${c.savings}>
              ${app.t('you_saved')} ${money(app, c.savings)}
            </p>`
          : nothing
      }`,
    html`${button(app.t('done'), () => app.close(), 'soft')}
    ${button(html`${app.t('coupon_enter')} <span class="fk">⏎</span>`, () => app.enter(), 'primary grow')}`,
  );
}

/** A coupon entered: applied with what its promotion saves, or why not yet; removable. */
export function couponRow(
  app: App,
  code: string,
  applied: boolean,
  label: string | null,
): TemplateResult {
  const promo = (app.state.view!.cart.promotions ?? []).find((p) => p.label === label);
  return html`<div
    class="coupon-row ${applied ? 'applied' : 'pending'}"
    data-coupon=${code}
    data-applied=${applied ? 'true' : 'false'}
  >
    <span class="code">${code}</span>
    <span class="state"
      >${applied ? `✓ ${app.t('coupon_applied')}` : app.t('coupon_pending')}${label ? html`<span class="muted"> · ${label}</span>` : nothing}</span
    >
    ${promo ? html`<span class="num">−${money(app, promo.saving)}</span>` : nothing}
    ${button('×', () => app.removeCoupon(code), 'soft close-x')}
  </div>`;
}
