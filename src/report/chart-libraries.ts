/**
 * The charting libraries the report page inlines: d3 and Observable Plot (both ISC-licensed), as
 * their installed packages ship them (the UMD build each package names under `exports.umd`), each
 * with its licence text. Read from node_modules when a report is written, never at start-up.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { SnncError } from "../ir/errors.ts";

export interface ChartLibrary {
  name: string;
  version: string;
  license: string;
  /** The licence text the package ships. */
  licenseText: string;
  /** The script itself. */
  code: string;
}

/** The packages, in the order the page loads them (Plot's UMD build reads the global d3). */
export const CHART_PACKAGES = ["d3", "@observablehq/plot"] as const;

/** The installed package's folder (the first node_modules on the resolution path that holds it). */
function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(name) ?? []) {
    const d = join(dir, name);
    if (existsSync(join(d, "package.json"))) return d;
  }
  throw new SnncError("E_IO", `the report's charting library '${name}' is not installed (run 'npm ci' in snnc)`);
}

function readLibrary(name: string): ChartLibrary {
  const dir = packageDir(name);
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    version: string;
    license: string;
    exports?: { umd?: string };
  };
  const umd = pkg.exports?.umd;
  if (!umd) throw new SnncError("E_IO", `the installed '${name}' ${pkg.version} names no UMD build`);
  return {
    name,
    version: pkg.version,
    license: pkg.license,
    licenseText: readFileSync(join(dir, "LICENSE"), "utf8").trim(),
    code: readFileSync(join(dir, umd), "utf8"),
  };
}

/** d3 and Plot, read from the installed packages. */
export function readChartLibraries(): ChartLibrary[] {
  return CHART_PACKAGES.map(readLibrary);
}
