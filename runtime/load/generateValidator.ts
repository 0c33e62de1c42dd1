/**
 * Build step: compiles the capability schema once and writes the validator as a CommonJS module next to
 * this file in dist/, so a process that loads capabilities does not pay for schema compilation (the
 * largest part of the CLI's start-up). CommonJS because ajv's standalone code `require`s its runtime
 * helpers. Run by `npm run build`.
 */
import { writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { capabilitySchema } from './schema.js';
import { AJV_OPTIONS, PRECOMPILED_VALIDATOR } from './validateDocument.js';

const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
const code = standaloneCode.default(ajv, ajv.compile(capabilitySchema));
writeFileSync(new URL(PRECOMPILED_VALIDATOR, import.meta.url), code);
