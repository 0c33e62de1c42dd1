/**
 * Heap over many invocations: a runtime that keeps anything per call (a cache keyed by input, a listener
 * per request, a growing secret set) shows as steady growth here.
 */
import type { Call } from './invoke.js';
import { collectGarbage } from './gc.js';

/** Heap after a full GC at checkpoints of a long run of invocations. */
export interface MemoryResult {
  invocations: number;
  concurrency: number;
  /** `heapUsed` after warm-up, bytes. */
  baseline: number;
  /** `heapUsed` after each checkpoint's invocations, bytes. */
  checkpoints: Array<{ invocations: number; heapUsed: number }>;
  /** Final heap minus baseline, bytes (negative when it shrank). */
  growth: number;
  /** Growth over the second half of the run, bytes per invocation: a leak shows as a steady slope. */
  slopePerCall: number;
}

/**
 * Makes `total` calls at `concurrency`, after `warmup` unmeasured ones, and reads the heap after a
 * full GC at `checkpoints` evenly spaced points.
 */
export async function heapOverInvocations(call: Call, total: number, concurrency: number, checkpoints: number, warmup: number): Promise<MemoryResult> {
  await run(call, warmup, concurrency);
  collectGarbage();
  const baseline = process.memoryUsage().heapUsed;
  const points: Array<{ invocations: number; heapUsed: number }> = [];
  let done = 0;
  for (let i = 1; i <= checkpoints; i++) {
    const target = Math.round((total * i) / checkpoints);
    await run(call, target - done, concurrency);
    done = target;
    collectGarbage();
    points.push({ invocations: done, heapUsed: process.memoryUsage().heapUsed });
  }
  const last = points[points.length - 1];
  const middle = points[Math.floor((points.length - 1) / 2)];
  const slopePerCall = last.invocations > middle.invocations ? (last.heapUsed - middle.heapUsed) / (last.invocations - middle.invocations) : 0;
  return { invocations: total, concurrency, baseline, checkpoints: points, growth: last.heapUsed - baseline, slopePerCall };
}

/** Exactly `count` calls, `concurrency` at a time. */
async function run(call: Call, count: number, concurrency: number): Promise<void> {
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
