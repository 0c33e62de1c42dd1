/**
 * Our JSON Schema (draft-07) for capability documents. It accepts the official Naftiko 1.0.0-alpha1/alpha2
 * grammar and the generated dialect real files are written in (typed input parameters, the Junction
 * `auth: {valueFrom}` shape, `composite`/`aws-sig-v4`/`none` authentication, operation names
 * with spaces, `baseUri: ''`, `body: {type: form}`...).
 *
 * Two conventions let `validateDocument` give one precise message per problem:
 * - every object lists its known keys and sets `additionalProperties: false`; those errors are reported
 *   as "unknown key" warnings, everything else as errors;
 * - variants are chosen with `if`/`then` on a discriminator (`type`), never with `oneOf`/`anyOf`, so a
 *   wrong variant gives one error on the discriminator instead of one error per alternative.
 *
 * A `then` schema may carry `x-message`: the text reported instead of "missing required key" when its
 * `required` fails (used where one of two keys is needed).
 */
import type { JsonSchema } from '../types.js';
import { HTTP_METHODS, RAW_FORMATS, VALUE_TYPES } from '../util/vocabulary.js';

/** `naftiko:` values this runtime reads (`0.5` is the version named in the alpha2 specification text). */
export const SUPPORTED_VERSIONS = ['1.0.0-alpha1', '1.0.0-alpha2', '0.5'] as const;


const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });
const str: JsonSchema = { type: 'string' };
const bool: JsonSchema = { type: 'boolean' };
const scalar: JsonSchema = { type: ['string', 'number', 'boolean'] };
const arrayOf = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
const stringMap: JsonSchema = { type: 'object', additionalProperties: scalar };

/** A closed object: unknown keys are reported as warnings. */
function closed(properties: Record<string, JsonSchema | boolean>, required: string[] = [], extra: JsonSchema = {}): JsonSchema {
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false, ...extra };
}

/**
 * An object whose shape depends on the string in `field`. Keys in `common` are allowed in every variant;
 * an unknown `field` value is one enum error and no unknown-key noise.
 */
function discriminated(
  field: string,
  common: Record<string, JsonSchema>,
  variants: Record<string, { properties?: Record<string, JsonSchema>; required?: string[] }>,
  options: { type?: string | string[]; required?: boolean } = {},
): JsonSchema {
  return {
    type: options.type ?? 'object',
    ...(options.required === false ? {} : { required: [field] }),
    properties: { [field]: { type: 'string', enum: Object.keys(variants) } },
    allOf: Object.entries(variants).map(([value, variant]) => ({
      if: { type: 'object', required: [field], properties: { [field]: { const: value } } },
      then: closed({ ...common, [field]: true, ...variant.properties }, variant.required),
    })),
  };
}

/** `type: string` or the JSON-Schema-like `type: [string, 'null']` some generated files use. */
const parameterType: JsonSchema = {
  type: ['string', 'array'],
  if: { type: 'string' },
  then: { enum: VALUE_TYPES },
  else: { items: { enum: [...VALUE_TYPES, 'null'] } },
};

/** Keys every input parameter may carry beyond the official grammar, from the generated dialect. */
const typedParameterKeys: Record<string, JsonSchema | boolean> = {
  name: str,
  label: str,
  description: str,
  type: parameterType,
  required: bool,
  value: scalar,
  default: true,
  enum: { type: 'array' },
  pattern: str,
  format: str,
  example: true,
  schema: { type: 'object' },
};

const withInjector: JsonSchema = { type: ['object', 'null'], additionalProperties: scalar };

