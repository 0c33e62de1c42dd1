import { describe, expect, test } from 'vitest';
import { signAwsV4 } from '../runtime/invoke/awsSigV4.js';
import { createRuntime, loadCapability } from '../runtime/index.js';
import { startRecordingServer } from './support/recordingServer.js';

// AWS's published Signature Version 4 test suite credentials and clock.
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', region: 'us-east-1', service: 'service' };
const clock = new Date('2015-08-30T12:36:00Z');
const prefix = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=';

describe('AWS Signature Version 4', () => {
  test('get-vanilla', () => {
    const request = { method: 'GET', url: 'https://example.amazonaws.com/', headers: {} as Record<string, string> };
    signAwsV4(request, credentials, clock);
    expect(request.headers['x-amz-date']).toBe('20150830T123600Z');
    expect(request.headers.authorization).toBe(`${prefix}5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`);
  });

  test('get-vanilla-query-order-key-case: the query is sorted before signing', () => {
    const request = { method: 'GET', url: 'https://example.amazonaws.com/?Param2=value2&Param1=value1', headers: {} as Record<string, string> };
    signAwsV4(request, credentials, clock);
    expect(request.headers.authorization).toBe(`${prefix}b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500`);
  });

  test('a corpus file with aws-sig-v4 authentication is signed on the wire, secrets masked in prepare()', async () => {
    const server = await startRecordingServer();
    const capability = await loadCapability(new URL('fixtures/corpus/api-evangelist__naftiko/capabilities/aws-api-gateway-openapi-crawl-capability.yaml', import.meta.url));
    const env = { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret-key-value', AWS_REGION: 'eu-west-1' };
    const runtime = createRuntime(capability, { env, baseUri: server.url, retry: { limit: 0 } });
    const operation = runtime.operations.find((o) => o.path === '/restapis')!;
    await runtime.invoke(operation.id);
    const [request] = server.requests;
    const date = String(request.headers['x-amz-date']);
    expect(String(request.headers.authorization)).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDTEST/${date.slice(0, 8)}/eu-west-1/apigateway/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$`));
    const expected = { method: 'GET', url: `${server.url}/restapis`, headers: {} as Record<string, string> };
    signAwsV4(expected, { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-key-value', region: 'eu-west-1', service: 'apigateway' }, new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`));
    expect(request.headers.authorization).toBe(expected.headers.authorization);
    expect(JSON.stringify(runtime.prepare(operation.id))).not.toMatch(/AKIDTEST|secret-key-value/);
    runtime.close();
    await server.close();
  });
});
