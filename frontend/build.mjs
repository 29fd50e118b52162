// Builds static/ (a build output, not committed): GOV.UK Frontend CSS and assets, and the app bundle.
import { build } from "esbuild";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const govuk = "node_modules/govuk-frontend/dist/govuk";
rmSync("static", { recursive: true, force: true });
mkdirSync("static/govuk", { recursive: true });
mkdirSync("static/convene", { recursive: true });

// The compiled CSS points at /assets/…; make the URLs relative so they resolve under /static/govuk/.
const css = readFileSync(`${govuk}/govuk-frontend.min.css`, "utf8").replaceAll("url(/assets/", "url(assets/");
writeFileSync("static/govuk/govuk-frontend.min.css", css);
cpSync(`${govuk}/assets`, "static/govuk/assets", { recursive: true });
cpSync("frontend/convene.css", "static/convene/convene.css");

await build({
  entryPoints: { ui: "frontend/ui.js", minutes: "frontend/minutes.js", cockpit: "frontend/cockpit.js" },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: "es2020",
  outdir: "static/convene",
  logLevel: "warning",
});
console.log("built static/");
