import { UsageError, baseUriOptions, loadOptions, parseCommandLine, wholeNumber, type Command } from './args.js';
import { EXIT, err, reportWarnings } from './output.js';
import { EXIT_UNAVAILABLE, listen, portNumber } from './mcp.js';

/** `naftiko serve FILE`: runs every `rest`, `mcp` and `skill` entry of the capability's `exposes`. */
export const serve: Command = {
  name: 'serve',
  usage: 'naftiko serve FILE [--port N] [--address A] [--path P] [--allow-origin O] [--base-uri URL|namespace=URL] [--timeout MS] [--verbose]',
  help: `usage: naftiko serve FILE [options]

Serves every 'exposes' entry of the capability FILE: 'rest' as an HTTP API,
'mcp' as an MCP server over Streamable HTTP (stateless; at the expose's 'path',
or at / when it declares none, as upstream serves it) or stdio, as the file
declares, 'skill' as a skill catalog (GET /skills, GET /skills/{name}). MCP serves protocol revisions 2026-07-28 (no initialize) and
2025-11-25, 2025-06-18, 2025-03-26 (with initialize). MCP tools take their
input schema from 'inputParameters', their output schema from typed
'outputParameters', their title from 'label' and their annotations from
'hints' (or from the referenced aggregate function's 'semantics'). Declared
'authentication' (bearer, apikey, basic) is checked on every HTTP request:
a missing or wrong credential answers 401. A browser request from a foreign
Origin answers 403.

One line per server is logged on stderr, e.g.
  mcp 'shipyard-tools' listening on http://127.0.0.1:3001/ (2 tools)

Options:
  --port N              port of the first HTTP server (file order); the next
                        ones take the following ports; 0 picks free ports
  --address A           interface of every server, e.g. 127.0.0.1 for a file
                        written for 0.0.0.0 in a container; on a loopback
                        address, MCP serves only loopback Host names
  --path P              path of every MCP endpoint, instead of the expose's
  --allow-origin O      MCP accepts browser requests from origin O too
                        (repeatable): a full origin (https://app.example.com)
                        or a host name; no Origin or a loopback one is always
                        accepted
  --base-uri URL        send every consumed namespace to URL
  --base-uri NS=URL     send consumed namespace NS to URL (repeatable)
  --timeout MS          per-call timeout of consumed operations in milliseconds
  --verbose             also print the loader's warnings on stderr
  -h, --help            show this help

SIGINT or SIGTERM stops taking requests, lets the calls in flight finish, then
exits 0; a second signal exits at once.

Exit status: 0 stopped cleanly, 1 invalid capability or nothing to serve,
2 usage error, 69 cannot listen on an address and port.`,

  async run(args) {
    const { values, positionals } = parseCommandLine(serve, args, {
      port: { type: 'string' },
      address: { type: 'string' },
      path: { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      'base-uri': { type: 'string', multiple: true },
      timeout: { type: 'string' },
      verbose: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no capability file given' : 'give exactly one capability file', serve.usage, serve.name);

    const port = values.port === undefined ? undefined : portNumber(serve, values.port);

    const { createRuntime, loadCapability } = await import('../index.js');
    const capability = await loadCapability(positionals[0], loadOptions());
    if (values.verbose) reportWarnings(capability.warnings);
    const options = baseUriOptions(serve, [capability], values['base-uri'] ?? []);
    if (values.timeout !== undefined) options.timeout = wholeNumber(serve, 'timeout', values.timeout, 1);

    // Loaded here, not at the top: the adapters and the MCP SDK would slow down the start of every other command.
    const [{ serveCapability }, { closeOnSignal }, { serveMcpExpose }] = await Promise.all([import('../serve/serveCapability.js'), import('../serve/listen.js'), import('../mcp/serveMcpExpose.js')]);
    const runtime = createRuntime(capability, options);
    try {
      const served = await listen(() =>
        serveCapability(capability, runtime, {
          port,
          address: values.address,
          mcpPath: values.path,
          allowOrigins: values['allow-origin'],
          log: err,
          mcp: serveMcpExpose,
        }),
      );
      if (served === undefined) return EXIT_UNAVAILABLE;
      await closeOnSignal(served, err);
      return EXIT.OK;
    } finally {
      runtime.close();
    }
  },
};
