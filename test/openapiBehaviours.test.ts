/**
 * An OpenAPI document with every pagination style the import maps, a 202 job polled through an OpenAPI
 * link and OAuth2 client credentials, imported and run against real local servers: the paged and job
 * stand-ins behind one address, and an authorization server that issues and checks tokens.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { AsyncJobError } from '../runtime/errors.js';
import { createRuntime, type Runtime } from '../runtime/index.js';
import { failure } from './support/failure.js';
import { fixture, importCapability, type Imported } from './support/importCapability.js';
import { jobApi, type JobScript } from './support/jobApi.js';
import { startOAuthServer, type OAuthServer } from './support/oauthServer.js';
import { pagedApi } from './support/pagedApi.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';

const CLIENT_ID = 'jobs-app';
const CLIENT_SECRET = 'jobs-s3cret';
const ENV = { JOBS_API_CLIENT_ID: CLIENT_ID, JOBS_API_CLIENT_SECRET: CLIENT_SECRET };
const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ id: from + i }));

let oauth: OAuthServer;
let api: RecordingServer;
let script: JobScript;
let jobs: Imported;
const runtimes: Runtime[] = [];

/** A runtime of its own (one token cache), against the stand-ins unless told otherwise. */
function runtime(baseUri = api.url): Runtime {
  const created = createRuntime(jobs.capability, { env: ENV, baseUri, retry: { limit: 0 } });
  runtimes.push(created);
  return created;
}

beforeAll(async () => {
  oauth = await startOAuthServer({ [CLIENT_ID]: CLIENT_SECRET });
  api = await startRecordingServer();
  // The document's token URL is the authorization server's; the API is the stand-ins, whatever the base URI.
  const folder = mkdtempSync(join(tmpdir(), 'naftiko-openapi-behaviours-'));
  const file = join(folder, 'jobs.yaml');
  writeFileSync(file, readFileSync(fixture('openapi/pagination-async.yaml'), 'utf8').replace('https://auth.jobs.example.com/oauth/token', `${oauth.url}/oauth/token`));
  jobs = await importCapability(file);
});
afterAll(async () => {
  for (const r of runtimes) r.close();
  await Promise.all([oauth.close(), api.close()]);
});
beforeEach(() => {
  oauth.reset();
  api.requests.length = 0;
  const paged = pagedApi({ total: 25 });
  const job = jobApi();
  script = job.script;
  api.handler = (request) => (request.url.startsWith('/groups/') ? job.handler(request) : paged(request));
});

async function all(run: Runtime, operation: string, inputs: Record<string, unknown> = {}): Promise<unknown[]> {
  const records: unknown[] = [];
  for await (const record of run.items(operation, inputs)) records.push(record);
  return records;
}

test('the imported file validates without warnings', () => {
  expect(jobs.diagnostics).toEqual([]);
});

describe('runtime.items walks every page of each style the import maps', () => {
  test.each([
    ['listByOffset', ['/offset?offset=0&limit=10', '/offset?offset=10&limit=10', '/offset?offset=20&limit=10']],
    ['listByPage', ['/page?page=1&limit=10', '/page?page=2&limit=10', '/page?page=3&limit=10']],
    ['listByCursor', ['/cursor?limit=10', '/cursor?starting_after=10&limit=10', '/cursor?starting_after=20&limit=10']],
    ['listByLink', ['/link?per_page=10', '/link?page=2&per_page=10', '/link?page=3&per_page=10']],
  ])('%s', async (operation, urls) => {
    expect(await all(runtime(), operation)).toEqual(ids(1, 25));
    expect(api.requests.map((r) => r.url)).toEqual(urls);
  });

  test('listByNextUrl follows the next URL in the body', async () => {
    expect(await all(runtime(), 'listByNextUrl')).toEqual(ids(1, 25));
    expect(api.requests.map((r) => r.url)).toEqual(['/link-body', '/link-body?page=2', '/link-body?page=3']);
  });
});

describe('invoke with wait: true submits the job and polls its status operation', () => {
  test('until the x-speakeasy-polling success criteria hold', async () => {
    const outputs = (await runtime().invoke('submitJob', { group_id: 'grp-1', body: { members: [] } }, { wait: true })) as { result: { data: Record<string, unknown> } };
    expect(outputs.result.data).toMatchObject({ request_id: 'grpmsr_1', status: 'done', results: { added: ['m-1'] } });
    expect(api.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /groups/grp-1/jobs', 'GET /groups/grp-1/jobs/grpmsr_1', 'GET /groups/grp-1/jobs/grpmsr_1', 'GET /groups/grp-1/jobs/grpmsr_1']);
  });

  test('a job the failure criteria match throws ASYNC_FAILED', async () => {
    script.outcome = { error: { code: 'invalid_plan' } };
    const error = await failure(runtime().invoke('submitJob', { group_id: 'grp-1', body: {} }, { wait: true }));
    expect(error).toBeInstanceOf(AsyncJobError);
    expect(error.code).toBe('ASYNC_FAILED');
    expect(error.toJSON()).toMatchObject({ reason: 'failed' });
  });
});

describe('OAuth2 client credentials', () => {
  test('one token request per runtime; its token on every page and every poll', async () => {
    const run = runtime();
    await all(run, 'listByOffset');
    await run.invoke('submitJob', { group_id: 'grp-1', body: {} }, { wait: true });
    expect(oauth.tokenRequests).toHaveLength(1);
    const [request] = oauth.tokenRequests;
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({ grant_type: 'client_credentials', scope: 'jobs:read' });
    expect(api.requests).toHaveLength(7);
    expect(new Set(api.requests.map((r) => r.headers.authorization))).toEqual(new Set(['Bearer tok-1']));
  });

  test('the API that checks tokens accepts it', async () => {
    expect(await runtime(oauth.url).invoke('whoAmI')).toEqual({ result: { path: '/me', grant: 1, scope: 'jobs:read' } });
    expect(oauth.apiRequests.map((r) => r.status)).toEqual([200]);
  });
});
