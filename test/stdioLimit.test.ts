/**
 * The stdio size limit: lines up to the limit pass unchanged however they are chunked; a longer one
 * is dropped and answered with an error carrying its top-level id.
 */
import { describe, expect, test } from 'vitest';
import { limitLines, type OversizeReply } from '../runtime/mcp/stdioLimit.js';

async function feed(maxBytes: number, chunks: string[]): Promise<{ passed: string; replies: OversizeReply[] }> {
  const replies: OversizeReply[] = [];
  const stream = limitLines(maxBytes, (reply) => replies.push(reply));
  let passed = '';
  stream.on('data', (chunk: Buffer) => (passed += chunk.toString('utf8')));
  const done = new Promise((resolve) => stream.once('end', resolve));
  for (const chunk of chunks) stream.write(Buffer.from(chunk));
  stream.end();
  await done;
  return { passed, replies };
}

/** Every way of cutting `text` in three. */
function cuts(text: string): string[][] {
  const out: string[][] = [];
  for (let i = 0; i <= text.length; i += 3) for (let j = i; j <= text.length; j += 5) out.push([text.slice(0, i), text.slice(i, j), text.slice(j)]);
  return out;
}

describe('limitLines', () => {
  test('passes lines within the limit unchanged, whatever the chunking', async () => {
    const text = '{"jsonrpc":"2.0","id":1,"method":"ping"}\n{"a":2}\n{"é":"ü"}\n';
    for (const chunks of cuts(text)) expect((await feed(64, chunks)).passed).toBe(text);
  });

  test('drops a longer line and answers with its id, wherever the id is and however it is chunked', async () => {
    const long = `{"jsonrpc":"2.0","method":"tools/call","params":{"id":"inner","x":"${'y'.repeat(80)}","nested":{"id":9}},"id":42}`;
    for (const chunks of cuts(`${long}\n{"id":3}\n`)) {
      const { passed, replies } = await feed(64, chunks);
      expect(passed).toBe('{"id":3}\n');
      expect(replies).toEqual([{ jsonrpc: '2.0', id: 42, error: { code: -32600, message: "message too large: over 64 bytes (this server's limit)" } }]);
    }
  });

  test('string ids with escapes, missing ids, null ids and batches', async () => {
    const pad = 'z'.repeat(100);
    const ids = async (line: string) => (await feed(32, [`${line}\n`])).replies.map((r) => r.id);
    expect(await ids(`{"id" : "a\\"b", "p":"${pad}"}`)).toEqual(['a"b']);
    expect(await ids(`{"method":"x","p":"${pad}"}`)).toEqual([null]);
    expect(await ids(`{"id":null,"p":"${pad}"}`)).toEqual([null]);
    expect(await ids(`[{"id":1,"p":"${pad}"}]`)).toEqual([null]);
    expect(await ids(`{"p":"\\"id\\":5 ${pad}","id":-7}`)).toEqual([-7]);
  });

  test('an oversized last line without a newline is answered at the end of input', async () => {
    const { passed, replies } = await feed(16, ['{"id":1}\n', `{"id":"end","p":"${'q'.repeat(40)}"}`]);
    expect(passed).toBe('{"id":1}\n');
    expect(replies.map((r) => r.id)).toEqual(['end']);
  });
});
