//! The device setup screen (a manager's, F11 7) and the card terminal's payment dialog (F9 when
//! a terminal is set), and the sale screen's banner for a card payment whose outcome is unknown.

import { html, nothing, type TemplateResult } from 'lit-html';
import { live } from 'lit-html/directives/live.js';
import type { App } from '../app';
import {
  CHECKS,
  recover,
  recoverFromBanner,
  runCheck,
  saveSetting,
  settingValue,
  useAsPrinter,
  abort,
  type CardDialog,
  type Check,
  type DevicesDialog,
} from '../devices';
import { known, type Key } from '../i18n';
import type { SettingView } from '../types';
import { frame, paper } from './dialogs';
import { amountPad, button, errorBox, field, money } from './widgets';

const CHECK_LABEL: Record<Check, Key> = {
  test_page: 'devices_test_page',
  drawer: 'devices_drawer',
  scan: 'devices_scan',
  scale: 'devices_scale',
  diagnosis: 'devices_diagnosis',
  status: 'devices_terminal_status',
  end_of_day: 'devices_end_of_day',
};

const WAITING: Partial<Record<Check, Key>> = {
  scan: 'devices_waiting_scan',
  scale: 'devices_waiting_scale',
  diagnosis: 'devices_waiting_terminal',
  status: 'devices_waiting_status',
  end_of_day: 'devices_waiting_end_of_day',
};

export function devicesDialog(app: App, d: DevicesDialog): TemplateResult {
  const setup = d.setup;
  return frame(
    app,
    'devices',
    app.t('devices_title'),
    setup
      ? html`<p class="muted hint-line">${app.t('devices_hint')}</p>
          <div class="devices-grid">
            <section class="stack devices-left">${checks(app, d)} ${plugged(app, d)}</section>
            <section class="stack devices-settings" aria-label=${app.t('devices_settings')}>
              <h3>${app.t('devices_settings')}</h3>
              ${setup.settings.map((s, i) => setting(app, d, s, i === 0))}
            </section>
          </div>`
      : html`${errorBox(app)}
          <p class="lead">${app.t('devices_loading')}</p>`,
  );
}

function checks(app: App, d: DevicesDialog): TemplateResult {
  const busy = d.busy;
  return html`<h3>${app.t('devices_checks')}</h3>
    <div class="device-checks">
      ${CHECKS.map((c, i) =>
        button(
          html`<span class="fk">F${i + 1}</span> ${app.t(CHECK_LABEL[c])}`,
          () => void runCheck(app, d, c),
          `check-${c} ${busy === c ? 'busy' : ''}`,
          busy !== null,
        ),
      )}
    </div>
    ${
      d.confirm
        ? html`<div class="banner warn" role="alert" data-confirm=${d.confirm}>
            <span class="msg">${app.t('devices_end_of_day_confirm')}</span>
            ${button(
              app.t('devices_end_of_day_run'),
              () => void runCheck(app, d, d.confirm!),
              'primary confirm',
            )}
          </div>`
        : nothing
    }
    ${
      busy
        ? html`<div class="banner info" role="status" data-busy=${busy}>
            <span class="msg">${app.t(WAITING[busy as Check] ?? 'devices_waiting')}</span>
          </div>`
        : nothing
    }
    ${
      d.progress.length
        ? html`<ul class="terminal-texts">
            ${d.progress.map((p) => html`<li>${p}</li>`)}
          </ul>`
        : nothing
    }
    ${errorBox(app)}
    ${
      d.check
        ? html`<div class="check-result" data-check=${d.check.title}>
            <strong>${d.check.title}</strong>
            ${d.check.lines.map((l) => html`<div class="check-line">${l}</div>`)}
          </div>`
        : nothing
    }
    ${
      d.page
        ? html`<div class="test-preview" data-job=${d.page.page.job}>
            <strong>${app.t('devices_preview')}</strong>
            ${paper(d.page.preview.lines)}
          </div>`
        : nothing
    }`;
}

