/**
 * What the compiler makes of a capability: plain data computed once at load. Invoking only fills values
 * into an `OperationPlan` and sends it. None of these shapes is public: the public view of an operation
 * is `OperationInfo` (runtime/types.ts).
 */
import type { JsonSchema, ParameterLocation, RawFormat, ValueType } from '../types.js';
import type { PaginationType } from '../util/vocabulary.js';

/** Where in a source file a node sits. */
export interface SourceRef {
  file: string;
  pointer: string;
  line: number;
  col: number;
}

/** JSON pointer → 1-based [line, col] of the node in its file. */
export type SourceMap = Map<string, [number, number]>;

/** A bind after resolution of its location (values are looked up lazily, at invoke). */
export interface BindPlan {
  namespace: string;
  /** Variable name → key in the provider. */
  keys: Record<string, string>;
  /** The `location` as written, when there is one. */
  location?: string;
  /** Values read from a `file://` location, or `undefined` to read the environment. */
  values?: Record<string, string>;
  source: SourceRef;
}

/** A `{{...}}` reference inside a string from the file. */
export type TemplatePart =
  | { kind: 'text'; text: string }
  /** A bound variable: read from `bind` (undefined: the runtime's environment) under `key`. */
  | { kind: 'secret'; bind: BindPlan | undefined; key: string; ref: string }
  | { kind: 'input'; name: string };

/** A secret reference inside a template. */
export type SecretPart = Extract<TemplatePart, { kind: 'secret' }>;

/** A string from the file, split at load time into literal text, secrets and inputs. */
export interface Template {
  raw: string;
  parts: TemplatePart[];
}

/** One input of an operation, after merging consumes-, resource- and operation-level declarations. */
export interface ParameterPlan {
  name: string;
  in: ParameterLocation;
  /** Declared type; `undefined` when the file declares none (alpha2 consumed parameters). */
  type?: ValueType;
  required: boolean;
  description?: string;
  /** A fixed value or `{{template}}` from the file; when set the caller need not supply the parameter. */
  value?: string | number | boolean;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  /** JSON Schema the value must satisfy. */
  schema?: JsonSchema;
  /** Compiled checks of `enum`, `pattern` and `schema`: returns a problem description, or undefined. */
  check?: (value: unknown) => string | undefined;
  /** Compiled `value`, when there is one. */
  valueTemplate?: Template;
  /** Not declared at all: a `{{name}}` placeholder in the path or a body template. */
  implicit?: boolean;
  /** Declared `type: file` or `stream`: an upload, which this runtime does not send (NOT_SUPPORTED when given). */
  upload?: 'file' | 'stream';
  source?: SourceRef;
}

/** Literal text, a reference to the parameter filling a placeholder (resolved at load), or a bound variable. */
export type PathPart = { kind: 'text'; text: string } | { kind: 'param'; param: ParameterPlan } | SecretPart;

/** Authentication of a consumed API, with every value as a compiled template. */
export type AuthPlan =
  | { type: 'none' }
  | { type: 'header'; name: string; value: Template }
  | { type: 'query'; name: string; value: Template }
  | { type: 'bearer'; token: Template }
  | { type: 'basic'; username: Template; password: Template }
  | { type: 'digest'; username: Template; password: Template }
  | { type: 'headers'; headers: Array<{ name: string; value: Template }> }
  | { type: 'aws-sig-v4'; accessKeyId: Template; secretAccessKey: Template; sessionToken?: Template; region: Template; service: Template }
  | OAuth2Plan
  | { type: 'unsupported'; kind: string };

/** OAuth2 client credentials (RFC 6749 §4.4): a bearer token fetched from `tokenEndpoint`, cached per runtime. */
export interface OAuth2Plan {
  type: 'oauth2';
  /** Absolute, or relative to the namespace's base URI (a sandbox serves both). */
  tokenEndpoint: Template;
  clientId: Template;
  clientSecret: Template;
  scopes: string[];
  audience?: string;
  /** `basic`: HTTP Basic with the URL-encoded id and secret (RFC 6749 §2.3.1); `body`: both in the form. */
  clientAuthentication: 'basic' | 'body';
}

/** A JSON value from the file whose strings may hold `{{...}}` placeholders. */
export type JsonTemplate =
  | { kind: 'literal'; value: unknown }
  | { kind: 'string'; template: Template }
  | { kind: 'array'; items: JsonTemplate[] }
  | { kind: 'object'; entries: Array<[string, JsonTemplate]> };

/** Request body of an operation as compiled from the file. */
export type BodyPlan =
  | { kind: 'none' }
  /** `in: body` parameters: one object/array parameter is the whole body, several become properties. */
  | { kind: 'parameters'; whole: string | undefined; names: string[] }
  | { kind: 'json'; data: JsonTemplate }
  /** text, xml, sparql, and raw `body: |` strings; `json` marks JSON-aware substitution. */
  | { kind: 'text'; contentType: string; data: Template; json: boolean }
  | { kind: 'form'; fields: Array<[string, Template]> | Template }
  | { kind: 'multipart'; parts: Array<{ name: string; value: Template; filename?: string; contentType?: string }> };

