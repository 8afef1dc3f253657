// One fresh process of bench/import-cost.ts: import the package, then make its first call into Windows
// (openVirtualDisk: loads koffi, the raw layer and the DLLs, then calls OpenVirtualDisk).
//   node.exe [--import tsx] import-cost-sample.mjs <specifier or file URL of the entry> [<image path>]
// Prints one JSON line of performance.now() readings (milliseconds since the process started):
//   top: this script starts   imported: the import resolved   called: the first call resolved
// Plain JavaScript: the installed-tarball side runs it with no loader.
const top = performance.now();
const [specifier, image] = process.argv.slice(2);
const virtdisk = await import(specifier);
const imported = performance.now();
if (image !== undefined) { // without an image (the koffi-alone side): the import only
  const disk = await virtdisk.openVirtualDisk(image);
  await disk.close();
}
const called = performance.now();
console.log(JSON.stringify({ top, imported, called }));
