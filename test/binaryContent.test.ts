/**
 * Ikanos binary content: a consumed `outputRawFormat: binary` operation with its own `maxBinarySize`,
 * exposed over REST with `responseBinary` (or `responses` with `binary: true`), answers with the
 * upstream bytes and the declared media type; a body over the size is refused while it downloads.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRuntime, loadCapability, NaftikoError } from '../runtime/index.js';
import { serveCapability, type Served } from '../runtime/serve/serveCapability.js';
import { startRecordingServer, type RecordingServer } from './support/recordingServer.js';

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255])]);
const dir = mkdtempSync(join(tmpdir(), 'naftiko-binary-'));
let upstream: RecordingServer;
let served: Served;
let runtime: ReturnType<typeof createRuntime>;

const capability = (baseUri: string) => `ikanos: "1.0.0-beta5"
capability:
  consumes:
    - namespace: docs
      type: http
      baseUri: ${baseUri}
      resources:
        document:
          path: /documents/{{id}}
          operations:
            download:
              method: GET
              inputParameters:
                id:
                  in: path
              outputRawFormat: binary
              outputMediaType: application/pdf
              maxBinarySize: 1KiB
  exposes:
    - type: rest
      port: 3010
      namespace: docs-api
      resources:
        document:
          path: /documents/{{id}}
          operations:
            get-document:
              method: GET
              inputParameters:
                id:
                  in: path
                  type: string
                  description: document id
              call: docs.download
              responseBinary:
                mediaType: application/pdf
        report:
          path: /reports/{{id}}
          operations:
            get-report:
              method: GET
              inputParameters:
                id:
                  in: path
                  type: string
                  description: document id
              call: docs.download
              responses:
                "201":
                  description: the report
                  content:
                    application/octet-stream:
                      binary: true
`;

beforeAll(async () => {
  upstream = await startRecordingServer((request) => (request.url === '/documents/big' ? { headers: { 'content-type': 'application/pdf' }, body: Buffer.alloc(4096, 1) } : { headers: { 'content-type': 'application/pdf' }, body: PDF }));
  const path = join(dir, 'docs.yaml');
  writeFileSync(path, capability(upstream.url));
  const loaded = await loadCapability(path);
  expect(loaded.warnings).toEqual([]);
  runtime = createRuntime(loaded, { retry: { limit: 0 } });
  served = await serveCapability(loaded, runtime, { port: 0, address: '127.0.0.1', log: () => {} });
});
afterAll(async () => {
  await served?.close();
  runtime?.close();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('binary content', () => {
  test('REST responseBinary answers with the upstream bytes and the declared media type', async () => {
    const response = await fetch(`${served.servers[0].url}/documents/d-1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PDF);
  });

  test('REST responses with binary: true answer with their status and media type', async () => {
    const response = await fetch(`${served.servers[0].url}/reports/d-1`);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PDF);
  });

  test("an answer over the operation's maxBinarySize is refused, naming the limit", async () => {
    const error = await runtime.invoke('docs.download', { id: 'big' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NaftikoError);
    expect((error as NaftikoError).code).toBe('RESPONSE_INVALID');
    expect((error as NaftikoError).message).toMatch(/exceeds maxResponseBytes \(1024 bytes\)/);
    expect((await fetch(`${served.servers[0].url}/documents/big`)).status).toBe(502);
  });
});
