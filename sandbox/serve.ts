/**
 * Runs the Junction sandbox in the foreground: `node dist/sandbox/serve.js [--port N] [--host H]`,
 * and the Vitable stand-in on the next port (a free one with port 0). Prints the base URLs and keys,
 * and stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { SANDBOX_API_KEY, SANDBOX_ORG_KEY, startJunctionSandbox } from './junction.js';
import { SANDBOX_VITABLE_KEY, startVitableSandbox } from './vitable.js';

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer between 0 and 65535, got "${text}"`);
  return port;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' } } });
  const port = parsePort(values.port);
  const sandbox = await startJunctionSandbox({ port, host: values.host });
  const vitable = await startVitableSandbox({ port: port === 0 ? 0 : port + 1, host: values.host });
  console.log(`Junction sandbox listening on ${sandbox.url}`);
  console.log(`  X-Vital-API-Key: ${SANDBOX_API_KEY}`);
  console.log(`  X-Vital-Org-Key: ${SANDBOX_ORG_KEY} (Org Management under ${sandbox.url}/management)`);
  console.log(`Vitable sandbox listening on ${vitable.url}`);
  console.log(`  Authorization: Bearer ${SANDBOX_VITABLE_KEY}`);
  const stop = (): void => {
    Promise.all([sandbox.close(), vitable.close()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
