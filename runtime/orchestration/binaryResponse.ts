/**
 * Ikanos REST binary responses: `responseBinary: {status, mediaType}`, or the `responses` entry whose
 * content is `binary: true`. The operation's output (a consumed `outputRawFormat: binary` answer,
 * base64 in the model) is then sent as raw bytes with that media type.
 */

/** How a REST operation answers with bytes. */
export interface BinaryResponse {
  status: number;
  mediaType: string;
}

import { isObject } from '../util/isObject.js';

type Raw = Record<string, unknown>;

/** The binary response an exposed REST operation declares, if any. */
export function binaryResponse(operation: Raw): BinaryResponse | undefined {
  const short = operation.responseBinary;
  if (isObject(short) && typeof short.mediaType === 'string') return { status: typeof short.status === 'number' ? short.status : 200, mediaType: short.mediaType };
  if (!isObject(operation.responses)) return undefined;
  for (const [status, response] of Object.entries(operation.responses)) {
    if (!/^2\d\d$/.test(status) || !isObject(response) || !isObject(response.content)) continue;
    const binary = Object.entries(response.content).find(([, media]) => isObject(media) && media.binary === true);
    if (binary) return { status: Number(status), mediaType: binary[0] };
  }
  return undefined;
}
