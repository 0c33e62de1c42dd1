/**
 * `importOpenApi` on Swagger 2.0, OpenAPI 3.0 and 3.1 documents: what the imported capabilities send
 * to a real local server, what they refuse before sending, and what the report lists.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntime, type Runtime } from '../runtime/index.js';
import { formatReportEntry, importOpenApi } from '../runtime/openapi/index.js';
import { failure } from './support/failure.js';
import { fixture, importCapability, type Imported } from './support/importCapability.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';

let server: RecordingServer;
const runtimes: Runtime[] = [];

beforeAll(async () => {
  server = await startRecordingServer(() => ({ body: { ok: true } }));
});

afterAll(async () => {
  for (const runtime of runtimes) runtime.close();
  await server.close();
});

/** Imports a fixture and returns a runtime pointed at the recording server. */
async function imported(path: string, env: Record<string, string>, options = {}): Promise<{ imported: Imported; runtime: Runtime }> {
  const result = await importCapability(fixture(path), options);
  const runtime = createRuntime(result.capability, { env, baseUri: server.url, retry: { limit: 0 } });
  runtimes.push(runtime);
  return { imported: result, runtime };
}

/** Sends one operation and returns the single request the server saw. */
async function send(runtime: Runtime, name: string, inputs: Record<string, unknown>) {
  server.requests.length = 0;
  await runtime.invoke(name, inputs);
  expect(server.requests).toHaveLength(1);
  return server.requests[0];
}

async function refused(runtime: Runtime, name: string, inputs: Record<string, unknown>, parameter: string): Promise<void> {
  server.requests.length = 0;
  const error = await failure(runtime.invoke(name, inputs));
  expect(error.code).toBe('INPUT_INVALID');
  expect(error.message).toContain(`'${parameter}'`);
  expect(server.requests).toHaveLength(0);
}

function messages(result: Imported): string[] {
  return result.result.report.map(formatReportEntry);
}

describe('Swagger 2.0 petstore', () => {
  let pets: Awaited<ReturnType<typeof imported>>;
  beforeAll(async () => {
    pets = await imported('openapi/petstore-swagger2.yaml', { SWAGGER_PETSTORE_API_KEY: 'k-2' });
  });

  test('host, basePath and the https scheme make the base URI; http is listed as another server', () => {
    const consumes = (pets.imported.result.document.capability as { consumes: Array<Record<string, unknown>> }).consumes[0];
    expect(consumes.baseUri).toBe('https://petstore.example.com/v1');
    expect(consumes.description).toContain('http://petstore.example.com/v1');
    expect(pets.imported.diagnostics).toEqual([]);
  });

  test('query defaults are sent, collectionFormat multi repeats the key, the API key travels in its header', async () => {
    const request = await send(pets.runtime, 'listPets', { tags: ['a', 'b'] });
    expect(request.url).toBe('/pets?limit=20&tags=a&tags=b');
    expect(request.headers['x-api-key']).toBe('k-2');
  });

  test('csv arrays (the Swagger 2.0 default) are reported: the runtime repeats the key', () => {
    expect(messages(pets.imported)).toContain(
      "not expressible: GET /pets (listPets): query parameter 'status': style 'form' without explode is not supported: array items are sent as repeated keys (?status=a&status=b)",
    );
  });

  test('the global path parameter keeps its type and minimum', async () => {
    expect((await send(pets.runtime, 'showPetById', { petId: 7 })).url).toBe('/pets/7');
    await refused(pets.runtime, 'showPetById', { petId: 0 }, 'petId');
    await refused(pets.runtime, 'showPetById', { petId: 'seven' }, 'petId');
  });

  test('a body parameter becomes the JSON body, checked against its definition', async () => {
    const request = await send(pets.runtime, 'createPet', { body: { name: 'Rex', tag: null } });
    expect(JSON.parse(request.body)).toEqual({ name: 'Rex', tag: null });
    await refused(pets.runtime, 'createPet', { body: { tag: 'dog' } }, 'body');
  });

  test('header enums are checked', async () => {
    expect((await send(pets.runtime, 'deletePet', { petId: 1, 'X-Request-Reason': 'sold' })).headers['x-request-reason']).toBe('sold');
    await refused(pets.runtime, 'deletePet', { petId: 1, 'X-Request-Reason': 'eaten' }, 'X-Request-Reason');
  });

  test('formData becomes a urlencoded form, or multipart when a field is a file', async () => {
    const form = await send(pets.runtime, 'recordVaccination', { petId: 3, vaccine: 'rabies', date: '2026-01-02' });
    expect(form.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(form.body).toBe('vaccine=rabies&date=2026-01-02');
    const upload = await send(pets.runtime, 'uploadPhoto', { petId: 3, caption: 'hi', file: 'PNG…' });
    expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload.body).toContain('name="caption"\r\n\r\nhi\r\n');
    expect(upload.body).toContain('name="file"; filename="file"\r\nContent-Type: application/octet-stream\r\n\r\nPNG…');
  });
});