const authentication = discriminated(
  'type',
  {},
  {
    none: {},
    inherit: {},
    basic: { properties: { username: str, password: str } },
    digest: { properties: { username: str, password: str } },
    // `in` and `name` are what generated files write for `placement` and `key`; `headers` sends several.
    apikey: {
      properties: {
        key: str,
        name: str,
        value: str,
        placement: { type: 'string', enum: ['header', 'query'] },
        in: { type: 'string', enum: ['header', 'query'] },
        headers: stringMap,
      },
    },
    // 29 bearer blocks in the corpus put the token in `value` (with `placement`, sometimes `key: Authorization`).
    bearer: { properties: { token: str, value: str, key: str, placement: { type: 'string', enum: ['header'] } } },
    composite: { properties: { headers: stringMap }, required: ['headers'] },
    'aws-sig-v4': { properties: { accessKeyId: str, secretKey: str, sessionToken: str, region: str, service: str } },
    // A resource server's description (exposes), or a client of a consumed API (`flow: clientCredentials`).
    oauth2: {
      properties: {
        authorizationServerUri: str,
        resource: str,
        scopes: arrayOf(str),
        audience: str,
        tokenEndpoint: str,
        tokenValidation: { type: 'string', enum: ['jwks', 'introspection'] },
        flow: str,
        clientId: str,
        clientSecret: str,
        clientAuthentication: { type: 'string', enum: ['basic', 'body'] },
      },
    },
  },
);

/** The Junction/Vital shape: `auth: {type: apiKey, in: header, name: X-Key, valueFrom: {env: VAR}}`. */
const vitalAuth = closed(
  {
    type: { type: 'string', enum: ['apiKey'] },
    in: { type: 'string', enum: ['header', 'query'] },
    name: str,
    value: str,
    valueFrom: closed({ env: str }, ['env']),
    description: str,
  },
  ['type', 'name'],
);

const requestBody = discriminated(
  'type',
  {},
  {
    // Generated files give `type: json` alone: the body is then built from `in: body` parameters.
    json: { properties: { data: { type: ['string', 'object', 'array'] } } },
    text: { properties: { data: str }, required: ['data'] },
    xml: { properties: { data: str }, required: ['data'] },
    sparql: { properties: { data: str }, required: ['data'] },
    formUrlEncoded: { properties: { data: { type: ['string', 'object'], additionalProperties: scalar } }, required: ['data'] },
    // `form` is what the Twilio files write for formUrlEncoded.
    form: { properties: { data: { type: ['string', 'object'], additionalProperties: scalar } }, required: ['data'] },
    multipartForm: {
      properties: { data: arrayOf(closed({ name: str, value: scalar, filename: str, contentType: str }, ['name', 'value'])) },
      required: ['data'],
    },
  },
  { type: ['string', 'object'] },
);

/** `idempotencyKey: { header: X-Request-Id }`: where a caller's idempotency key is sent. */
const idempotencyKey = closed({ header: str }, ['header']);

const positiveInteger: JsonSchema = { type: 'integer', minimum: 1 };

/** `pagination:`: the keys each style takes (the compiler checks the names against the inputs). */
const pagination = discriminated(
  'type',
  { items: str, hasMore: str, total: str, maxPages: positiveInteger },
  {
    offset: { properties: { limit: str, offset: str }, required: ['items', 'limit', 'offset'] },
    page: { properties: { limit: str, page: str }, required: ['items', 'page'] },
    cursor: { properties: { limit: str, cursor: str, nextCursor: str }, required: ['items', 'cursor', 'nextCursor'] },
    link: { properties: { limit: str, next: str }, required: ['items'] },
  },
);

/** `async:` on a submitting operation (the compiler resolves `poll.operation` in the namespace). */
const asyncJob = closed(
  {
    id: str,
    poll: closed({ operation: str, with: { type: 'object', additionalProperties: scalar } }, ['operation']),
    done: str,
    failed: str,
    interval: positiveInteger,
    maxInterval: positiveInteger,
    backoff: { type: 'number', minimum: 1 },
    timeout: positiveInteger,
  },
  ['id', 'poll', 'done'],
);

const consumedOperation = closed(
  {
    name: str,
    label: str,
    description: str,
    method: { type: 'string', enum: HTTP_METHODS },
    path: str,
    inputParameters: arrayOf(ref('consumedParameter')),
    outputParameters: arrayOf(
      // `binary` appears in generated files for file downloads.
      closed({ name: str, type: { type: 'string', enum: [...VALUE_TYPES, 'binary'] }, value: str, description: str }, ['name', 'type', 'value']),
    ),
    outputRawFormat: { type: 'string', enum: RAW_FORMATS },
    outputSchema: str,
    body: requestBody,
    idempotencyKey,
    pagination,
    async: asyncJob,
  },
  ['name', 'method'],
);

