// Image files for the simulator, which only needs them to exist.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function imageFolder(): { dir: string; image(name: string): string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'virtdisk-spec-'));
  return {
    dir,
    image(name) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, Buffer.alloc(512));
      return path.win32.resolve(file);
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