describe('OpenAPI 3.0 petstore with its schemas in another file', () => {
  let pets: Awaited<ReturnType<typeof imported>>;
  beforeAll(async () => {
    pets = await imported('openapi/petstore-oas30.yaml', { PETSTORE_TOKEN: 'jwt-1' });
  });

  test('server variables take their defaults; the bearer token comes from the environment', async () => {
    expect(pets.imported.result.model.baseUri).toBe('https://eu.petstore.example.com/v3');
    expect(pets.imported.result.model.otherServers).toEqual(['https://sandbox.petstore.example.com/v3']);
    const request = await send(pets.runtime, 'showPetById', { petId: 'rex-1', 'X-Trace-Id': 't-1' });
    expect(request.headers.authorization).toBe('Bearer jwt-1');
    expect(request.headers['x-trace-id']).toBe('t-1');
  });

  test('external $refs are resolved; nullable and boolean exclusiveMinimum become JSON Schema', async () => {
    expect(JSON.parse((await send(pets.runtime, 'createPet', { body: { name: 'Rex', tag: null, weight: 3 } })).body)).toEqual({ name: 'Rex', tag: null, weight: 3 });
    await refused(pets.runtime, 'createPet', { body: { name: 'Rex', weight: 0 } }, 'body');
    await refused(pets.runtime, 'createPet', { body: { name: '' } }, 'body');
  });

  test('bounds, enums and patterns are checked before sending', async () => {
    await refused(pets.runtime, 'listPets', { limit: 101 }, 'limit');
    await refused(pets.runtime, 'listPets', { species: 'fish' }, 'species');
    await refused(pets.runtime, 'showPetById', { petId: 'Rex!', 'X-Trace-Id': 't' }, 'petId');
    await refused(pets.runtime, 'showPetById', { petId: 'rex' }, 'X-Trace-Id');
  });

  test('a +json media type is sent as the Content-Type of the JSON body', async () => {
    const request = await send(pets.runtime, 'replacePet', { petId: 'rex', body: { name: 'Rex' } });
    expect(request.headers['content-type']).toBe('application/merge-patch+json');
    expect(request.method).toBe('PUT');
  });

  test('a text/plain body is the input body', async () => {
    const request = await send(pets.runtime, 'addNote', { petId: 'rex', body: 'Good dog' });
    expect(request.headers['content-type']).toMatch(/^text\/plain/);
    expect(request.body).toBe('Good dog');
  });

  test('a cookie parameter is sent as a cookie; the Accept header parameter is left out, with a note', async () => {
    expect((await send(pets.runtime, 'listPets', { session: 's1' })).headers.cookie).toBe('session=s1');
    expect(messages(pets.imported).some((m) => m.startsWith("note: GET /pets/{petId} (showPetById): header parameter 'Accept' is left out"))).toBe(true);
  });
});

describe('OpenAPI 3.1 petstore', () => {
  let pets: Awaited<ReturnType<typeof imported>>;
  beforeAll(async () => {
    pets = await imported('openapi/petstore-oas31.json', { PETSTORE_3_1_API_KEY: 'q-key' });
  });

  test('an API key in the query, type arrays and const in the body schema', async () => {
    const request = await send(pets.runtime, 'createPet', { body: { name: 'Rex', kind: 'pet', nickname: null, age: 2 } });
    expect(request.url).toBe('/pets?api_key=q-key');
    await refused(pets.runtime, 'createPet', { body: { name: 'Rex', kind: 'cat' } }, 'body');
    await refused(pets.runtime, 'createPet', { body: { name: 'Rex', kind: 'pet', age: 0 } }, 'body');
    await refused(pets.runtime, 'createPet', { body: { name: 'Rex', kind: 'pet', colour: 'red' } }, 'body');
  });

  test('the description beside a $ref describes the body; formats are kept as annotations', () => {
    const createPet = pets.imported.capability.operations.find((o) => o.name === 'createPet')!;
    const body = (createPet.inputs.properties as Record<string, Record<string, unknown>>).body;
    expect(body.description).toBe('The pet to add.');
    expect(JSON.stringify(body)).toContain('"format":"date"');
  });

  test('a CSV response is read as CSV; deepObject and webhooks are reported', async () => {
    server.handler = () => ({ headers: { 'content-type': 'text/csv' }, body: 'year,event\n2024,born\n' });
    try {
      expect(await pets.runtime.invoke('petHistory', { name: 'rex' })).toEqual({ result: [{ year: '2024', event: 'born' }] });
    } finally {
      server.handler = () => ({ body: { ok: true } });
    }
    expect(messages(pets.imported)).toEqual([
      "not expressible: GET /pets (listPets): query parameter 'filter': an object in style 'deepObject' is not supported: it is sent as JSON text",
      'not expressible: webhooks: petAdopted: webhooks are requests the API sends, not operations a capability calls',
    ]);
  });
});

