import { expect } from 'vitest';
import { NaftikoError } from '../../runtime/errors.js';

/** Awaits a call that must fail with a NaftikoError, and returns that error for assertions. */
export async function failure(call: Promise<unknown> | (() => unknown)): Promise<NaftikoError> {
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (error) {
    expect(error).toBeInstanceOf(NaftikoError);
    return error as NaftikoError;
  }
  throw new Error('expected the call to fail');
}
