/**
 * The internal model of an API read from an OpenAPI document: what the importer understood, in the
 * runtime's terms, before any capability format is written. Swagger 2.0, OpenAPI 3.0 and 3.1 all end
 * up here; the naftiko (alpha2) and ikanos (beta5) writers both read only this.
 */
import type { JsonSchema, ParameterLocation, RawFormat, ValueType } from '../types.js';

/** One API, ready to be written as one consumed namespace. */
export interface ApiModel {
  /** `info.title` of the document. */
  title: string;
  description?: string;
  /** `info.version` of the document. */
  version?: string;
  namespace: string;
  /** The first server's URL, variables filled from their defaults; '' when the document gives none usable. */
  baseUri: string;
  /** The other servers' URLs, listed in the description. */
  otherServers: string[];
  auth?: AuthModel;
  resources: ResourceModel[];
}

/** Authentication of the whole API; every secret is an environment variable, never a value. */
export type AuthModel =
  | { type: 'apikey'; name: string; placement: 'header' | 'query'; variable: string }
  | { type: 'bearer'; variable: string }
  | { type: 'basic' | 'digest'; usernameVariable: string; passwordVariable: string }
  /** Several header schemes required together (`security: [{a: [], b: []}]`). */
  | { type: 'headers'; headers: Array<{ name: string; prefix: string; variable: string }> }
  | OAuth2ClientCredentials;

/** OAuth2 client credentials: the runtime fetches and renews the token itself. */
export interface OAuth2ClientCredentials {
  type: 'oauth2';
  flow: 'clientCredentials';
  /** An http(s) URL, or a path below the base URI (`/oauth/token`). */
  tokenEndpoint: string;
  scopes: string[];
  audience?: string;
  /** How the client authenticates to the token endpoint, when not HTTP Basic (the default). */
  clientAuthentication?: 'body';
  clientIdVariable: string;
  clientSecretVariable: string;
  /** The access token variable of the ikanos output: beta5 has no client credentials, only a bearer token. */
  tokenVariable: string;
}

/** One path of the document. */
export interface ResourceModel {
  name: string;
  /** The exact OpenAPI path, e.g. `/pets/{petId}`. */
  path: string;
  description?: string;
  operations: OperationModel[];
}

/** One method of one path. */
export interface OperationModel {
  name: string;
  /** `operationId` as written, when there is one. */
  operationId?: string;
  label?: string;
  description?: string;
  method: string;
  tags: string[];
  /** Path, query, header, cookie and JSON body parameters, in the order they are sent. */
  parameters: ParameterModel[];
  /** A request body that is not JSON, built from a template of inputs. */
  body?: TemplateBody;
  output: OutputModel;
  pagination?: PaginationModel;
  async?: AsyncModel;
}

/** One input of an operation. */
export interface ParameterModel {
  name: string;
  in: ParameterLocation;
  type?: ValueType;
  required: boolean;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  /** Documentation only: the runtime does not check formats. */
  format?: string;
  /** The JSON Schema the value must satisfy, when there is more to check than type, enum and pattern. */
  schema?: JsonSchema;
  /** A fixed value the caller does not give (a media type in `Content-Type`). */
  value?: string;
}

/** Form, multipart, text and XML bodies: fields filled from inputs of the same name. */
export interface TemplateBody {
  kind: 'formUrlEncoded' | 'multipartForm' | 'text' | 'xml';
  /** Form and multipart fields; a text or XML body is the single input `body`. */
  fields: Array<{ name: string; contentType?: string; filename?: string }>;
}

/** What an operation returns: the whole response, converted from its format. */
export interface OutputModel {
  format: RawFormat;
  /** Type of the 2xx schema; undefined when the document gives no schema. */
  type?: ValueType;
}

/** An operation's `pagination:` as the runtime reads it: JSONPaths into the response, names of inputs. */
export interface PaginationModel {
  type: 'offset' | 'page' | 'cursor' | 'link';
  items: string;
  limit?: string;
  offset?: string;
  page?: string;
  cursor?: string;
  nextCursor?: string;
  /** `link`: the next page's URL in the body, instead of the `Link` header. */
  next?: string;
  hasMore?: string;
  total?: string;
  maxPages?: number;
}

/** An operation's `async:` as the runtime reads it; the poll operation is named as in the capability. */
export interface AsyncModel {
  id: string;
  poll: { operation: string; with?: Record<string, string> };
  done: string;
  failed?: string;
  interval?: number;
  maxInterval?: number;
  backoff?: number;
  timeout?: number;
}
