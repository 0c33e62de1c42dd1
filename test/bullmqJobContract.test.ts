/**
 * The job format as a contract, without Redis: what a job's data must hold, and how a stored failure
 * reads back as an error with the code the worker saw.
 */
import { describe, expect, test } from 'vitest';
import { JobFailedError, jobFailedError, readJobData } from '../runtime/bullmq/index.js';
import { failure } from './support/failure.js';

describe('job data', () => {
  test('operation, inputs, idempotencyKey, all, maxPages and wait are read; other keys are the producer’s own and left alone', () => {
    expect(readJobData({ operation: 'create-order', inputs: { sku: 'a' }, idempotencyKey: 'k', traceId: 't-1' })).toEqual({ operation: 'create-order', inputs: { sku: 'a' }, idempotencyKey: 'k' });
    expect(readJobData({ operation: 'get-order' })).toEqual({ operation: 'get-order', inputs: {} });
    expect(readJobData({ operation: 'get-order', inputs: null })).toEqual({ operation: 'get-order', inputs: {} });
    expect(readJobData({ operation: 'list-orders', all: true, maxPages: 3 })).toEqual({ operation: 'list-orders', inputs: {}, all: true, maxPages: 3 });
    expect(readJobData({ operation: 'export-orders', wait: true, all: false })).toEqual({ operation: 'export-orders', inputs: {}, wait: true });
  });

  test('anything else is INPUT_INVALID, saying what is wrong and what is expected', async () => {
    const cases: Array<[unknown, string]> = [
      [null, 'job data is null, not an object'],
      [['create-order'], 'job data is an array, not an object'],
      ['create-order', 'job data is string, not an object'],
      [{ operation: '' }, "job data needs 'operation', a non-empty string"],
      [{ operation: 'x', inputs: 'sku=a' }, "job data 'inputs' must be an object"],
      [{ operation: 'x', idempotencyKey: 42 }, "job data 'idempotencyKey' must be a non-empty string"],
      [{ operation: 'x', all: 'yes' }, "job data 'all' must be true or false"],
      [{ operation: 'x', all: true, maxPages: 0 }, "job data 'maxPages' must be a whole number of at least 1"],
      [{ operation: 'x', maxPages: 3 }, "job data 'maxPages' needs 'all'"],
      [{ operation: 'x', all: true, wait: true }, "job data cannot have both 'all' and 'wait'"],
    ];
    for (const [data, message] of cases) {
      const error = await failure(() => readJobData(data));
      expect(error.code).toBe('INPUT_INVALID');
      expect(error.message).toBe(`${message}; expected { operation, inputs?, idempotencyKey?, all?, maxPages?, wait? }`);
    }
  });
});

describe('failed jobs read back', () => {
  const job = (failedReason: string) => ({ id: '12', failedReason, attemptsMade: 3, data: { operation: 'orders.create-order' } });

  test("a naftiko worker's failedReason gives back its code", () => {
    const error = jobFailedError('orders', job('HTTP_ERROR: orders.create-order: POST http://api/orders answered 503'));
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error.toJSON()).toMatchObject({
      name: 'JobFailedError',
      code: 'HTTP_ERROR',
      retryable: false,
      operation: 'orders.create-order',
      message: 'job 12 failed after 3 attempts: orders.create-order: POST http://api/orders answered 503',
      jobId: '12',
      queue: 'orders',
      attemptsMade: 3,
    });
  });

  test('any other failure, or a prefix that is no error code, is ASYNC_FAILED', () => {
    for (const reason of ['job stalled more than allowable limit', 'ERR: something else', '']) {
      const error = jobFailedError('orders', job(reason));
      expect(error.code).toBe('ASYNC_FAILED');
      expect(error.message).toBe(`job 12 failed after 3 attempts: ${reason}`);
    }
  });
});
