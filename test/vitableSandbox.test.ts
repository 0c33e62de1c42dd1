/**
 * The shipped Vitable capability against the local Vitable stand-in: every group through the declared
 * page/limit pagination, and a member sync submitted and waited for through the declared `async` job.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntime, loadCapability, type Runtime } from '../runtime/index.js';
import { SANDBOX_VITABLE_KEY, startVitableSandbox, type VitableSandbox } from '../sandbox/vitable.js';
import { failure } from './support/failure.js';
import { naftiko } from './support/cli.js';

const FILE = new URL('../capabilities/vitable-groups.yaml', import.meta.url);
let sandbox: VitableSandbox;
let runtime: Runtime;

const member = (reference_id: string, plan_id: string) => ({
  reference_id,
  plan_id,
  first_name: 'Jane',
  last_name: 'Doe',
  date_of_birth: '1990-05-15',
  phone: '4155550100',
  address: { address_line_1: '123 Main Street', city: 'San Francisco', state: 'CA', zipcode: '94102' },
});

beforeAll(async () => {
  sandbox = await startVitableSandbox({ seedGroups: 7, syncMs: 50 });
  runtime = createRuntime(await loadCapability(FILE), { env: { VITABLE_CONNECT_API_KEY: SANDBOX_VITABLE_KEY }, baseUri: sandbox.url });
});
afterAll(async () => {
  runtime.close();
  await sandbox.close();
});

describe('list-groups is paginated', () => {
  test('items() reads every group, page by page, and stops at total', async () => {
    sandbox.requests.length = 0;
    const names: unknown[] = [];
    for await (const group of runtime.items('list-groups', { limit: 3 })) names.push((group as { name: string }).name);
    expect(names).toEqual(['Tier 1', 'Tier 2', 'Tier 3', 'Tier 4', 'Tier 5', 'Tier 6', 'Tier 7']);
    expect(sandbox.requests.map((r) => r.path)).toEqual(['/v1/groups?page=1&limit=3', '/v1/groups?page=2&limit=3', '/v1/groups?page=3&limit=3']);
  });

  test('a page of exactly `total` records is the last: no empty page is asked for', async () => {
    sandbox.requests.length = 0;
    const page = await runtime.invokePage('list-groups', { limit: 7 });
    expect(page.items).toHaveLength(7);
    expect(page.nextPageToken).toBeNull();
    expect(page.outputs).toMatchObject({ page: 1, limit: 7, total: 7, total_pages: 1 });
  });

  test('naftiko run list-groups --all writes one group per line', async () => {
    const result = await naftiko(['run', FILE.pathname, 'list-groups', 'limit=2', '--all', '--base-uri', sandbox.url], { VITABLE_CONNECT_API_KEY: SANDBOX_VITABLE_KEY });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line).name)).toHaveLength(7);
  });
});

describe('submit-member-sync is an asynchronous job', () => {
  test('invoke with wait submits, polls until completed_at is set, and returns the results', async () => {
    const group = await runtime.invoke('create-group', { name: 'Sync tier', external_reference_id: 'sync_1' });
    const outputs = await runtime.invoke('submit-member-sync', { group_id: group.id, body: { members: [member('EMP-001', 'pln_1'), member('EMP-002', 'gold')] } }, { wait: true });
    expect(outputs).toMatchObject({ request_id: expect.stringMatching(/^grpmsr_/), group_id: group.id, completed_at: expect.any(String) });
    expect(outputs.added_group_member_ids).toHaveLength(1);
    expect(outputs.failures).toEqual([{ reference_id: 'EMP-002', operation: 'add', reason: 'Invalid plan_id' }]);
  });

  test('start and poll: the group id is passed on to the poll by name, and the stand-in asks to wait a second', async () => {
    const group = await runtime.invoke('create-group', { name: 'Later tier', external_reference_id: 'sync_2' });
    const handle = await runtime.start('submit-member-sync', { group_id: group.id, body: { members: [member('EMP-9', 'pln_2')] } });
    expect(handle.poll).toEqual({ operation: 'vitable-groups.get-member-sync-request', inputs: { group_id: group.id, request_id: handle.id } });
    const first = await runtime.poll(handle);
    expect(first).toMatchObject({ state: 'running', retryAfterMs: 1_000 });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await runtime.poll(handle)).toMatchObject({ state: 'done', outputs: { added_group_member_ids: [expect.stringMatching(/^grpmbr_/)] } });
  });

  test('a sync of an unknown group is the HTTP_ERROR of the submit, not retryable', async () => {
    const error = await failure(runtime.invoke('submit-member-sync', { group_id: 'grp_nope', body: { members: [] } }, { wait: true }));
    expect(error).toMatchObject({ code: 'HTTP_ERROR', status: 404, retryable: false });
  });

  test('naftiko run submit-member-sync --wait prints the completed sync', async () => {
    const group = await runtime.invoke('create-group', { name: 'CLI tier', external_reference_id: 'sync_3' });
    const result = await naftiko(['run', FILE.pathname, 'submit-member-sync', `group_id=${String(group.id)}`, `body=${JSON.stringify({ members: [member('E-1', 'pln_3')] })}`, '--wait', '--base-uri', sandbox.url], {
      VITABLE_CONNECT_API_KEY: SANDBOX_VITABLE_KEY,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ completed_at: expect.any(String), failures: [] });
  });
});

describe('naftiko describe', () => {
  test('names the pagination and the job', async () => {
    const pages = await naftiko(['describe', FILE.pathname, 'list-groups']);
    expect(pages.stdout).toContain('pages:        page pagination, at most 1000 pages (run --all)');
    const job = await naftiko(['describe', FILE.pathname, 'submit-member-sync']);
    expect(job.stdout).toContain('job:          asynchronous, polled with vitable-groups.get-member-sync-request for at most 1800 s (run --wait)');
  });
});

describe('the stand-in', () => {
  test('refuses a wrong token with 401', async () => {
    const response = await fetch(`${sandbox.url}/v1/groups`, { headers: { authorization: 'Bearer wrong' } });
    expect(response.status).toBe(401);
  });
});