const consumedResource = closed(
  {
    name: str,
    label: str,
    description: str,
    path: str,
    inputParameters: arrayOf(ref('consumedParameter')),
    operations: arrayOf(consumedOperation),
  },
  ['name', 'path', 'operations'],
);

const namespace: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_-]+$' };

const consumesHttp = closed(
  {
    type: { type: 'string', enum: ['http'] },
    namespace,
    label: str,
    description: str,
    baseUri: str,
    authentication,
    auth: vitalAuth,
    /** Generated files (Conekta) send these fixed headers with every request; the runtime honours them. */
    defaultHeaders: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    inputParameters: arrayOf(ref('consumedParameter')),
    resources: arrayOf(consumedResource),
    idempotencyKey,
  },
  ['type', 'namespace', 'baseUri'],
);

const consumesImport = closed({ import: str, location: str, as: namespace, description: str }, ['import', 'location']);

/** An import when it names `import` or `location`, otherwise an inline HTTP adapter. */
const consumesEntry: JsonSchema = {
  type: 'object',
  if: { anyOf: [{ required: ['import'] }, { required: ['location'] }] },
  then: consumesImport,
  else: consumesHttp,
};

const binding = closed(
  {
    namespace,
    description: str,
    location: { type: 'string', pattern: '^[a-zA-Z][a-zA-Z0-9+.-]*://' },
    keys: { type: 'object', propertyNames: { pattern: '^[A-Z][A-Z0-9_]*$' }, additionalProperties: str },
  },
  ['namespace', 'keys'],
);

const info = closed({
  label: str,
  description: str,
  tags: arrayOf(str),
  created: str,
  modified: str,
  stakeholders: arrayOf(closed({ role: str, fullName: str, email: str }, ['role', 'fullName'])),
});

const step = discriminated(
  'type',
  { name: str, description: str },
  {
    call: { properties: { call: str, with: withInjector }, required: ['name', 'call'] },
    lookup: {
      properties: { index: str, match: str, lookupValue: str, outputParameters: arrayOf(str) },
      required: ['name', 'index', 'match', 'lookupValue', 'outputParameters'],
    },
    script: {
      properties: { language: str, location: str, file: str, dependencies: arrayOf(str), with: withInjector },
      required: ['name', 'file'],
    },
  },
);

const mapping = closed({ targetName: str, value: str }, ['targetName', 'value']);

/** Simple-mode `items` is one output; orchestrated-mode `items` is a list of them. */
const outputParameter = closed(
  {
    name: str,
    label: str,
    description: str,
    type: { type: 'string', enum: VALUE_TYPES },
    mapping: str,
    value: str,
    const: true,
    properties: { type: 'object', additionalProperties: ref('outputParameter') },
    items: { type: ['object', 'array'], if: { type: 'array' }, then: { items: ref('outputParameter') }, else: ref('outputParameter') },
  },
  ['type'],
);

/** What every invocable exposed unit (REST operation, MCP tool or resource, aggregate function) may say about how it runs. */
const invocation: Record<string, JsonSchema> = {
  call: str,
  ref: str,
  with: withInjector,
  steps: arrayOf(step),
  mappings: arrayOf(mapping),
  outputParameters: arrayOf(ref('outputParameter')),
};

const toolParameter = closed(
  { name: str, type: parameterType, description: str, required: bool, default: true, enum: { type: 'array' }, pattern: str, format: str, example: true, schema: { type: 'object' } },
  ['name', 'type'],
);

const exposedParameter = closed(
  { ...typedParameterKeys, in: { type: 'string', enum: ['query', 'header', 'path', 'cookie', 'body'] } },
  ['name', 'in', 'type'],
);

const exposedResource = closed(
  {
    name: str,
    label: str,
    description: str,
    path: str,
    inputParameters: arrayOf(exposedParameter),
    operations: arrayOf(
      closed(
        {
          name: str,
          label: str,
          description: str,
          method: { type: 'string', enum: HTTP_METHODS },
          inputParameters: arrayOf(exposedParameter),
          ...invocation,
        },
        ['method'],
      ),
    ),
    forward: closed({ targetNamespace: str, trustedHeaders: arrayOf(str) }, ['targetNamespace']),
  },
  ['path'],
);

