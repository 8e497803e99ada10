//! The X and Z reports, rendered from `view.report` (shape in docs/ipc.md).

import { html, nothing, type TemplateResult } from 'lit-html';
import type { App } from '../app';
import { cents, showRate } from '../money';
import type { Report } from '../types';
import { time } from './dialogs';
import { button, money } from './widgets';

export function reportDialog(app: App, r: Report): TemplateResult {
  const v = app.state.view!;
  const title =
    r.kind === 'x'
      ? app.t('report_x_title', { n: r.number })
      : app.t('report_z_title', { n: r.number });
  const when = (iso: string) => time(app, iso, true);
  const period = r.closed_at
    ? app.t('report_period', { from: when(r.opened_at), to: when(r.closed_at) })
    : app.t('report_since', { from: when(r.opened_at) });
  const row = (label: string, value: string, cls = '') =>
    html`<div class="rrow ${cls}"><span>${label}</span><span class="num">${value}</span></div>`;
  const diff = r.cash.difference === null ? null : (cents(r.cash.difference) ?? 0);
  const diffLabel =
    diff === null || diff === 0 ? '' : ` (${diff > 0 ? app.t('over') : app.t('short')})`;
  return html`<div class="backdrop">
    <div
      class="dialog report report-${r.kind}"
      role="dialog"
      aria-modal="true"
      aria-label=${title}
      data-dialog="report"
    >
      <header>
        <h2>${title}</h2>
        ${button(html`<span class="fk">⏎</span> ${app.t('dismiss')}`, () => void app.run('dismiss'), 'primary')}
      </header>
      <div class="body">
        <p class="lead">
          ${app.t('report_shift', { n: r.shift, r: v.register.number, cashier: v.cashier?.name ?? '—' })}
        </p>
        <p class="muted">${period}</p>
        ${
          r.unsynced_sales
            ? html`<p class="unsynced" role="status">
                ${app.t('unsynced_sales', { n: r.unsynced_sales })}
              </p>`
            : nothing
        }
        <div class="report-grid">
          <section>
            ${row(app.t('sales_count'), String(r.sales_count))}
            ${row(app.t('voids_count'), String(r.voids))}
            ${row(app.t('no_sales_count'), String(r.no_sales))}
            ${row(app.t('gross'), money(app, r.gross), 'strong')}
            ${
              r.returns_count
                ? html`${row(app.t('report_returns', { n: r.returns_count }), `−${money(app, r.refunds ?? '0')}`)}
                  ${r.refunds_rounding && Number(r.refunds_rounding) !== 0 ? row(app.t('refunds_rounding'), money(app, r.refunds_rounding)) : nothing}`
                : nothing
            }
            ${r.taxes.map((x) => row(`${x.label} ${showRate(x.rate, app.lang)}`, money(app, x.amount)))}
            <h3>${app.t('tenders')}</h3>
            ${r.tenders.map((x) => row(`${x.kind === 'cash' ? app.t('leg_cash') : x.kind === 'card' ? app.t('leg_card') : x.kind === 'store_credit' ? app.t('leg_credit') : x.kind} (${x.count})`, money(app, x.amount)))}
          </section>
          <section class="cash">
            <h3>${app.t('cash_drawer')}</h3>
            ${row(app.t('float'), money(app, r.cash.float))}
            ${row(app.t('cash_sales'), money(app, r.cash.cash_sales))}
            ${row(app.t('paid_in'), money(app, r.cash.paid_in))}
            ${row(app.t('paid_out'), money(app, r.cash.paid_out))}
            ${r.cash.cash_refunds && Number(r.cash.cash_refunds) !== 0 ? row(app.t('cash_refunds'), `−${money(app, r.cash.cash_refunds)}`) : nothing}
            ${row(app.t('expected'), money(app, r.cash.expected), 'strong')}
            ${r.cash.counted !== null ? row(app.t('counted'), money(app, r.cash.counted), 'strong') : nothing}
            ${
              r.cash.difference !== null
                ? row(
                    `${app.t('difference')}${diffLabel}`,
                    money(app, r.cash.difference),
                    `strong diff ${diff === 0 ? 'even' : 'off'}`,
                  )
                : nothing
            }
          </section>
        </div>
      </div>
    </div>
  </div>`;
}