function plugged(app: App, d: DevicesDialog): TemplateResult {
  const p = d.setup!.plugged;
  const ids = (v: string | null, pr: string | null) => (v && pr ? `${v}:${pr}` : '');
  const names = (...n: (string | null)[]) => n.filter((x) => x).join(' — ');
  return html`<h3>${app.t('devices_plugged')}</h3>
    ${p.problems.map((x) => html`<div class="banner warn" role="status">${x}</div>`)}
    <h4>${app.t('devices_serial')}</h4>
    ${
      p.serial_ports.length
        ? html`<ul class="plugged serial">
            ${p.serial_ports.map(
              (s) =>
                html`<li>
                  <code>${s.path}</code> <span class="ids">${ids(s.vendor_id, s.product_id)}</span>
                  <span class="muted">${names(s.manufacturer, s.product, s.serial_number)}</span>
                </li>`,
            )}
          </ul>`
        : html`<p class="muted">${app.t('devices_no_serial')}</p>`
    }
    <h4>${app.t('devices_usb')}</h4>
    ${
      p.usb.length
        ? html`<ul class="plugged usb">
            ${p.usb.map(
              (u) =>
                html`<li>
                  <span class="ids">${u.vendor_id}:${u.product_id}</span>
                  <span class="muted">${names(u.manufacturer, u.product, u.serial_number)}</span>
                  ${
                    u.printer_setting
                      ? button(
                          app.t('devices_use_printer'),
                          () => void useAsPrinter(app, d, u.printer_setting!),
                          'primary use-printer',
                        )
                      : nothing
                  }
                </li>`,
            )}
          </ul>`
        : html`<p class="muted">${app.t('devices_no_usb')}</p>`
    }`;
}

/**
 * A setting's label in the cashier's language; a setting the UI has no words for yet (the
 * register lists every setting it takes, and gains some before the UI does) is named from its
 * key: `printer.auto_status` is "Printer: auto status".
 */
export function settingLabel(app: App, key: string): string {
  const word = `devices_setting_${key.replace(/\./g, '_')}`;
  if (known(word)) return app.t(word);
  const [first = '', ...rest] = key.split('.').map((part) => part.replace(/_/g, ' '));
  return [first.charAt(0).toUpperCase() + first.slice(1), ...rest].join(': ');
}

/** What the setting is for, when the UI says it, then its default. */
function settingHint(app: App, s: SettingView): string {
  const about = `devices_about_${s.key.replace(/\./g, '_')}`;
  const fallback = s.default
    ? app.t('devices_default', { value: s.default })
    : app.t('devices_default_none');
  return known(about) ? `${app.t(about)} ${fallback}` : fallback;
}

function setting(app: App, d: DevicesDialog, s: SettingView, first: boolean): TemplateResult {
  const name = `setting-${s.key}`;
  const error = d.errors[s.key];
  const value = settingValue(d, s.key);
  const onInput = (v: string) => {
    d.edits[s.key] = v;
    if (d.saved === s.key) d.saved = null;
    app.paint();
  };
  const profiles = d.setup!.plugged.profiles;
  const input =
    s.key === 'printer.profile' && profiles.length
      ? html`<label class="field">
          <span class="label">${settingLabel(app, s.key)}</span>
          <select
            name=${name}
            data-field=${name}
            .value=${live(value)}
            @change=${(e: Event) => onInput((e.target as HTMLSelectElement).value)}
          >
            ${profiles.map((p) => html`<option value=${p} ?selected=${p === value}>${p}</option>`)}
          </select>
        </label>`
      : field({
          name,
          label: settingLabel(app, s.key),
          value,
          type: s.secret ? 'password' : 'text',
          autofocus: first,
          placeholder: s.secret ? '' : s.default,
          hint: s.secret
            ? app.t(s.saved ? 'devices_secret_set' : 'devices_secret_unset')
            : settingHint(app, s),
          onInput,
        });
  return html`<div
    class="setting ${error ? 'refused' : ''} ${d.saved === s.key ? 'saved' : ''}"
    data-setting=${s.key}
  >
    <div class="setting-row">
      ${input} ${button(app.t('devices_save'), () => void saveSetting(app, d, s.key), 'save')}
    </div>
    ${
      error
        ? html`<div class="banner error" role="alert" data-code=${error.code}>
            ${error.message}
          </div>`
        : nothing
    }
    ${
      d.saved === s.key
        ? html`<div class="saved-note" role="status">✓ ${app.t('devices_saved')}</div>`
        : nothing
    }
  </div>`;
}

// The card terminal.

