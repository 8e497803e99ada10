// SKUs of the Montréal demo store's products that the tests ring (see ui/src/fake.ts), and
// the helpers every UI test file uses.

import { PRODUCTS } from '../../ui/src/fake';
import type { IpcError } from '../../ui/src/types';

/** The barcode of a demo product, by SKU. */
export const code = (sku: string) => PRODUCTS.find((p) => p.sku === sku)!.barcode!;

/** The error a command fails with (the test fails if it does not). */
export async function rejects(p: Promise<unknown>): Promise<IpcError> {
  try {
    await p;
  } catch (e) {
    return e as IpcError;
  }
  throw new Error('expected the command to fail');
}

export const CREME = 'M3252920035601'; // Crème entière fluide, 2.59, zero-rated
export const KETCHUP = 'M0041500932156'; // Tomato Ketchup, 4.89, zero-rated
export const CARAMEL = 'M99494858'; // Crème caramel, 4.29, zero-rated
export const RICE = 'M00072806004049'; // Long Grain Enriched Rice, 3.89, zero-rated
export const POUTINE = 'M7540013105413'; // Poutine, 5.79, zero-rated
export const CANTAL = 'M3023260029090'; // Cantal jeune, 6.49, zero-rated
export const FANTA = 'M7542600120960'; // Fanta orange zero, 1.89, taxable
export const IPA = 'M3760029980833'; // French IPA, 4.59, taxable
export const AVON = 'M41473269'; // Avon naturals body care, 5.89, taxable
