//! The whole page: the status bar, the printer banner, the current screen and any dialog over it.

import { html, nothing, type TemplateResult } from 'lit-html';
import type { App } from '../app';
import type { Key } from '../i18n';
import { dialog } from './dialogs';
import { cardBanner } from './devices';
import { openShift, signIn } from './entry';
import { reportDialog } from './report';
import { sale } from './sale';
import { button, keepFocus } from './widgets';

export function page(app: App): TemplateResult {
  const v = app.state.view;
  if (app.state.offline) {
    return html`<div class="app">
      <main class="centered">
        <div class="card">
          <h1>${app.t('not_connected_title')}</h1>
          <p>${app.t('not_connected_body')}</p>
        </div>
      </main>
    </div>`;
  }
  const blocked = app.blocked;
  if (blocked) {
    const hint = blocked.code === 'already_running' ? 'already_open_hint' : 'start_failed_hint';
    return html`<div class="app" lang=${app.lang}>
      <main class="centered">
        <div class="card blocked" role="alert" data-code=${blocked.code}>
          <p class="blocked-message">${blocked.message}</p>
          <p class="lead">${app.t(hint)}</p>
          ${button(app.t('retry'), () => void app.start(), 'primary huge retry')}
        </div>
      </main>
    </div>`;
  }
  if (!v)
    return html`<div class="app">
      <main class="centered"><p>${app.t('starting')}</p></main>
    </div>`;
  const screen =
    v.screen === 'sign_in' || v.screen === 'locked'
      ? signIn(app)
      : v.screen === 'open_shift'
        ? openShift(app)
        : sale(app);
  const overlay = v.report
    ? reportDialog(app, v.report)
    : app.state.dialog
      ? dialog(app, app.state.dialog)
      : nothing;
  return html`<div class="app screen-${v.screen}" lang=${v.store.lang}>
    ${statusBar(app)} ${printerBanner(app)}
    ${v.screen === 'sale' || v.screen === 'tender' ? cardBanner(app) : nothing}
    <main>${screen}</main>
    ${overlay}
  </div>`;
}

/** Always visible: store, register, cashier, shift, printer, drawer, language. F12 Lock is on each screen. */
function statusBar(app: App): TemplateResult {
  const v = app.state.view!;
  const printer = v.printer.state;
  const printerKey = `printer_${printer}` as Key;
  const drawerKey = `drawer_${v.drawer.state}` as Key;
  const next = app.nextLanguage();
  return html`<header class="status">
    <span class="store"
      ><strong>${v.store.name}</strong
      ><span class="muted">${app.t('register_no', { n: v.register.number })}</span></span
    >
    ${v.cashier ? html`<span class="who">${v.cashier.name}</span>` : nothing}
    <span class="shift"
      >${v.shift ? app.t('shift_no', { n: v.shift.number }) : app.t('no_shift')}</span
    >
    <span class="pill printer ${printer === 'ok' ? 'ok' : 'bad'}" data-state=${printer}
      >${app.t(printerKey)}</span
    >
    <span
      class="pill drawer ${v.drawer.state === 'open' ? 'warn' : v.drawer.state === 'closed' ? 'ok' : 'plain'}"
      data-state=${v.drawer.state}
      >${app.t(drawerKey)}</span
    >
    ${syncPill(app)}
    <span class="spacer"></span>
    ${
      next
        ? html`<button
            type="button"
            tabindex="-1"
            class="btn lang"
            title=${app.t('lang_toggle_label')}
            @pointerdown=${keepFocus}
            @mousedown=${keepFocus}
            @click=${() => app.setLanguage()}
          >
            ${next.toUpperCase()}
          </button>`
        : nothing
    }
  </header>`;
}

/**
 * The link to the central server: green once synced, amber while offline with what waits
 * (selling goes on), red when the server refused the register (IT must act). Its title says
 * when the last sync succeeded.
 */
function syncPill(app: App): TemplateResult | typeof nothing {
  const s = app.state.view!.sync;
  if (!s) return nothing;
  const tone =
    s.state === 'online'
      ? 'ok'
      : s.state === 'refused'
        ? 'bad'
        : s.state === 'offline'
          ? 'warn'
          : 'plain';
  const waiting = s.state === 'online' && s.pending > 0 ? ` · ${s.pending}` : '';
  const title = [
    s.last_success_at ? app.t('sync_last', { t: s.last_success_at }) : app.t('sync_never'),
    s.last_error?.message ?? '',
  ]
    .filter(Boolean)
    .join('\n');
  const skew = s.clock_skew_seconds;
  const clock = skew
    ? html`<span class="pill clock warn" role="status"
        >${app.t('clock_off', { d: offBy(Math.abs(skew), app.lang) })}</span
      >`
    : nothing;
  return html`<span class="pill sync ${tone}" data-state=${s.state} title=${title}
      >${app.t(`sync_${s.state}` as Key, { n: s.pending })}${waiting}</span
    >${clock}`;
}

/** A clock offset in words: `3 j` / `3 d`, `2 h`, `12 min`. */
function offBy(seconds: number, lang: string): string {
  if (seconds >= 86_400) return `${Math.round(seconds / 86_400)} ${lang === 'fr' ? 'j' : 'd'}`;
  if (seconds >= 3_600) return `${Math.round(seconds / 3_600)} h`;
  return `${Math.round(seconds / 60)} min`;
}

/** Red, under the status bar, while the printer is not ready or receipts wait for it. */
function printerBanner(app: App): TemplateResult | typeof nothing {
  const p = app.state.view!.printer;
  if (p.state === 'ok' && p.pending_jobs === 0) return nothing;
  const message = p.message || app.t(`printer_${p.state}` as Key);
  return html`<div class="printer-banner" role="alert">
    <span class="msg">${message}</span>
    ${p.pending_jobs > 0 ? html`<span class="pending">${app.t('pending_jobs', { n: p.pending_jobs })}</span>` : nothing}
    ${button(app.t('reprint'), () => void app.run('reprint_last'), 'on-red')}
  </div>`;
}
