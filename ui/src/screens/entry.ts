//! Sign-in and lock (a PIN pad), and opening a shift (the counted float).

import { html, nothing, type TemplateResult } from 'lit-html';
import type { App } from '../app';
import { entryAmount } from '../money';
import { amountPad, button, errorBox, field, pinPad } from './widgets';

export function signIn(app: App): TemplateResult {
  const v = app.state.view!;
  const locked = v.screen === 'locked';
  const lockedOut = app.state.error?.code === 'locked_out';
  return html`<section class="entry-screen">
    <div class="card entry-card">
      <h1>${locked ? app.t('locked_title') : app.t('sign_in_title')}</h1>
      ${
        locked
          ? html`<p class="lead">
              ${v.locked_by ? app.t('locked_by', { name: v.locked_by }) : app.t('locked_hint')}
            </p>`
          : nothing
      }
      ${
        lockedOut
          ? html`<div class="banner error lockout" role="alert" data-code="locked_out">
              <strong>${app.t('locked_out')}</strong><span>${app.state.error!.message}</span>
            </div>`
          : errorBox(app)
      }
      ${field({
        name: 'pin',
        label: app.t('pin'),
        value: app.state.entry,
        type: 'password',
        mode: 'numeric',
        autofocus: true,
        big: true,
        hint: app.t('pin_hint'),
        onInput: (s) => app.entryInput(s.replace(/\D/g, '')),
      })}
    </div>
    <div class="entry-pad">
      ${pinPad(app)} ${button(app.t('sign_in'), () => app.enter(), 'primary huge', lockedOut)}
    </div>
  </section>`;
}

export function openShift(app: App): TemplateResult {
  const v = app.state.view!;
  return html`<section class="entry-screen">
    <div class="card entry-card">
      <h1>${app.t('open_shift_title')}</h1>
      <p class="lead">
        ${v.cashier?.name ?? ''} · ${app.t('register_no', { n: v.register.number })}
      </p>
      <p>${app.t('open_shift_hint')}</p>
      ${errorBox(app)}
      ${field({
        name: 'float',
        label: app.t('float'),
        value: app.state.entry,
        mode: 'decimal',
        autofocus: true,
        big: true,
        placeholder: entryAmount('0.00', app.lang),
        onInput: (s) => app.entryInput(s),
      })}
    </div>
    <div class="entry-pad">
      ${amountPad(app)} ${button(app.t('open_shift'), () => app.enter(), 'primary huge')}
      ${button(html`<span class="fk">F12</span> ${app.t('lock')}`, () => void app.run('lock'), 'soft')}
    </div>
  </section>`;
}