describe('operations without operationId', () => {
  test('get readable names from method and path, unique in the namespace; undeclared placeholders become required inputs', async () => {
    const { imported: library, runtime } = await imported('openapi/no-operation-ids.yaml', {});
    // operationIds are kept first (a duplicate one gets a suffix), derived names take what is left.
    expect(library.capability.operations.map((o) => o.name)).toEqual([
      'list-books-3',
      'create-books',
      'get-books-by-book-id',
      'delete-books-by-book-id',
      'get-books-by-book-id-loans-by-loan-id',
      'list-books',
      'list-books-2',
    ]);
    expect(library.diagnostics).toEqual([]);
    expect((await send(runtime, 'get-books-by-book-id-loans-by-loan-id', { bookId: 'b1', loanId: 'l 2' })).url).toBe('/books/b1/loans/l%202');
    await refused(runtime, 'get-books-by-book-id-loans-by-loan-id', { bookId: 'b1' }, 'loanId');
  });
});

describe('several security schemes', () => {
  test('the first alternative the runtime can send wins; schemes required together become headers; the rest is reported', async () => {
    const { imported: secured, runtime } = await imported('openapi/security-schemes.yaml', { SECURED_API_TENANT: 'tenant-1', SECURED_API_TOKEN: 'jwt-2' });
    const request = await send(runtime, 'listReports', {});
    expect(request.headers['x-tenant-key']).toBe('tenant-1');
    expect(request.headers.authorization).toBe('Bearer jwt-2');
    expect(messages(secured)).toEqual([
      "not expressible: security requirement 'session': an API key in a cookie is not expressible (the runtime sends keys in a header or the query)",
      "note: security requirement 'tenant' + 'token': sent as headers X-Tenant-Key, Authorization",
      "note: security requirement 'basicAuth': an alternative the API also accepts; the capability authenticates with 'tenant+token'",
      'note: GET /health (health): needs no authentication; the credentials of the API are sent anyway',
      "not expressible: GET /admin (admin): requires 'oauth'; the capability authenticates every operation with 'tenant+token'",
    ]);
    expect(secured.result.yaml).not.toContain('jwt-2');
  });

  test('--secret-env names the secret of a one-secret scheme, and prefixes the two of basic', async () => {
    const basic = await importOpenApi(fixture('openapi/security-schemes.yaml'), { secretEnv: 'REPORTS' });
    expect(basic.document.binds).toEqual([{ namespace: 'env', keys: { REPORTS_TENANT: 'REPORTS_TENANT', REPORTS_TOKEN: 'REPORTS_TOKEN' } }]);
    const key = await importOpenApi(fixture('openapi/petstore-swagger2.yaml'), { secretEnv: 'PETS_KEY' });
    expect(key.document.binds).toEqual([{ namespace: 'env', keys: { PETS_KEY: 'PETS_KEY' } }]);
  });

  test('an OAuth2 authorization-code API is imported with its access token read from the environment', async () => {
    const text = readFileSync(fixture('openapi/security-schemes.yaml'), 'utf8').replace(/security:\n  - session: \[\]\n  - tenant: \[\]\n    token: \[\]\n  - basicAuth: \[\]\n/, 'security:\n  - oauth: [read]\n');
    const served = await startRecordingServer(() => ({ body: text }));
    try {
      const { capability } = await importCapability(`${served.url}/openapi.yaml`, { namespace: 'secured' });
      const runtime = createRuntime(capability, { env: { SECURED_TOKEN: 'access-1' }, baseUri: server.url, retry: { limit: 0 } });
      runtimes.push(runtime);
      expect((await send(runtime, 'admin', {})).headers.authorization).toBe('Bearer access-1');
    } finally {
      await served.close();
    }
  });
});

