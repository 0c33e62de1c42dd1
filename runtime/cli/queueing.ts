/**
 * What `naftiko worker` and `naftiko enqueue` share: the Redis URL, and the BullMQ adapter, loaded
 * only when one of them runs so that every other command starts without it.
 */
import { NotSupportedError } from '../errors.js';
import { UsageError, type Command } from './args.js';
import { cliIO } from './output.js';

/** Where Redis is when neither `--redis` nor `REDIS_URL` says. */
const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The help text's paragraph about `--redis`. */
export const REDIS_HELP = `  --redis URL           Redis to use: redis://[user:password@]host:port[/db],
                        rediss:// for TLS (default: $REDIS_URL, else
                        ${DEFAULT_REDIS_URL})`;

/** `--redis`, else `REDIS_URL`, else the default; checked to be a redis:// or rediss:// URL. */
export function redisUrl(command: Command, value: string | undefined): string {
  const text = value ?? cliIO().env.REDIS_URL ?? DEFAULT_REDIS_URL;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new UsageError(`--redis must be a redis:// or rediss:// URL (got '${displayRedisUrl(text)}')`, command.usage, command.name);
  }
  return text;
}

/** A Redis URL fit to print: its password masked. */
export function displayRedisUrl(text: string): string {
  try {
    const url = new URL(text);
    if (url.password !== '') url.password = '***';
    return url.href;
  } catch {
    return text.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** The BullMQ adapter; NOT_SUPPORTED naming the packages to install when bullmq or ioredis is missing. */
export async function loadBullmqAdapter(command: Command): Promise<typeof import('../bullmq/index.js')> {
  try {
    // ioredis is what bullmq connects with; it is bullmq's optional peer, so check it here, up front.
    await import('ioredis');
    return await import('../bullmq/index.js');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    throw new NotSupportedError(`naftiko ${command.name} needs the bullmq and ioredis packages: npm install bullmq ioredis (${(error as Error).message.split('\n')[0]})`);
  }
}
