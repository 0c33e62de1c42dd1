import { createHash, createHmac } from 'node:crypto';

/** Credentials and scope of an AWS Signature Version 4 signature. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
  service: string;
}

/**
 * Signs a request with AWS Signature Version 4 (header form), adding `x-amz-date`,
 * `x-amz-security-token` when there is a session token, and `authorization` to `headers`.
 * `url` must already be percent-encoded the way it will be sent.
 */
export function signAwsV4(
  request: { method: string; url: string; headers: Record<string, string>; body?: string | Buffer },
  credentials: AwsCredentials,
  now: Date = new Date(),
): void {
  const url = new URL(request.url);
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(request.body ?? '');

  request.headers['x-amz-date'] = amzDate;
  if (credentials.sessionToken) request.headers['x-amz-security-token'] = credentials.sessionToken;
  if (credentials.service === 's3') request.headers['x-amz-content-sha256'] = payloadHash;

  const signed = new Map<string, string>([['host', url.host]]);
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-') || lower === 'content-type') signed.set(lower, value.trim().replace(/\s+/g, ' '));
  }
  const names = [...signed.keys()].sort();
  const canonicalHeaders = names.map((n) => `${n}:${signed.get(n)}\n`).join('');
  const signedHeaders = names.join(';');

  const canonicalRequest = [
    request.method,
    canonicalPath(url.pathname, credentials.service),
    canonicalQuery(url.searchParams),
    canonicalHeaders,
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${credentials.region}/${credentials.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');

  let key = hmac(`AWS4${credentials.secretAccessKey}`, day);
  key = hmac(key, credentials.region);
  key = hmac(key, credentials.service);
  key = hmac(key, 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  request.headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

/** Every service but S3 signs each path segment encoded twice; the URL path is already encoded once. */
function canonicalPath(path: string, service: string): string {
  if (path === '') return '/';
  if (service === 's3') return path;
  return path
    .split('/')
    .map((segment) => encodeRfc3986(segment))
    .join('/');
}

function canonicalQuery(params: URLSearchParams): string {
  return [...params]
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
