/** Escapes one JSON pointer reference token (RFC 6901): `~` → `~0`, `/` → `~1`. */
export function escapeToken(token: string | number): string {
  const text = String(token);
  return text.includes('~') || text.includes('/') ? text.replaceAll('~', '~0').replaceAll('/', '~1') : text;
}

/** Reverses {@link escapeToken}. */
export function unescapeToken(token: string): string {
  return token.includes('~') ? token.replaceAll('~1', '/').replaceAll('~0', '~') : token;
}

/** The node `pointer` designates in `data`, or undefined when the path leaves the document. */
export function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[unescapeToken(raw)];
  }
  return node;
}
