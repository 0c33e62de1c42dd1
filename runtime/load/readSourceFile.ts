import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Largest capability, import or bind file read, in bytes: the biggest real capability is under 1 MiB. */
export const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

/**
 * Reads a file the capability names (itself, an import, a bind file) as UTF-8 text. Refuses what is not
 * a regular file (`/dev/zero`, a FIFO, a directory) and files over {@link MAX_SOURCE_BYTES}, which
 * would otherwise be read forever or exhaust memory. Throws an `Error` whose message says why, in words
 * (`no such file`, `not a regular file`, …), for the loader to turn into a diagnostic.
 */
export function readSourceFile(path: string): string {
  let fd: number;
  try {
    // Non-blocking, so that opening a FIFO with no writer returns at once (and is then refused).
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new Error(describe(error as NodeJS.ErrnoException));
  }
  try {
    // fstat on the opened descriptor: the file checked is the file read, whatever replaces the path meanwhile.
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(stat.isDirectory() ? 'it is a directory' : 'not a regular file');
    if (stat.size > MAX_SOURCE_BYTES) throw new Error(`larger than ${MAX_SOURCE_BYTES} bytes`);
    const buffer = Buffer.allocUnsafe(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.toString('utf8', 0, read);
  } finally {
    closeSync(fd);
  }
}

function describe(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return error.message;
  }
}