export function cardDialog(app: App, d: CardDialog): TemplateResult {
  const closable = d.phase !== 'running' && d.phase !== 'pending';
  const texts = d.progress.length
    ? html`<ul class="terminal-texts" aria-live="polite">
        ${d.progress.map((p) => html`<li>${p}</li>`)}
      </ul>`
    : nothing;
  let body: TemplateResult;
  let actions: TemplateResult | typeof nothing = nothing;
  switch (d.phase) {
    case 'entry':
      body = html`<div class="split">
        <div class="stack">
          <p class="lead">${app.t('card_hint')}</p>
          ${field({
            name: 'amount',
            label: app.t('card_amount'),
            value: d.amount,
            mode: 'decimal',
            autofocus: true,
            big: true,
            onInput: (v) => {
              d.amount = v;
              app.paint();
            },
          })}
          ${errorBox(app)}
        </div>
        ${amountPad(app)}
      </div>`;
      actions = button(
        html`${app.t('card_send')} <span class="fk">⏎</span>`,
        () => app.enter(),
        'primary grow send',
      );
      break;
    case 'running':
      body = html`<div class="stack">
        <p class="lead" role="status">${app.t('card_running')}</p>
        ${texts}
      </div>`;
      actions = button(
        html`<span class="fk">${app.t('esc')}</span> ${app.t('card_abort')}`,
        () => void abort(app, d),
        'danger grow abort',
      );
      break;
    case 'declined':
      body = html`<div class="stack">
        <div class="banner error" role="alert" data-code=${d.failure?.code ?? ''}>
          <div class="said">
            <span class="what">${app.t('card_declined_title')}</span>
            <span class="detail">${d.failure?.message ?? ''}</span>
          </div>
        </div>
        <p class="lead">${app.t('card_declined_hint')}</p>
        ${texts}
      </div>`;
      actions = button(
        html`${app.t('card_send')} <span class="fk">⏎</span>`,
        () => app.enter(),
        'primary grow retry',
      );
      break;
    case 'pending':
      body = html`<div class="stack">
        <div
          class="banner warn"
          role="alert"
          data-code=${d.failure?.code ?? 'card_payment_pending'}
        >
          <div class="said">
            <span class="what">${app.t('card_pending_title')}</span>
            <span class="detail">${d.failure?.message ?? ''}</span>
          </div>
        </div>
        <p class="lead">${app.t('card_pending_hint')}</p>
        ${recovered(app, d)} ${texts}
      </div>`;
      actions = html`${button(app.t('card_close'), () => app.close(), 'soft')}
      ${button(
        html`${app.t('card_ask_terminal')} <span class="fk">⏎</span>`,
        () => void recover(app, d),
        'primary grow ask-terminal',
      )}`;
      break;
    case 'recovered':
      body = html`<div class="stack">
        ${
          d.recovered?.length
            ? recovered(app, d)
            : html`<p class="lead">${app.t('card_nothing_unsettled')}</p>`
        }
        ${texts}
      </div>`;
      actions = button(
        html`${app.t('card_close')} <span class="fk">⏎</span>`,
        () => app.close(),
        'primary grow',
      );
      break;
  }
  return frame(app, 'card', app.t('card_title'), body, actions, closable);
}

function recovered(app: App, d: CardDialog): TemplateResult | typeof nothing {
  if (!d.recovered?.length) return nothing;
  return html`<div class="check-result recovered">
    <strong>${app.t('card_recovered_title')}</strong>
    ${d.recovered.map(
      (r) =>
        html`<div class="check-line" data-outcome=${r.outcome}>
          ${app.t(`card_outcome_${r.outcome}` as Key, { amount: money(app, r.amount) })}
        </div>`,
    )}
  </div>`;
}

/** On the sale screen: a card payment's outcome is unknown; the terminal is asked from here. */
export function cardBanner(app: App): TemplateResult | typeof nothing {
  const unsettled = app.card?.unsettled ?? [];
  if (!unsettled.length || app.state.dialog?.kind === 'card') return nothing;
  const amount = unsettled.map((u) => money(app, u.amount)).join(', ');
  return html`<div class="banner warn card-unsettled" role="alert" data-code="card_payment_pending">
    <span class="msg">${app.t('card_unsettled', { amount })}</span>
    ${button(app.t('card_ask_terminal'), () => recoverFromBanner(app), 'primary ask-terminal')}
  </div>`;
}