describe('circular schemas', () => {
  test('stay references into $defs, and deep values are still checked', async () => {
    const { imported: org, runtime } = await imported('openapi/circular.yaml', {});
    const team = (org.result.model.resources[0].operations[0].parameters[0].schema ?? {}) as Record<string, unknown>;
    expect(team.allOf).toEqual([{ $ref: '#/$defs/Team' }]);
    expect(Object.keys(team.$defs as object)).toEqual(['Team', 'Person']);
    const valid = { name: 'Core', lead: { email: 'a@x', manager: { email: 'b@x' } }, subteams: [{ name: 'API', subteams: [{ name: 'Edge' }] }] };
    expect(JSON.parse((await send(runtime, 'createTeam', { body: valid })).body)).toEqual(valid);
    await refused(runtime, 'createTeam', { body: { name: 'Core', subteams: [{ name: 'API', subteams: [{ lead: { email: 'c@x' } }] }] } }, 'body');
    await refused(runtime, 'createList', { body: { value: 1, next: { value: 2, next: { value: 'three' } } } }, 'body');
  });
});

describe('reading from a URL', () => {
  test('relative $refs and a relative server URL resolve against the document URL', async () => {
    const files: Record<string, string> = {
      '/specs/petstore.yaml': readFileSync(fixture('openapi/petstore-oas30.yaml'), 'utf8').replace(/servers:[\s\S]*?\ncomponents:/, 'servers:\n  - url: /api/v3\ncomponents:'),
      '/specs/petstore-schemas.yaml': readFileSync(fixture('openapi/petstore-schemas.yaml'), 'utf8'),
    };
    const served = await startRecordingServer((request) => (files[request.url] ? { body: files[request.url] } : { status: 404, body: 'missing' }));
    try {
      const { result, diagnostics } = await importCapability(`${served.url}/specs/petstore.yaml`);
      expect(result.model.baseUri).toBe(`${served.url}/api/v3`);
      expect(result.operations).toBe(5);
      expect(diagnostics).toEqual([]);
      const missing = await failure(importOpenApi(`${served.url}/specs/nothing.yaml`));
      expect(missing.code).toBe('HTTP_ERROR');
    } finally {
      await served.close();
    }
  });
});

describe('documents that cannot be imported', () => {
  test('a missing file, a malformed document, another format and a dangling $ref are SPEC_INVALID naming the file', async () => {
    const missing = await failure(importOpenApi(fixture('openapi/nope.yaml')));
    expect(missing.code).toBe('SPEC_INVALID');
    expect(missing.message).toContain('nope.yaml: cannot read OpenAPI document: no such file');
    const served = await startRecordingServer((request) => ({
      body: { '/bad.yaml': 'openapi: 3.0.0\npaths: [unclosed', '/capability.yaml': 'naftiko: 1.0.0-alpha2\n', '/dangling.yaml': "openapi: 3.0.3\ninfo: {title: X, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/Gone'}\n" }[request.url] ?? '',
    }));
    try {
      expect((await failure(importOpenApi(`${served.url}/bad.yaml`))).message).toMatch(/bad\.yaml:2:\d+: /);
      expect((await failure(importOpenApi(`${served.url}/capability.yaml`))).message).toContain("not an OpenAPI document: it has neither 'openapi' nor 'swagger'");
      expect((await failure(importOpenApi(`${served.url}/dangling.yaml`))).message).toContain('cannot resolve a $ref');
    } finally {
      await served.close();
    }
  });

  test('a --tag or --operation that matches nothing is an input error with a suggestion', async () => {
    expect((await failure(importOpenApi(fixture('openapi/petstore-swagger2.yaml'), { tags: ['pet'] }))).message).toContain("--tag pet: no operation has this tag; did you mean 'pets'?");
    expect((await failure(importOpenApi(fixture('openapi/petstore-swagger2.yaml'), { operations: ['listPet'] }))).message).toContain("did you mean 'listPets'?");
    expect((await failure(importOpenApi(fixture('openapi/petstore-swagger2.yaml'), { namespace: 'my pets' }))).code).toBe('INPUT_INVALID');
  });
});

describe('selecting operations', () => {
  test('--tag and --operation keep the operations matching either', async () => {
    const photos = await importOpenApi(fixture('openapi/petstore-swagger2.yaml'), { tags: ['photos'], operations: ['showPetById'] });
    expect(photos.model.resources.flatMap((r) => r.operations.map((o) => o.name))).toEqual(['showPetById', 'uploadPhoto']);
  });
});
