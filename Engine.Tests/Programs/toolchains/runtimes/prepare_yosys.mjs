// Lays out what RuntimeProgramTests.YosysSynthesizesDesign needs from the npm package @yowasp/yosys:
// OUT/yosys.core.wasm (the WASI preview1 core module of the package's component) and OUT/share/
// (the techmap libraries, which the package keeps inside gen/resources-yosys.js and gen/share/).
//   node prepare_yosys.mjs node_modules/@yowasp/yosys OUT
import fs from "fs";
import path from "path";
import { pathToFileURL } from "url";

const [pkg, out] = process.argv.slice(2);
const { filesystem } = await import(pathToFileURL(path.resolve(pkg, "gen/resources-yosys.js")));
function dump(tree, dir) {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, value] of Object.entries(tree)) {
    const target = path.join(dir, name);
    if (typeof value === "string" || value instanceof Uint8Array) fs.writeFileSync(target, value);
    else if (value instanceof URL) fs.copyFileSync(value, target);
    else dump(value, target);
  }
}
dump(filesystem, out);
fs.copyFileSync(path.resolve(pkg, "gen/yosys.core.wasm"), path.join(out, "yosys.core.wasm"));
console.log(`wrote ${out}/yosys.core.wasm and ${out}/share`);
