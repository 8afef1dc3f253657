// The package's version, from its package.json: ../package.json beside the .ts sources, ../../package.json
// beside dist/bin/*.js.
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'virtdisk' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not there: the other layout
    }
  }
  return 'unknown';
}
