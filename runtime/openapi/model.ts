/**
 * The internal model of an API read from an OpenAPI document: what the importer understood, in the
 * runtime's terms, before any capability format is written. Swagger 2.0, OpenAPI 3.0 and 3.1 all end
 * up here; the naftiko (alpha2) and ikanos (beta5) writers both read only this.
 */
import type { JsonSchema, RawFormat, ValueType } from '../types.js';

/**
 * Capability vocabulary the runtime does not accept yet (unknown keys are warnings, and an imported
 * file must validate without warnings). The importer maps OpenAPI to each of these in one place
 * (`mapPagination.ts`, `mapAsync.ts`, `mapSecurity.ts`) and keeps the result in the model; the writers
 * emit it only when its switch is on, and otherwise the report lists it as "not expressible yet".
 * Turn a switch on once the runtime loads that vocabulary (issue 9).
 */
export const RUNTIME_VOCABULARY: Readonly<{ pagination: boolean; async: boolean; oauth2ClientCredentials: boolean }> = Object.freeze({
  /** `pagination:` on an operation. */
  pagination: false,
  /** `async:` on an operation. */
  async: false,
  /** `authentication: {type: oauth2, flow: clientCredentials, …}` on a consumed API. */
  oauth2ClientCredentials: false,
});

/** Which of the switches above a writer honours (tests turn them on to check the mapping). */
export type Vocabulary = typeof RUNTIME_VOCABULARY;

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

/** OAuth2 client credentials (issue 9 vocabulary); written as `bearer` with a token variable until the runtime accepts it. */
export interface OAuth2ClientCredentials {
  type: 'oauth2';
  flow: 'clientCredentials';
  tokenEndpoint: string;
  scopes: string[];
  clientIdVariable: string;
  clientSecretVariable: string;
  /** The bearer token variable used while the runtime cannot fetch tokens itself. */
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

export type Location = 'path' | 'query' | 'header' | 'cookie' | 'body';

/** One input of an operation. */
export interface ParameterModel {
  name: string;
  in: Location;
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

/** The `pagination:` vocabulary of issue 9. */
export interface PaginationModel {
  type: 'offset' | 'page' | 'cursor' | 'link';
  items?: string;
  limit?: string;
  offset?: string;
  page?: string;
  cursor?: string;
  nextCursor?: string;
  hasMore?: string;
  total?: string;
}

/** The `async:` vocabulary of issue 9 (`done` has no OpenAPI source and is left to the author). */
export interface AsyncModel {
  id: string;
  poll: { operation: string; with: Record<string, string> };
}
