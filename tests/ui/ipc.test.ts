// The IPC door: Tauri's invoke inside the app, the fake only with ?fake=1, nothing otherwise.

import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import { call, connect, onEvent, toIpcError, useBackend } from '../../ui/src/ipc';

const page = (search: string) => ({ location: { search } }) as unknown as Window;

afterEach(() => {
  clearMocks();
  useBackend(null);
});

describe('connect', () => {
  it('uses invoke inside Tauri', async () => {
    const seen: unknown[] = [];
    mockIPC((cmd, args) => {
      seen.push([cmd, args]);
      return { screen: 'sign_in' };
    });
    expect(await connect(window)).not.toBeNull();
    expect(await call('sign_in', { pin: '1234' })).toEqual({ screen: 'sign_in' });
    expect(seen).toEqual([['sign_in', { pin: '1234' }]]);
  });

  it('sends arguments in snake_case, as the commands declare them', async () => {
    const seen: unknown[] = [];
    mockIPC((_cmd, args) => {
      seen.push(args);
      return {};
    });
    await connect(window);
    await call('add_open_price', { name: 'Sac', price: '2.50', tax_class: 'zero_rated' });
    expect(seen).toEqual([{ name: 'Sac', price: '2.50', tax_class: 'zero_rated' }]);
  });

  it('passes the register’s {code, message} errors through', async () => {
    mockIPC(() => {
      throw { code: 'wrong_pin', message: 'NIP incorrect.' };
    });
    await connect(window);
    await expect(call('sign_in', { pin: '0' })).rejects.toEqual({
      code: 'wrong_pin',
      message: 'NIP incorrect.',
    });
  });

  it('uses the fake only when the page asks for it with ?fake=1', async () => {
    expect(await connect(page(''))).toBeNull();
    expect(await connect(page('?fake=true'))).toBeNull();
    const fake = await connect(page('?fake=1'));
    expect(fake).not.toBeNull();
    expect((await call('view')).store.code).toBe('montreal');
  });

  it('refuses to run a command with no backend', async () => {
    await expect(call('view')).rejects.toMatchObject({ code: 'internal' });
  });
});

describe('onEvent', () => {
  it('inside Tauri, resolves only once the subscription is in place', async () => {
    let subscribed: (id: number) => void = () => {};
    mockIPC((cmd) => {
      if (cmd === 'plugin:event|listen') return new Promise((resolve) => (subscribed = resolve));
      return null;
    });
    await connect(window);
    let done = false;
    const listening = onEvent('terminal-progress', () => {}).then((ok) => (done = ok));
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toBe(false);
    subscribed(1);
    await listening;
    expect(done).toBe(true);
  });

  it('is false without a backend', async () => {
    expect(await onEvent('terminal-progress', () => {})).toBe(false);
  });
});

describe('toIpcError', () => {
  it('keeps the code, and makes anything else internal', () => {
    expect(toIpcError({ code: 'no_shift', message: 'Ouvrez un quart.' })).toEqual({
      code: 'no_shift',
      message: 'Ouvrez un quart.',
    });
    expect(toIpcError('boom')).toEqual({ code: 'internal', message: 'boom' });
    expect(toIpcError({ code: 'cart_empty' })).toEqual({
      code: 'cart_empty',
      message: 'cart_empty',
    });
  });
});
