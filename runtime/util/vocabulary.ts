/**
 * The words of the capability format that several stages check against: one list each, so the
 * schema, the compiler and the adapters cannot disagree.
 */

/** HTTP methods an operation may use. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** Declared types of parameters and outputs. */
export const VALUE_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'] as const;

/** Where an input parameter is sent. */
export const PARAMETER_LOCATIONS = ['path', 'query', 'header', 'cookie', 'body'] as const;

/** The pagination styles (`pagination.type`). */
export const PAGINATION_TYPES = ['offset', 'page', 'cursor', 'link'] as const;

/** Raw response formats that are converted to a JSON tree before JSONPath runs. */
export const RAW_FORMATS = ['json', 'yaml', 'xml', 'csv', 'tsv', 'psv', 'text', 'html', 'markdown', 'avro', 'protobuf', 'binary', 'ndjson'] as const;

export type ValueType = (typeof VALUE_TYPES)[number];
export type ParameterLocation = (typeof PARAMETER_LOCATIONS)[number];
export type RawFormat = (typeof RAW_FORMATS)[number];
export type PaginationType = (typeof PAGINATION_TYPES)[number];

/** `{{name}}` placeholders in strings of the file (global: use with `matchAll`). */
export const MUSTACHE = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** A string that is exactly one `{{name}}` placeholder. */
export const WHOLE_MUSTACHE = /^\{\{\s*([^{}]+?)\s*\}\}$/;

/** A decimal number as APIs write it in text (CSV cells, XML elements, query-style JSON). */
export const DECIMAL_TEXT = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** Whether `value` is one of `list` (a typed `includes` for the readonly lists above). */
export function isOneOf<T extends string>(list: readonly T[], value: unknown): value is T {
  return (list as readonly unknown[]).includes(value);
}

/** The `User-Agent` the runtime sends unless the capability or the caller sets its own. */
export const USER_AGENT = 'naftiko-runtime';
