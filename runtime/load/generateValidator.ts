/**
 * Build step: compiles the capability schema and the official Ikanos schema once and writes each
 * validator as a CommonJS module next to this file in dist/, so a process that loads capabilities does
 * not pay for schema compilation (the largest part of the CLI's start-up). CommonJS because ajv's
 * standalone code `require`s its runtime helpers. Run by `npm run build`.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { capabilitySchema } from './schema.js';
import { AJV_OPTIONS, PRECOMPILED_VALIDATOR } from './validateDocument.js';
import { IKANOS_AJV_OPTIONS, IKANOS_SCHEMA_FILE, PRECOMPILED_IKANOS_VALIDATOR, ikanosSchema } from './validateIkanos.js';

const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
writeFileSync(new URL(PRECOMPILED_VALIDATOR, import.meta.url), standaloneCode.default(ajv, ajv.compile(capabilitySchema)));

// The official schema ships beside the compiled modules (tsc copies only imported JSON).
copyFileSync(new URL(`../../../runtime/load/${IKANOS_SCHEMA_FILE}`, import.meta.url), new URL(IKANOS_SCHEMA_FILE, import.meta.url));
const ajv2020 = new Ajv2020({ ...IKANOS_AJV_OPTIONS, code: { source: true } });
writeFileSync(new URL(PRECOMPILED_IKANOS_VALIDATOR, import.meta.url), standaloneCode.default(ajv2020, ajv2020.compile(ikanosSchema())));
