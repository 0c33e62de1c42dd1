/**
 * Bodies read without a declared format: error answers and forwarded responses. They are JSON when they
 * say so (or say nothing and parse), otherwise text.
 */

/** A body as JSON when its content type is JSON (or absent) and it parses, otherwise as text; empty is null. */
export function parseLooseBody(body: Buffer, contentType: string | undefined, maxBytes = Infinity): unknown {
  if (body.length === 0) return null;
  const text = (body.length > maxBytes ? body.subarray(0, maxBytes) : body).toString('utf8');
  if (contentType === undefined || /json/i.test(contentType)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/** `: <the error's detail>` for a message, on one line and at most 200 characters; '' when there is none. */
export function summarizeBody(body: unknown): string {
  let text: string | undefined;
  if (typeof body === 'string') text = body;
  else if (body !== null && typeof body === 'object') {
    const detail = (body as Record<string, unknown>).detail ?? (body as Record<string, unknown>).message ?? (body as Record<string, unknown>).error;
    text = typeof detail === 'string' ? detail : JSON.stringify(detail ?? body);
  }
  if (!text) return '';
  text = text.replace(/\s+/g, ' ').trim();
  return `: ${text.length > 200 ? `${text.slice(0, 197)}...` : text}`;
}

/** A binary response as outputs see it: its content type, size and bytes in base64; empty is null. */
export function binaryDocument(body: Buffer, contentType: string | undefined): unknown {
  if (body.length === 0) return null;
  return { contentType: contentType ?? 'application/octet-stream', size: body.length, base64: body.toString('base64') };
}

/** The first value of a header that may be repeated. */
export function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
