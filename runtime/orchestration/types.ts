/**
 * What an adapter (REST, MCP) serves, compiled once from a capability's `exposes`. Adapters only see
 * these shapes: every exposed thing is an {@link ExposedOperation} whose `run` validates its inputs,
 * calls the consumed operations and maps the result to plain JSON.
 */
import type { CompiledPath, SourceRef } from '../internal.js';

/** MCP tool annotations, from an operation's or aggregate function's `semantics`. */
export interface ToolHints {
  readOnly?: boolean;
  destructive?: boolean;
  idempotent?: boolean;
  openWorld?: boolean;
}

/** Options of one run of an exposed operation. */
export interface RunOptions {
  signal?: AbortSignal;
  /** incoming request headers (lower-case), for forward/trustedHeaders */
  headers?: Record<string, string | string[] | undefined>;
  /** The incoming HTTP request, passed through by REST `forward` routes. */
  request?: { method: string; /** without `?` */ query: string; body?: Buffer; contentType?: string };
  /** Told the status of the consumed call in simple mode and forwards, so REST can answer with it (201, 202…). */
  onUpstreamStatus?: (status: number) => void;
}

/** One callable exposed thing (MCP tool, REST operation, aggregate function), compiled once. */
export interface ExposedOperation {
  name: string;
  title?: string;
  description?: string;
  /** JSON Schema (type object) of the inputs, from inputParameters (type, description, required, pattern, enum). */
  inputSchema: Record<string, unknown>;
  /** JSON Schema of the result, from typed outputParameters; absent when they do not say. */
  outputSchema?: Record<string, unknown>;
  hints?: ToolHints;
  /** Runs the operation: validates inputs (INPUT_INVALID naming the argument), calls/maps, returns the mapped output (plain JSON). */
  run(inputs: Record<string, unknown>, options?: RunOptions): Promise<unknown>;
}

/** Authentication required from callers of an exposed server. */
export interface ExposedAuth {
  type: 'bearer' | 'apikey' | 'basic';
  /** Query parameter carrying an apikey, removed from what a forward route passes on. */
  queryParameter?: string;
  /** checks an incoming request's headers/query; secrets resolved at compile time from binds/env */
  verify(headers: Record<string, string | string[] | undefined>, query?: URLSearchParams): boolean;
}

/** An MCP resource: static or backed by a consumed operation. */
export interface McpResourceSpec {
  name: string;
  uri: string;
  title?: string;
  description?: string;
  mimeType?: string;
  read(): Promise<{ text: string; mimeType?: string }>;
}

/** An MCP prompt template. */
export interface McpPromptSpec {
  name: string;
  title?: string;
  description?: string;
  arguments: Array<{ name: string; description?: string; required?: boolean }>;
  render(args: Record<string, string>): Array<{ role: 'user' | 'assistant'; text: string }>;
}

/** One `exposes` entry of type `mcp`. */
export interface McpExposeSpec {
  type: 'mcp';
  namespace: string;
  description?: string;
  transport: 'stdio' | 'http';
  address: string;
  port?: number;
  /** HTTP path of the MCP endpoint, when the expose declares one (`/` otherwise). */
  path?: string;
  auth?: ExposedAuth;
  tools: ExposedOperation[];
  resources: McpResourceSpec[];
  prompts: McpPromptSpec[];
  source: SourceRef;
}

/** One operation of a REST expose, routed by method and path template. */
export interface RestOperationSpec {
  /** Upper case; `*` for a forward route, which takes every method its resource's operations do not. */
  method: string;
  /** e.g. `/ships/{imo}` */
  path: string;
  operation: ExposedOperation;
  /** inputs by location, for the adapter to extract */
  parameters: Array<{ name: string; in: 'path' | 'query' | 'header' | 'cookie' | 'body'; value?: CompiledPath }>;
  forward?: { targetNamespace: string; trustedHeaders: string[] };
  /** Answer with the output's bytes (base64 in the model) under this status and media type (Ikanos `responseBinary`). */
  binary?: { status: number; mediaType: string };
}

/** One `exposes` entry of type `rest`. */
export interface RestExposeSpec {
  type: 'rest';
  namespace: string;
  description?: string;
  address: string;
  port: number;
  auth?: ExposedAuth;
  operations: RestOperationSpec[];
  source: SourceRef;
}

/** Any exposes entry this runtime serves. */
export type ExposeSpec = McpExposeSpec | RestExposeSpec;