/** A JSONPath compiled once at load time. */
export interface CompiledPath {
  /** The expression as written. */
  expression: string;
  /** Returns every match, in document order. */
  evaluate(document: unknown): unknown[];
}

/** One output parameter of an operation. */
export interface OutputPlan {
  name: string;
  type?: ValueType;
  path: CompiledPath;
}


/** How an operation's list is paged (`pagination:`), its names checked against the inputs at load. */
export interface PaginationPlan {
  type: PaginationType;
  /** The records of one response. */
  items: CompiledPath;
  /** Input parameter holding the page size. */
  limit?: string;
  /** `offset`: input parameter holding the offset. */
  offset?: string;
  /** `page`: input parameter holding the page number. */
  page?: string;
  /** `cursor`: input parameter that carries the cursor. */
  cursor?: string;
  /** `cursor`: the next cursor in the response body. */
  nextCursor?: CompiledPath;
  /** `link`: the next page's URL in the body, instead of the `Link` header. */
  next?: CompiledPath;
  /** false, null or absent ends the walk. */
  hasMore?: CompiledPath;
  /** The number of records there are: the walk ends once it has read that many. */
  total?: CompiledPath;
  /** Pages one walk reads at most. */
  maxPages: number;
}

/** How an operation's job is waited for (`async:`), its poll operation resolved at load. */
export interface AsyncPlan {
  /** The job id in the submit response. */
  id: CompiledPath;
  /** The id (`namespace.name`) of the operation that reads the job's state. */
  pollOperation: string;
  /** Inputs of the poll operation: `{{id}}` is the job id, `{{name}}` an input of the submit call. */
  with: Array<{ name: string; value: Template }>;
  /** Inputs of the submit call passed on to the poll operation under the same name (not named in `with`). */
  passOn: string[];
  /** Done when it selects a value that is neither null nor false. */
  done: CompiledPath;
  /** Failed when it selects a value that is neither null nor false (the value is the reason). */
  failed?: CompiledPath;
  /** ms between polls, growing by `backoff` up to `maxInterval`; a poll's Retry-After wins. */
  interval: number;
  maxInterval: number;
  backoff: number;
  /** ms the whole wait may take. */
  timeout: number;
}

/** Everything needed to send one operation, computed once at load. */
export interface OperationPlan {
  namespace: string;
  name: string;
  /** `namespace.name`. */
  id: string;
  method: string;
  description?: string;
  label?: string;
  /** Base URI as written in the file (may be a template or empty). */
  baseUri: Template;
  /** Resource name, to tell apart operations that share a name in one namespace. */
  resource: string;
  /** Path as written, e.g. `/v2/user/{user_id}`. */
  pathTemplate: string;
  /** Path split into literal segments and parameter references. */
  pathParts: PathPart[];
  /** Query string written into the resource path (`/x?fixed=1&q={{q}}`), as written, without `?`. */
  queryParts: PathPart[];
  parameters: ParameterPlan[];
  /** Inputs referenced only by `{{name}}` in parameter values or body templates. */
  templateInputs: string[];
  /** Every name a caller may pass. */
  inputNames: Set<string>;
  /** Inputs as one JSON Schema object (for agents, `describe` and MCP tool schemas). */
  inputSchema: JsonSchema;
  body: BodyPlan;
  auth: AuthPlan;
  outputFormat: RawFormat;
  /** Largest response body taken from this operation (Ikanos `maxBinarySize`), instead of the runtime's `maxResponseBytes`. */
  maxResponseBytes?: number;
  outputs: OutputPlan[];
  /** The header a caller's idempotency key is sent in (`Idempotency-Key` unless the file names another). */
  idempotencyHeader: string;
  pagination?: PaginationPlan;
  async?: AsyncPlan;
  source: SourceRef;
}

/** A fully resolved HTTP request, ready for the wire. */
export interface WireRequest {
  method: string;
  /** Absolute URL, path percent-encoded, query included. */
  url: string;
  /** Header names as they will be sent. */
  headers: Record<string, string>;
  body?: string | Buffer;
  /** The body was rendered from a secret: it must not follow a redirect to another origin. */
  bodyHoldsSecret?: boolean;
  /** The operation's own response size limit (Ikanos `maxBinarySize`), instead of the runtime's. */
  maxResponseBytes?: number;
  /** Digest credentials: the client answers a 401 challenge with them. */
  digest?: { username: string; password: string };
  /** The caller gave an idempotency key for this call: any method may be sent again. */
  idempotent?: boolean;
}
