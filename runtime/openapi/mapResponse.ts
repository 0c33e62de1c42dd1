/** The success response of an OpenAPI operation → the output format and type of the whole response. */
import type { RawFormat } from '../types.js';
import type { OutputModel } from './model.js';
import { deref, objectAt } from './document.js';
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

/** The output of the first 2xx response (then `2XX`, then `default`), typed from its schema. */
export function mapResponse(operation: { responses?: unknown }, ctx: ParameterContext): OutputModel {
  const responses = objectAt(operation, 'responses');
  const codes = Object.keys(responses).filter((c) => /^2\d\d$/.test(c)).sort();
  const code = codes.find((c) => Object.keys(objectAt(deref(ctx.document, responses[c]), 'content')).length > 0) ?? codes[0] ?? (responses['2XX'] ? '2XX' : 'default');
  const content = objectAt(deref(ctx.document, responses[code]), 'content');
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
