// Checks that each .js file in the packed dist/ is its .ts source with the types erased and nothing else:
// both go through esbuild's printer (whitespace-minified, comments dropped; the source with esbuild's own
// type stripping, verbatimModuleSyntax like tsconfig.json), relative ".ts" specifiers read as ".js".
//   node --import tsx spec/consumer/types-erased.ts <unpacked package dir> <repository dir>
import fs from 'node:fs';
import path from 'node:path';
import { transformSync, type Loader } from 'esbuild';

const [packageDir, repo] = process.argv.slice(2);
if (!packageDir || !repo) throw new Error('usage: types-erased.ts <unpacked package dir> <repository dir>');

const print = (code: string, loader: Loader) =>
  transformSync(code, {
    loader, format: 'esm', target: 'esnext', minifyWhitespace: true, legalComments: 'none',
    tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true } },
  }).code
    .replace(/(["'])(\.\.?\/[^"']*?)\.ts\1/g, '$1$2.js$1') // rewriteRelativeImportExtensions
    .replace(/^export\{\};?\n?$/, ''); // tsc's marker for a module with only types

const dist = path.join(packageDir, 'dist');
const files = (fs.readdirSync(dist, { recursive: true }) as string[]).filter((f) => f.endsWith('.js')).sort();
const differing: string[] = [];
for (const file of files) {
  const source = path.join(repo, file.replace(/\.js$/, '.ts'));
  if (!fs.existsSync(source)) {
    differing.push(`${file}: no ${path.relative(repo, source)}`);
    continue;
  }
  const emitted = print(fs.readFileSync(path.join(dist, file), 'utf8'), 'js');
  const erased = print(fs.readFileSync(source, 'utf8'), 'ts');
  if (emitted !== erased) {
    let at = 0;
    while (emitted[at] === erased[at]) at++;
    differing.push(`${file}: differs at ${at}:\n  dist: …${emitted.slice(Math.max(0, at - 60), at + 60)}\n  .ts:  …${erased.slice(Math.max(0, at - 60), at + 60)}`);
  }
}
console.log(`${files.length} .js files compared with their .ts sources`);
if (differing.length > 0) {
  console.log(differing.join('\n'));
  process.exitCode = 1;
}
