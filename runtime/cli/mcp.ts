import type { Capability, RuntimeEvent } from '../index.js';
import type { McpTransportOptions } from '../mcp/startMcp.js';
import { UsageError, baseUriOptions, loadOptions, parseCommandLine, wholeNumber, type Command } from './args.js';
import { EXIT, err, plural, reportWarnings } from './output.js';

/** `naftiko mcp FILE...`: every consumed operation of the files as an MCP tool. */
export const mcp: Command = {
  name: 'mcp',
  usage: 'naftiko mcp FILE... [--stdio | --port N [--address A] [--path P] [--allow-origin O]] [--base-uri URL|namespace=URL] [--timeout MS] [--verbose]',
  help: `usage: naftiko mcp FILE... [--stdio | --port N] [options]

Serves every consumed operation of the capability FILEs as an MCP tool, whether
or not the files declare 'exposes'. A tool is named after its operation (with
the namespace in front when two namespaces use the same name); its input schema
comes from the operation's parameters and its hints from the HTTP method: GET is
read-only, PUT, PATCH and DELETE are destructive, PUT and DELETE idempotent.
A result is the operation's outputs as JSON text and as structured content
(described by the tool's output schema); a failing call answers an MCP tool
error 'CODE: message' (INPUT_INVALID, HTTP_ERROR, NETWORK, ...) with the
error's JSON as structured content.

Protocol revisions: 2026-07-28 (stateless, no initialize) and, with
initialize, 2025-11-25, 2025-06-18 and 2025-03-26.

Transports:
  --stdio               MCP over stdin/stdout (the default): stdout carries
                        nothing but the protocol, logs go to stderr; a
                        message over 4 MiB is answered with a JSON-RPC error
  --port N              Streamable HTTP at http://ADDRESS:N/mcp (0 picks a free
                        port); stateless: POST only, plain JSON answers

Options with --port:
  --address A           interface to listen on (default 127.0.0.1); on a
                        loopback address only loopback Host names are served
  --path P              path of the endpoint (default /mcp)
  --allow-origin O      accept browser requests from origin O (repeatable), a
                        full origin (https://app.example.com) or a host name;
                        requests without Origin or from loopback origins are
                        always accepted, any other Origin is refused with 403

Options:
  --base-uri URL        send every namespace to URL (sandbox, region, stand-in)
  --base-uri NS=URL     send namespace NS to URL (repeatable)
  --timeout MS          per-call timeout in milliseconds
  --verbose             print the loader's warnings and every upstream request
                        and response on stderr (secrets masked)
  -h, --help            show this help

Secrets are read from the environment (or the files' binds) as with 'run'.
SIGINT or SIGTERM (or, on stdio, the client closing stdin) stops the server
once the calls in flight have finished.

Exit status: 0 stopped cleanly, 1 invalid capability, 2 usage error,
69 cannot listen on the address and port.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(mcp, args, {
      stdio: { type: 'boolean' },
      port: { type: 'string' },
      address: { type: 'string' },
      path: { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      'base-uri': { type: 'string', multiple: true },
      timeout: { type: 'string' },
      verbose: { type: 'boolean' },
    });
    if (positionals.length === 0) throw new UsageError('no capability file given', mcp.usage, mcp.name);
    if (values.stdio && values.port !== undefined) throw new UsageError('give either --stdio or --port, not both', mcp.usage, mcp.name);
    for (const flag of ['address', 'path', 'allow-origin'] as const) {
      if (values.port === undefined && values[flag] !== undefined) throw new UsageError(`--${flag} needs --port`, mcp.usage, mcp.name);
    }
    const port = values.port === undefined ? undefined : portNumber(mcp, values.port);

    const { createRuntime, InputError, loadCapability } = await import('../index.js');
    const capabilities: Capability[] = [];
    for (const file of positionals) capabilities.push(await loadCapability(file, loadOptions()));
    if (values.verbose) for (const capability of capabilities) reportWarnings(capability.warnings);
    if (capabilities.every((c) => c.operations.length === 0)) {
      throw new InputError(`${positionals.join(', ')}: no consumed operation to serve as a tool (to serve 'exposes', use 'naftiko serve')`);
    }
    const options = baseUriOptions(mcp, capabilities, values['base-uri'] ?? []);
    if (values.timeout !== undefined) options.timeout = wholeNumber(mcp, 'timeout', values.timeout, 1);
    if (values.verbose) options.onEvent = trace;

    // Loaded here, not at the top: the SDK would slow down the start of every other command.
    const [{ startMcp }, { operationTools }, { closeOnSignal }] = await Promise.all([
      import('../mcp/startMcp.js'),
      import('../mcp/operationTools.js'),
      import('../serve/listen.js'),
    ]);
    const runtime = createRuntime(capabilities, options);
    try {
      const namespaces = [...new Set(runtime.operations.map((op) => op.namespace))];
      const descriptions = capabilities.map((c) => c.description).filter((d): d is string => d !== undefined);
      const spec = {
        name: namespaces.join('+'),
        tools: operationTools(runtime),
        ...(descriptions.length > 0 ? { instructions: descriptions.join('\n\n') } : {}),
      };
      const transport: McpTransportOptions =
        port === undefined
          ? { transport: 'stdio', log: err }
          : { transport: 'http', port, address: values.address ?? '127.0.0.1', path: values.path ?? '/mcp', allowOrigins: values['allow-origin'] ?? [], log: err };
      const server = await listen(() => startMcp(spec, transport));
      if (server === undefined) return EXIT_UNAVAILABLE;
      err(`mcp '${spec.name}' ${server.url ? `listening on ${server.url}` : 'serving on stdio'} (${plural(spec.tools.length, 'tool')})`);
      // On stdio, the client closing stdin stops the server as a signal would.
      await Promise.race([closeOnSignal(server, err), server.closed]);
      await server.close();
      return EXIT.OK;
    } finally {
      runtime.close();
    }
  },
};

/** Exit status when a server cannot listen on its address and port (BSD `EX_UNAVAILABLE`). */
export const EXIT_UNAVAILABLE = 69;

/**
 * Starts a server; a port in use or not allowed is reported on stderr as
 * `naftiko: cannot listen on ADDRESS:PORT: reason` and gives `undefined` (any other error is thrown).
 */
export async function listen<T>(start: () => Promise<T>): Promise<T | undefined> {
  try {
    return await start();
  } catch (error) {
    const { syscall, code, address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
    if (syscall !== 'listen') throw error;
    const reason = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : code === 'EADDRNOTAVAIL' ? 'address not available' : (error as Error).message;
    err(`naftiko: cannot listen on ${address ?? '?'}:${port ?? '?'}: ${reason}`);
    return undefined;
  }
}

function trace(event: RuntimeEvent): void {
  if (event.type === 'request') err(`→ ${event.operation} ${event.method} ${event.url}`);
  else err(`← ${event.operation} ${event.status} (${Math.round(event.durationMs)} ms, ${plural(event.attempts, 'attempt')})`);
}

/** A TCP port from the command line: 0 (any free port) to 65535. */
export function portNumber(command: Command, value: string): number {
  const port = wholeNumber(command, 'port', value, 0);
  if (port > 65535) throw new UsageError(`--port must be at most 65535 (got '${value}')`, command.usage, command.name);
  return port;
}
