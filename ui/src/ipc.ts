//! The one door to the register: `call(command, args)` returns the next `View` or rejects with an
//! `IpcError`. Inside Tauri it is `invoke`; in a browser opened with `?fake=1` it is the in-memory
//! fake of `fake.ts`; anywhere else there is no backend, so a misconfigured app never sells
//! against the fake.

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { CreditBalance, IpcError, Preview, SaleForReturn, View } from './types';

export type Args = Record<string, unknown>;

/** What the UI needs of a backend: commands, and views pushed when a device changes state. */
export interface Backend {
  invoke(command: string, args: Args): Promise<unknown>;
  /** Views the register sends on its own (printer back online, drawer closed). */
  onView(listener: (view: View) => void): void;
  /**
   * Other events the register emits while a command runs (`terminal-progress`); resolves once
   * the listener is in place, so a command sent after it loses none of its events.
   */
  onEvent?(event: string, listener: (payload: unknown) => void): Promise<void> | void;
}

/** The texts the card terminal shows while a payment or a diagnosis runs. */
export const TERMINAL_PROGRESS = 'terminal-progress';

/** The event the backend emits with a fresh `View` when state changes outside a command. */
export const VIEW_EVENT = 'view';

const tauri: Backend = {
  // The commands take their arguments in snake_case, as docs/ipc.md names them.
  invoke: (command, args) => invoke(command, args),
  onView: (listener) => {
    void listen<View>(VIEW_EVENT, (e) => listener(e.payload));
  },
  onEvent: async (event, listener) => {
    await listen<unknown>(event, (e) => listener(e.payload));
  },
};

let backend: Backend | null = null;

/** Picks the backend for this page: Tauri's IPC, the fake when asked for, or none. */
export async function connect(win: Window = window): Promise<Backend | null> {
  if ('__TAURI_INTERNALS__' in win) {
    backend = tauri;
  } else if (new URLSearchParams(win.location.search).get('fake') === '1') {
    const { createFake } = await import('./fake');
    const fake = createFake();
    (win as unknown as { __comptoirFake: unknown }).__comptoirFake = fake;
    backend = fake;
  } else {
    backend = null;
  }
  return backend;
}

/** Uses `b` as the backend (tests). */
export function useBackend(b: Backend | null): void {
  backend = b;
}

/** Runs a command and returns the register's new View. */
export async function call(command: string, args: Args = {}): Promise<View> {
  if (!backend) throw { code: 'internal', message: 'no backend' } satisfies IpcError;
  try {
    return (await backend.invoke(command, args)) as View;
  } catch (e) {
    throw toIpcError(e);
  }
}

/** The printed lines of job `job`, or of the last receipt: `receipt_preview` answers no View. */
export async function preview(job: string | null = null): Promise<Preview> {
  return (await call('receipt_preview', job ? { job } : {})) as unknown as Preview;
}

/** A sale and what is left to return of each line: `find_sale` answers no View. */
export async function findSale(receiptNo: string): Promise<SaleForReturn> {
  return (await call('find_sale', { receipt_no: receiptNo })) as unknown as SaleForReturn;
}

/** What a credit note holds (`store_credit`). */
export async function storeCredit(reference: string): Promise<CreditBalance> {
  return (await call('store_credit', { reference })) as unknown as CreditBalance;
}

/** The receipts of the sales paid with a card reference or made for a customer. */
export async function findSalesBy(query: string): Promise<string[]> {
  return (await call('find_sales_by', { query })) as unknown as string[];
}

/**
 * Listens to an event of the backend (once per listener). Resolves when the listener is in
 * place (Tauri subscribes through IPC of its own): true, or false without a backend or when
 * the subscription failed.
 */
export async function onEvent(
  event: string,
  listener: (payload: unknown) => void,
): Promise<boolean> {
  if (!backend?.onEvent) return false;
  try {
    await backend.onEvent(event, listener);
    return true;
  } catch {
    return false;
  }
}

/** A command that answers something other than a View (the device commands). */
export async function ask<T>(command: string, args: Args = {}): Promise<T> {
  return (await call(command, args)) as unknown as T;
}

/** Whatever a command rejected with, as `{code, message}`. */
export function toIpcError(e: unknown): IpcError {
  if (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string') {
    const message = 'message' in e && typeof e.message === 'string' ? e.message : e.code;
    return { code: e.code, message };
  }
  return { code: 'internal', message: typeof e === 'string' ? e : String(e) };
}
