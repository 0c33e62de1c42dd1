/**
 * An asynchronous job API for a recording server (test/support/recordingServer.ts), shaped like
 * Vitable's member sync: `POST /groups/{group}/jobs` answers 202 with `{ data: { request_id } }`;
 * `GET /groups/{group}/jobs/{id}` answers `{ data: { status, completed_at, error, results } }`, with
 * `completed_at` null while the job runs.
 */
import type { Handler } from './recordingServer.js';

/** How jobs end; change it between tests. */
export interface JobScript {
  /** Polls that find the job running before it ends (default 2). */
  runningPolls: number;
  /** How it ends: done with results, failed with this error, or never. */
  outcome: { done: string[] } | { error: unknown } | 'never';
  /** A Retry-After header on running polls, in seconds. */
  retryAfter?: string;
  /** The id prefix of submitted jobs (ids are `<prefix>1`, `<prefix>2`…). */
  prefix: string;
}

/** The handler and the script it follows. */
export function jobApi(script: Partial<JobScript> = {}): { handler: Handler; script: JobScript } {
  const state: JobScript = { runningPolls: 2, outcome: { done: ['m-1'] }, prefix: 'grpmsr_', ...script };
  const polls = new Map<string, number>();
  let submitted = 0;
  const handler: Handler = (request) => {
    const submit = /^\/groups\/([^/]+)\/jobs$/.exec(request.url);
    if (submit && request.method === 'POST') {
      const id = `${state.prefix}${++submitted}`;
      polls.set(id, 0);
      return { status: 202, body: { data: { request_id: id, group_id: decodeURIComponent(submit[1]), accepted_at: '2026-11-23T10:00:00Z' } } };
    }
    const poll = /^\/groups\/([^/]+)\/jobs\/([^/?]+)$/.exec(request.url);
    if (poll && request.method === 'GET') {
      const id = decodeURIComponent(poll[2]).replace(/^job-/, '');
      const seen = polls.get(id);
      if (seen === undefined) return { status: 404, body: { detail: `no job ${id}` } };
      polls.set(id, seen + 1);
      const running = state.outcome === 'never' || seen < state.runningPolls;
      const base = { request_id: id, group_id: decodeURIComponent(poll[1]), accepted_at: '2026-11-23T10:00:00Z' };
      if (running) {
        return { body: { data: { ...base, status: 'running', completed_at: null, error: null, results: null } }, ...(state.retryAfter ? { headers: { 'retry-after': state.retryAfter } } : {}) };
      }
      const outcome = state.outcome as { done: string[] } | { error: unknown };
      if ('error' in outcome) return { body: { data: { ...base, status: 'failed', completed_at: null, error: outcome.error, results: null } } };
      return { body: { data: { ...base, status: 'done', completed_at: '2026-11-23T10:00:42Z', error: null, results: { added: outcome.done } } } };
    }
    return { status: 404, body: { detail: 'Not Found' } };
  };
  return { handler, script: state };
}
