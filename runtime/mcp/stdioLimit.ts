/**
 * A size limit on MCP's stdio messages (one JSON-RPC message per line) that answers instead of
 * exiting. The SDK's stdio transport closes the connection on a message over its buffer size, which a
 * client sees as the server going away without a word; here an oversized line is dropped as it
 * streams in, without being held in memory, and answered with a JSON-RPC error carrying its request
 * id, so the client's call fails with a reason and the server keeps serving.
 */
import { Transform, type TransformCallback } from 'node:stream';

/** JSON-RPC "Invalid Request": the message was not accepted. */
const INVALID_REQUEST = -32600;

/** Longest request id kept from an oversized message (ids are short; anything longer is not one). */
const MAX_ID_LENGTH = 256;

/** What an oversized message gets back. */
export interface OversizeReply {
  jsonrpc: '2.0';
  id: string | number | null;
  error: { code: number; message: string };
}

/**
 * Passes through lines of at most `maxBytes` bytes (newline excluded) and drops longer ones, calling
 * `onOversize` with the error reply for each. The request id is read from the dropped message's
 * top-level `id` member wherever it appears (SDK clients write it last); `null` when there is none.
 */
export function limitLines(maxBytes: number, onOversize: (reply: OversizeReply) => void): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let scanner: IdScanner | undefined;

  const reply = (id: string | number | null): OversizeReply => ({
    jsonrpc: '2.0',
    id,
    error: { code: INVALID_REQUEST, message: `message too large: over ${maxBytes} bytes (this server's limit)` },
  });

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      let start = 0;
      while (start < chunk.length) {
        const newline = chunk.indexOf(0x0a, start);
        const end = newline < 0 ? chunk.length : newline;
        const piece = chunk.subarray(start, end);
        if (scanner) {
          scanner.push(piece);
        } else if (pendingBytes + piece.length > maxBytes) {
          scanner = new IdScanner();
          for (const part of pending) scanner.push(part);
          scanner.push(piece);
          pending = [];
          pendingBytes = 0;
        } else {
          pending.push(piece);
          pendingBytes += piece.length;
        }
        if (newline < 0) break;
        if (scanner) {
          onOversize(reply(scanner.id));
          scanner = undefined;
        } else {
          this.push(Buffer.concat([...pending, Buffer.from('\n')]));
          pending = [];
          pendingBytes = 0;
        }
        start = newline + 1;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (scanner) onOversize(reply(scanner.id));
      else if (pendingBytes > 0) this.push(Buffer.concat(pending));
      callback();
    },
  });
}

/**
 * Reads the top-level `"id"` member of a JSON object as it streams past, keeping nothing but the
 * nesting depth, the current key and the id's text.
 */
class IdScanner {
  id: string | number | null = null;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Characters of the string being read, when it is a top-level key or the id. */
  private text: string | undefined;
  private key: string | undefined;
  /** After `"id":` at depth 1: the raw characters of its value. */
  private value: string | undefined;
  private expectKey = false;

  push(bytes: Buffer): void {
    for (const byte of bytes) this.step(String.fromCharCode(byte));
  }

  private step(ch: string): void {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (ch === '\\') this.escaped = true;
      else if (ch === '"') {
        this.inString = false;
        if (this.value !== undefined && this.depth === 1) return this.finishValue(`${this.value}"`);
        if (this.text !== undefined) this.key = this.text;
        this.text = undefined;
        return;
      }
      if (this.value !== undefined) this.value = this.value.length < MAX_ID_LENGTH ? this.value + ch : this.value;
      else if (this.text !== undefined && this.text.length < MAX_ID_LENGTH) this.text += ch;
      return;
    }
    if (this.value !== undefined && this.depth === 1) {
      if (ch === ',' || ch === '}') this.finishValue(this.value);
      else if (ch === '"' && this.value.trim() === '') {
        this.inString = true;
        this.value = '"';
        return;
      } else if (ch === '{' || ch === '[') this.value = undefined;
      else {
        this.value += ch;
        return;
      }
    }
    switch (ch) {
      case '"':
        this.inString = true;
        this.text = this.depth === 1 && this.expectKey ? '' : undefined;
        break;
      case '{':
      case '[':
        this.depth++;
        this.expectKey = ch === '{' && this.depth === 1;
        break;
      case '}':
      case ']':
        this.depth--;
        break;
      case ':':
        if (this.depth === 1) {
          this.expectKey = false;
          if (this.key === 'id') this.value = '';
          this.key = undefined;
        }
        break;
      case ',':
        if (this.depth === 1) this.expectKey = true;
        break;
    }
  }

  private finishValue(raw: string): void {
    this.value = undefined;
    const text = raw.trim();
    if (/^"(?:[^"\\]|\\.)*"$/.test(text)) this.id = JSON.parse(text) as string;
    else if (/^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/.test(text)) this.id = Number(text);
  }
}