const mcpTool = closed(
  {
    name: str,
    label: str,
    description: str,
    inputParameters: arrayOf(toolParameter),
    hints: closed({ readOnly: bool, destructive: bool, idempotent: bool, openWorld: bool }),
    ...invocation,
  },
  [],
  // A tool that reuses an aggregate function (`ref`) takes its name from it.
  { if: { not: { required: ['ref'] } }, then: { required: ['name'] } },
);

const mcpResource = closed({ name: str, label: str, description: str, uri: str, mimeType: str, location: str, ...invocation }, ['name', 'uri']);

const mcpPrompt = closed(
  {
    name: str,
    label: str,
    description: str,
    arguments: arrayOf(closed({ name: str, label: str, description: str, required: bool }, ['name'])),
    template: arrayOf(closed({ role: { type: 'string', enum: ['user', 'assistant'] }, content: str }, ['role', 'content'])),
    location: str,
  },
  ['name'],
);

const skill = closed(
  {
    name: str,
    description: str,
    license: str,
    compatibility: str,
    metadata: { type: 'object' },
    'allowed-tools': str,
    'argument-hint': str,
    'user-invocable': bool,
    'disable-model-invocation': bool,
    location: str,
    tools: arrayOf(closed({ name: str, description: str, from: closed({ sourceNamespace: str, action: str }, ['sourceNamespace', 'action']), instruction: str }, ['name'])),
  },
  ['name'],
);

const port: JsonSchema = { type: 'integer', minimum: 1, maximum: 65535 };
const adapterCommon: Record<string, JsonSchema> = { address: str, port, authentication, description: str };

const exposesEntry = discriminated('type', adapterCommon, {
  rest: { properties: { namespace, resources: arrayOf(exposedResource) }, required: ['namespace', 'port'] },
  mcp: {
    properties: {
      namespace,
      transport: { type: 'string', enum: ['http', 'stdio'] },
      tools: arrayOf(mcpTool),
      resources: arrayOf(mcpResource),
      prompts: arrayOf(mcpPrompt),
    },
    required: ['namespace'],
  },
  skill: { properties: { namespace, skills: arrayOf(skill) }, required: ['namespace'] },
  control: { properties: { management: { type: 'object' }, observability: { type: 'object' } }, required: ['port'] },
});

const aggregate = closed(
  {
    label: str,
    description: str,
    namespace,
    functions: arrayOf(
      closed(
        {
          name: str,
          description: str,
          semantics: closed({ safe: bool, idempotent: bool, cacheable: bool }),
          inputParameters: arrayOf(toolParameter),
          ...invocation,
        },
        ['name'],
      ),
    ),
  },
  ['namespace', 'functions'],
);

const capability = closed(
  {
    consumes: arrayOf(consumesEntry),
    exposes: arrayOf(exposesEntry),
    binds: arrayOf(binding),
    aggregates: arrayOf(aggregate),
  },
  [],
  { if: { not: { required: ['consumes'] } }, then: { required: ['exposes'], 'x-message': "needs 'consumes' or 'exposes'" } },
);

/** The capability document schema, compiled once by `validateDocument`. */
export const capabilitySchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  definitions: {
    consumedParameter: closed(
      { ...typedParameterKeys, in: { type: 'string', enum: ['query', 'header', 'path', 'cookie', 'body', 'environment'] } },
      ['name', 'in'],
    ),
    outputParameter,
  },
  ...closed(
    {
      naftiko: { enum: [...SUPPORTED_VERSIONS, 0.5] },
      info,
      binds: arrayOf(binding),
      capability,
      // A shared consumes file, imported by capabilities through `consumes: [{import, location}]`.
      consumes: arrayOf(consumesEntry),
    },
    ['naftiko'],
    {
      if: { not: { required: ['consumes'] } },
      then: { required: ['capability'], 'x-message': "missing required key 'capability' (or a root-level 'consumes' list, for a shared consumes file)" },
    },
  ),
};
