/**
 * MCP over stdio through the SDK's `serveStdio`, which negotiates the protocol revision on the
 * connection's first message (2026-07-28 or a 2025 initialize) and serves both eras.
 *
 * Two things are added around it: messages over {@link MAX_STDIO_MESSAGE} bytes are answered with a
 * JSON-RPC error rather than closing the connection (see `stdioLimit.ts`), and stopping (a signal,
 * or the client closing stdin) first lets the calls in flight answer.
 */
import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import { InFlight } from '../util/inFlight.js';
import { mcpServerFactory, type McpServerSpec } from './mcpServer.js';
import { limitLines } from './stdioLimit.js';

/** Largest message accepted on stdin, in bytes (one line of JSON-RPC). */
export const MAX_STDIO_MESSAGE = 4 * 1024 * 1024;

/** A running stdio server. */
export interface RunningMcpStdio {
  /** Resolves once the server has stopped: after `close()`, or when the client closes stdin. */
  closed: Promise<void>;
  /** Stops reading requests, lets the ones in flight answer, then stops. Safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link startMcpStdio}; the streams default to the process's own. */
export interface McpStdioOptions {
  log?: (line: string) => void;
  stdin?: Readable;
  stdout?: Writable;
  maxMessageBytes?: number;
}

/** Serves `spec` on stdin/stdout. */
export async function startMcpStdio(spec: McpServerSpec, options: McpStdioOptions = {}): Promise<RunningMcpStdio> {
  const log = options.log ?? (() => {});
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const inFlight = new InFlight();
  const factory = mcpServerFactory(spec, { track: (work) => inFlight.track(work), log });
  const input = limitLines(options.maxMessageBytes ?? MAX_STDIO_MESSAGE, (reply) => {
    log(`mcp: ${spec.name}: refused a message over the size limit (id ${JSON.stringify(reply.id)})`);
    stdout.write(`${JSON.stringify(reply)}\n`);
  });
  // The end of stdin is not passed on: the transport would abort the calls in flight; close() ends it once they have answered.
  stdin.pipe(input, { end: false });
  const transport = new StdioServerTransport(input, stdout);
  const handle = serveStdio(factory, { transport, onerror: (error) => log(`mcp: ${spec.name}: ${error.message}`) });

  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  let stopping: Promise<void> | undefined;
  const close = () =>
    (stopping ??= (async () => {
      stdin.off('end', close);
      stdin.unpipe(input);
      stdin.pause();
      await inFlight.idle();
      // A response is written a few microtasks after its handler resolves; closing first would drop it.
      await new Promise((resolve) => setImmediate(resolve));
      await handle.close();
      markClosed();
    })());
  stdin.once('end', close);
  return { closed, close };
}
