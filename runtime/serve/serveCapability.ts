/**
 * `naftiko serve`: starts every adapter of a capability and stops them together.
 */
import { NotSupportedError, type Capability, type Runtime } from '../index.js';
import { capabilityInternals } from '../internal.js';
import { compileExposes } from '../orchestration/compileExposes.js';
import type { McpExposeSpec } from '../orchestration/types.js';
import { startRestServer } from '../rest/restServer.js';
import { compileSkills } from '../skills/compileSkills.js';
import { startSkillServer } from '../skills/skillServer.js';

/**
 * Starts an MCP expose; injected so the MCP adapter stays a separate module. `port`, `address` and
 * `path` are overrides: undefined means the spec's own.
 */
export type McpStarter = (
  spec: McpExposeSpec,
  options: { port?: number; address?: string; path?: string; allowOrigins?: string[]; log: (line: string) => void },
) => Promise<{ url?: string; close(): Promise<void> }>;

/** Options of {@link serveCapability}. */
export interface ServeOptions {
  /**
   * Port of the first HTTP adapter (file order); the next ones take the following ports, so a
   * capability with MCP and REST still runs with one `--port`. 0 gives every adapter a free port.
   */
  port?: number;
  /** Address of every adapter, e.g. 127.0.0.1 for a file written for `0.0.0.0` in Docker. */
  address?: string;
  /** Path of every MCP endpoint, instead of the one each expose declares (or `/`). */
  mcpPath?: string;
  /** Browser origins the MCP servers accept besides loopback ones. */
  allowOrigins?: string[];
  /** Where progress lines go (default stderr, which stdio MCP leaves free). */
  log?: (line: string) => void;
  mcp?: McpStarter;
}

/** What is being served. */
export interface Served {
  servers: Array<{ type: 'rest' | 'mcp' | 'skill'; namespace: string; url?: string }>;
  /** Stops every adapter; calls in flight finish first. */
  close(): Promise<void>;
}

/**
 * Compiles the capability's exposes (throwing SPEC_INVALID / NOT_SUPPORTED before anything listens)
 * and starts each `rest` and `skill` expose, and each `mcp` one through `options.mcp`. Control exposes
 * are skipped with a log line. If one adapter cannot start, those already started are stopped.
 */
export async function serveCapability(capability: Capability, runtime: Runtime, options: ServeOptions = {}): Promise<Served> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // Skill catalogs start in file order among the other adapters, so `--port N` numbers them as the file lists them.
  const position = (pointer: string): number => Number(pointer.slice(pointer.lastIndexOf('/') + 1));
  const specs = [...compileExposes(capability, runtime), ...compileSkills(capability, runtime)].sort(
    (a, b) => (a.type === 'skill' ? a.index : position(a.source.pointer)) - (b.type === 'skill' ? b.index : position(b.source.pointer)),
  );
  const root = capabilityInternals(capability).document.capability as { exposes?: unknown } | undefined;
  for (const entry of Array.isArray(root?.exposes) ? root.exposes : []) {
    const { type, namespace } = (entry ?? {}) as { type?: unknown; namespace?: unknown };
    if (type !== 'rest' && type !== 'mcp' && type !== 'skill') log(`${String(type)} expose${namespace ? ` '${String(namespace)}'` : ''} is not served by this runtime: skipped`);
  }

  const running: Array<{ close(): Promise<void> }> = [];
  const servers: Served['servers'] = [];
  let next = options.port;
  const takePort = (): number | undefined => {
    const port = next;
    if (next !== undefined && next !== 0) next += 1;
    return port;
  };
  try {
    for (const spec of specs) {
      if (spec.type === 'skill') {
        const server = await startSkillServer(spec, { port: takePort(), address: options.address, log });
        running.push(server);
        servers.push({ type: 'skill', namespace: spec.namespace, url: server.url });
        log(`skill '${spec.namespace}' listening on ${server.url}/skills (${spec.skills.length} skill${spec.skills.length === 1 ? '' : 's'})`);
      } else if (spec.type === 'rest') {
        const server = await startRestServer(spec, { port: takePort(), address: options.address, log });
        running.push(server);
        servers.push({ type: 'rest', namespace: spec.namespace, url: server.url });
        log(`rest '${spec.namespace}' listening on ${server.url} (${spec.operations.length} route${spec.operations.length === 1 ? '' : 's'})`);
      } else if (!options.mcp) {
        log(`mcp expose '${spec.namespace}' is not served: no MCP adapter was given`);
      } else {
        const port = spec.transport === 'stdio' ? undefined : takePort();
        const server = await options.mcp(spec, { port, address: options.address, path: options.mcpPath, allowOrigins: options.allowOrigins, log });
        running.push(server);
        servers.push({ type: 'mcp', namespace: spec.namespace, ...(server.url ? { url: server.url } : {}) });
        log(`mcp '${spec.namespace}' ${server.url ? `listening on ${server.url}` : 'serving on stdio'} (${spec.tools.length} tool${spec.tools.length === 1 ? '' : 's'})`);
      }
    }
  } catch (error) {
    await Promise.allSettled(running.map((s) => s.close()));
    throw error;
  }
  if (running.length === 0) throw new NotSupportedError(`${capability.file} exposes nothing this runtime serves (rest, mcp, skill)`);
  return { servers, close: async () => void (await Promise.all(running.map((s) => s.close()))) };
}
