/* Makes the CommonJS files from the ES module ones: index.cjs from index.js (each `export`
 * keyword dropped, the names gathered into module.exports) and index.d.cts from index.d.ts.
 * No bundler: index.js has no imports. The test cjs.test.cjs fails when the files here are
 * not what this script makes, so run `npm run build` after changing index.js or index.d.ts. */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NOTE = "/* Made from index.js by scripts/build-cjs.mjs: edit that file, then npm run " +
             "build. */\n";

export function buildCjs(esm) {
  const names = [];
  const body = esm.replace(/^export (class|function|async function|const|let) (\w+)/gm,
                           (all, what, name) => {
                             names.push(name);
                             return what + " " + name;
                           });
  if (/^\s*(export|import)\b/m.test(body)) {
    throw new Error("index.js has an import or an export this script does not handle");
  }
  return NOTE + '"use strict";\n' + body + "\nmodule.exports = { " + names.join(", ") + " };\n";
}

export function buildDcts(dts) {
  return dts.replace("/* Types of the fraudidx client (index.js).",
                     "/* Types of index.cjs (a copy of index.d.ts).");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const esm = fs.readFileSync(path.join(DIR, "index.js"), "utf8");
  fs.writeFileSync(path.join(DIR, "index.cjs"), buildCjs(esm));
  const dts = fs.readFileSync(path.join(DIR, "index.d.ts"), "utf8");
  fs.writeFileSync(path.join(DIR, "index.d.cts"), buildDcts(dts));
}
