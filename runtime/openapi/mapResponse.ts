/** The success response of an OpenAPI operation → the output format and type of the whole response. */
import type { RawFormat } from '../types.js';
import type { OutputModel } from './model.js';
import { deref, objectAt, type Raw } from './document.js';
import type { ParameterContext } from './mapParameters.js';

/** Media types → formats the runtime converts to a JSON tree, tried in this order. */
const FORMATS: Array<[RegExp, RawFormat]> = [
  [/^application\/(.+\+)?json\b/, 'json'],
  [/^(application|text)\/(.+\+)?xml\b/, 'xml'],
  [/^(application|text)\/(x-)?yaml\b/, 'yaml'],
  [/^text\/csv\b/, 'csv'],
  [/^text\/tab-separated-values\b/, 'tsv'],
  [/^text\/html\b/, 'html'],
  [/^text\/markdown\b/, 'markdown'],
  [/^text\//, 'text'],
  [/^(application\/(octet-stream|pdf|zip)|image\/|audio\/|video\/)/, 'binary'],
];

/** The success response of an operation: the first 2xx with content (then any 2xx, `2XX`, `default`). */
function successResponse(operation: { responses?: unknown }, document: Raw): { code: string; content: Raw } {
  const responses = objectAt(operation, 'responses');
  const codes = Object.keys(responses).filter((c) => /^2\d\d$/.test(c)).sort();
  const code = codes.find((c) => Object.keys(objectAt(deref(document, responses[c]), 'content')).length > 0) ?? codes[0] ?? (responses['2XX'] ? '2XX' : 'default');
  return { code, content: objectAt(deref(document, responses[code]), 'content') };
}

/** The JSON schema of the success response, when it is JSON and has one. */
export function successJsonSchema(operation: { responses?: unknown }, document: Raw): unknown {
  const { content } = successResponse(operation, document);
  const mediaType = Object.keys(content).find((t) => FORMATS[0][0].test(t.toLowerCase()));
  return mediaType === undefined ? undefined : objectAt(content, mediaType).schema;
}

/** The output of the success response, typed from its schema. */
export function mapResponse(operation: { responses?: unknown }, ctx: ParameterContext): OutputModel {
  const { code, content } = successResponse(operation, ctx.document);
  const types = Object.keys(content);
  for (const [pattern, format] of FORMATS) {
    const mediaType = types.find((t) => pattern.test(t.toLowerCase()));
    if (mediaType === undefined) continue;
    const schema = objectAt(content, mediaType).schema;
    // A CSV, XML or HTML response is converted to a JSON tree whose shape the schema of the text does not give.
    const type = schema === undefined || (format !== 'json' && format !== 'yaml') ? undefined : ctx.schemas.typeOf(schema);
    return type === undefined ? { format } : { format, type };
  }
  if (types.length > 0 && !types.includes('*/*')) ctx.report.notExpressible(ctx.subject, `response ${code} as ${types.join(', ')} is read as JSON`);
  return { format: 'json' };
}
