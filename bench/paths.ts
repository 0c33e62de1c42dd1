import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root, found by walking up from this module: the same whether the bench runs compiled
 * (`dist/bench/`) or from source under vitest (`bench/`).
 */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** The built `naftiko` command. */
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');

/** The Junction Users capability the invocation benchmarks call. */
export const USERS_CAPABILITY = join(ROOT, 'capabilities', 'vital-users.yaml');

/** The official Shipyard tutorial in each shape, kept in the repository as test fixtures. */
export const TUTORIALS = {
  naftiko: join(ROOT, 'test', 'fixtures', 'naftiko-alpha3', 'tutorial'),
  ikanos: join(ROOT, 'test', 'fixtures', 'ikanos-beta5', 'tutorial'),
};

/** The Users list declared with offset pagination, over the bench server's paged endpoint. */
export const PAGED_CAPABILITY = join(ROOT, 'bench', 'capabilities', 'paged-users.yaml');

/** A Users operation behind OAuth2 client credentials, with the bench server's token endpoint. */
export const OAUTH_CAPABILITY = join(ROOT, 'bench', 'capabilities', 'oauth-users.yaml');

/** The real-world corpus, kept in the repository as test fixtures. */
export const CORPUS = join(ROOT, 'test', 'fixtures', 'corpus');

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'capabilities'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package root above ${from}`);
  }
}
