import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = () => void;

let gc: Gc | undefined = (globalThis as { gc?: Gc }).gc;

/**
 * Runs a full garbage collection, so that heap figures are what is reachable and not what happens to
 * be uncollected. `npm run bench` starts node with `--expose-gc`; elsewhere (vitest) the flag is set at
 * run time and `gc` taken from a fresh context, as jest's leak detector does.
 */
export function collectGarbage(): void {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as Gc;
  }
  gc();
}
