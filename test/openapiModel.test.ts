/**
 * The importer's model and its two writers: pagination, async jobs and OAuth2 client credentials are
 * mapped to the runtime's vocabulary, what OpenAPI cannot give is reported with the block to add; the
 * ikanos writer's output is valid against the official 1.0.0-beta5 JSON Schema. (Running what they
 * map: openapiBehaviours.test.ts.)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { formatReportEntry, importOpenApi } from '../runtime/openapi/index.js';
import { envName, kebab, operationNameFromPath, resourceNameFromPath } from '../runtime/openapi/naming.js';
import { fixture, importCapability } from './support/importCapability.js';

const JOBS = fixture('openapi/pagination-async.yaml');

type Operation = Record<string, unknown>;

function operations(document: Record<string, unknown>): Record<string, Operation> {
  const consumes = (document.capability as { consumes: Array<{ resources: Array<{ operations: Operation[] }> }> }).consumes[0];
  return Object.fromEntries(consumes.resources.flatMap((r) => r.operations).map((o) => [String(o.name), o]));
}

describe('pagination, async jobs and OAuth2 client credentials', () => {
  test('x-speakeasy-pagination and x-pagination become pagination; what a hint leaves out is read from the document, with a note', async () => {
    const { result } = await importCapability(JOBS);
    const ops = operations(result.document);
    expect(ops.listByOffset.pagination).toEqual({ type: 'offset', items: '$.data', offset: 'offset', limit: 'limit' });
    expect(ops.listByPage.pagination).toEqual({ type: 'page', items: '$.data', page: 'page', limit: 'limit' });
    expect(ops.listByCursor.pagination).toEqual({ type: 'cursor', items: '$.data', cursor: 'starting_after', limit: 'limit', nextCursor: '$.next_cursor' });
    expect(ops.listByLink.pagination).toEqual({ type: 'link', items: '$' });
    expect(ops.listByNextUrl.pagination).toEqual({ type: 'link', items: '$.items', next: '$.links.next' });
    const notes = result.report.filter((e) => e.kind === 'note').map(formatReportEntry);
    expect(notes.filter((n) => !n.includes('x-speakeasy-polling'))).toEqual([
      'note: GET /offset (listByOffset): x-speakeasy-pagination: outputs.numPages has no equivalent: the walk ends on a short or empty page, or after maxPages',
      "note: GET /page (listByPage): x-pagination does not name the page size: query parameter 'limit' is taken as the limit",
      'note: GET /link (listByLink): x-pagination does not say where the records are: read from $, the only array of the response',
      'note: GET /link-body (listByNextUrl): x-speakeasy-pagination does not say where the records are: read from $.items, the only array of the response',
    ]);
  });

  test('a 202 linked to its status operation becomes async, done and failed from x-speakeasy-polling criteria', async () => {
    const { result } = await importCapability(JOBS);
    const ops = operations(result.document);
    // group_id is left to the runtime, which passes the submit call's input of that name on.
    expect(ops.submitJob.async).toEqual({
      id: '$.data.request_id',
      poll: { operation: 'getJob', with: { request_id: '{{id}}' } },
      done: '$.data[?@ == "done" && $.data.status == "done"]',
      failed: '$.data[?@ == "failed" && $.data.status == "failed"]',
      interval: 20,
      backoff: 1,
      timeout: 10000,
    });
    // A link by operationRef; a lone `!= null` criterion is the member's path; what async cannot say is noted.
    expect(ops.submitReport.async).toEqual({ id: '$.id', poll: { operation: 'getReport', with: { report_id: '{{id}}' } }, done: '$.completed_at' });
    expect(result.report.filter((e) => e.subject.includes('submitReport')).map(formatReportEntry)).toEqual([
      "note: POST /reports (submitReport): x-speakeasy-polling of 'getReport': the job waits for WaitForReport; WaitForStarted has no equivalent (a submit operation has one async block)",
      "note: POST /reports (submitReport): x-speakeasy-polling of 'getReport': delaySeconds has no equivalent: the first poll comes right after the submit",
    ]);
  });

  test('a clientCredentials scheme becomes oauth2 authentication, its id and secret bound to the environment', async () => {
    const { result } = await importCapability(JOBS);
    const consumes = (result.document.capability as { consumes: Array<Record<string, unknown>> }).consumes[0];
    expect(consumes.authentication).toEqual({
      type: 'oauth2',
      flow: 'clientCredentials',
      tokenEndpoint: 'https://auth.jobs.example.com/oauth/token',
      clientId: '{{JOBS_API_CLIENT_ID}}',
      clientSecret: '{{JOBS_API_CLIENT_SECRET}}',
      scopes: ['jobs:read'],
    });
    expect(result.document.binds).toEqual([{ namespace: 'env', keys: { JOBS_API_CLIENT_ID: 'JOBS_API_CLIENT_ID', JOBS_API_CLIENT_SECRET: 'JOBS_API_CLIENT_SECRET' } }]);
  });

  test('a relative token URL stays a path on the API origin, so --base-uri moves the token requests too', async () => {
    const text = readFileSync(JOBS, 'utf8');
    const relative = async (tokenUrl: string, server: string) => {
      const file = join(mkdtempSync(join(tmpdir(), 'naftiko-token-url-')), 'jobs.yaml');
      writeFileSync(file, text.replace('https://auth.jobs.example.com/oauth/token', tokenUrl).replace("url: 'https://jobs.example.com'", `url: '${server}'`));
      const { document } = await importOpenApi(file);
      return (document.capability as { consumes: Array<{ authentication: { tokenEndpoint: string } }> }).consumes[0].authentication.tokenEndpoint;
    };
    expect(await relative('/oauth/token', 'https://jobs.example.com/v1')).toBe('/oauth/token');
    expect(await relative('oauth/token', 'https://jobs.example.com/v1')).toBe('/v1/oauth/token');
  });

  test('what OpenAPI cannot give is reported with the block to add, the operation imported without it; the file validates without warnings', async () => {
    const { result, diagnostics } = await importCapability(JOBS);
    expect(diagnostics).toEqual([]);
    const ops = operations(result.document);
    for (const name of ['listExports', 'search']) expect(ops[name].pagination, name).toBeUndefined();
    for (const name of ['submitImport', 'submitLegacyJob']) expect(ops[name].async, name).toBeUndefined();
    expect(result.report.filter((e) => e.kind === 'not-expressible').map(formatReportEntry)).toEqual([
      'not expressible: GET /exports (listExports): x-speakeasy-pagination: no JSONPath to the records (items), and the 2xx schema has no single array; the operation is imported without pagination: add `pagination: {"type":"link","next":"$.next","items":"<JSONPath to the records>"}` once completed',
      'not expressible: GET /search (search): x-naftiko-pagination: cursor names \'after\', which is not a path, query, header or cookie parameter of the operation; the operation is imported without pagination: add `pagination: {"type":"cursor","cursor":"after","items":"$.hits","nextCursor":"$.next"}` once completed',
      'not expressible: POST /imports (submitImport): the 202 response: OpenAPI does not say when the job is done (declare x-speakeasy-polling successCriteria on \'getImport\', or complete done); the operation is imported without async: add `async: {"id":"$.import_id","poll":{"operation":"getImport","with":{"import_id":"{{id}}"}},"done":"<JSONPath that selects a value, neither null nor false, once the job is done>"}` once completed',
      'not expressible: POST /legacy-jobs (submitLegacyJob): the 202 response: it points at its job with a Location header; polling a URL has no equivalent (an OpenAPI link to the status operation does); the operation is imported without async',
    ]);
  });

  test('a job whose status operation is not imported is reported', async () => {
    const { report, document } = await importOpenApi(JOBS, { operations: ['submitJob'] });
    expect(operations(document).submitJob.async).toBeUndefined();
    expect(report.map(formatReportEntry)).toContain('not expressible: POST /groups/{group_id}/jobs (submitJob): the 202 response: it links to no imported operation that takes the job id from the 202 body; the operation is imported without async');
  });
});

const SOURCES = [
  'junction/openapi-users.json',
  'junction/openapi-org-custom-credentials.json',
  'openapi/shipyard/naftiko-shipyard-maritime-registry-api.yaml',
  'openapi/shipyard/naftiko-shipyard-legacy-dockyard-api.yaml',
  'openapi/petstore-swagger2.yaml',
  'openapi/petstore-oas30.yaml',
  'openapi/petstore-oas31.json',
  'openapi/no-operation-ids.yaml',
  'openapi/security-schemes.yaml',
  'openapi/circular.yaml',
  'openapi/pagination-async.yaml',
];

describe('every OpenAPI document of the fixtures', () => {
  test.each(SOURCES)('%s imports into files naftiko validate accepts without a warning, in both formats', async (source) => {
    for (const format of ['naftiko', 'ikanos'] as const) {
      const { diagnostics } = await importCapability(fixture(source), { format });
      expect(diagnostics, format).toEqual([]);
    }
  });
});

describe('--format ikanos', () => {
  const schema = JSON.parse(readFileSync(fixture('openapi/ikanos-beta5/ikanos-schema.json'), 'utf8')) as Record<string, unknown>;
  const validate = new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(schema);

  test.each(SOURCES)('%s gives a document valid against the official beta5 schema', async (source) => {
    const result = await importOpenApi(fixture(source), { format: 'ikanos' });
    const valid = validate(result.document);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(result.document.ikanos).toBe('1.0.0-beta5');
  });

  test('beta5 has no pagination, async or OAuth2 client credentials: left out and reported, the access token read from the environment', async () => {
    const { result } = await importCapability(JOBS, { format: 'ikanos' });
    const capability = result.document.capability as { binds: unknown; consumes: Array<{ authentication: unknown; resources: Record<string, { operations: Record<string, Operation> }> }> };
    const consumes = capability.consumes[0];
    expect(consumes.authentication).toEqual({ type: 'bearer', token: '{{JOBS_API_TOKEN}}' });
    expect(capability.binds).toEqual([{ namespace: 'env', keys: { JOBS_API_TOKEN: 'JOBS_API_TOKEN' } }]);
    expect(consumes.resources.offset.operations['list-by-offset'].pagination).toBeUndefined();
    const lost = result.report.filter((e) => e.subject.startsWith('ikanos')).map(formatReportEntry);
    expect(lost).toContain('not expressible: ikanos 1.0.0-beta5: OAuth2 client credentials (https://auth.jobs.example.com/oauth/token) do not exist in beta5: an access token is read from JOBS_API_TOKEN and sent as a bearer token');
    expect(lost).toContain('not expressible: ikanos 1.0.0-beta5: GET listByOffset: pagination does not exist in beta5; left out (the naftiko format keeps it)');
    expect(lost).toContain('not expressible: ikanos 1.0.0-beta5: POST submitJob: async does not exist in beta5; left out (the naftiko format keeps it)');
  });

  test('the same model as the naftiko output: names made kebab-case, parameters keyed by name, losses reported', async () => {
    const naftiko = await importOpenApi(fixture('junction/openapi-users.json'), { namespace: 'users' });
    const ikanos = await importOpenApi(fixture('junction/openapi-users.json'), { namespace: 'users', format: 'ikanos' });
    expect(ikanos.model).toEqual(naftiko.model);
    const consumes = (ikanos.document.capability as { consumes: Array<{ resources: Record<string, { path: string; operations: Record<string, Record<string, unknown>> }> }> }).consumes[0];
    const user = consumes.resources['v2-user-user-id'];
    expect(user.path).toBe('/v2/user/{user_id}');
    expect(Object.keys(user.operations)).toEqual(['patch-user-v2-user-user-id-patch', 'delete-user-v2-user-user-id-delete', 'get-user-v2-user-user-id-get']);
    expect(user.operations['patch-user-v2-user-user-id-patch'].inputParameters).toEqual({ user_id: { in: 'path' }, body: { in: 'body' } });
    expect(ikanos.report.map((e) => e.message)).toContain('input parameters carry only `in` and `value`: types, required, enums, patterns, defaults, descriptions and JSON Schemas are left out');
  });
});

describe('names', () => {
  test.each([
    ['GET', '/pets', 'list-pets'],
    ['GET', '/pets/{petId}', 'get-pets-by-pet-id'],
    ['POST', '/pets', 'create-pets'],
    ['PUT', '/pets/{petId}', 'replace-pets-by-pet-id'],
    ['PATCH', '/pets/{petId}', 'update-pets-by-pet-id'],
    ['DELETE', '/stores/{store_id}/orders/{orderId}', 'delete-stores-by-store-id-orders-by-order-id'],
    ['HEAD', '/', 'head'],
  ])('%s %s is named %s', (method, path, name) => {
    expect(operationNameFromPath(method, path)).toBe(name);
  });

  test('resources, namespaces and environment variables', () => {
    expect(resourceNameFromPath('/v2/user/{user_id}/insurance')).toBe('v2-user-user-id-insurance');
    expect(resourceNameFromPath('/')).toBe('root');
    expect(kebab('Swagger Petstore (v2)')).toBe('swagger-petstore-v2');
    expect(envName('vitable-groups')).toBe('VITABLE_GROUPS');
    expect(envName('3d-api')).toBe('API_3D_API');
  });
});
