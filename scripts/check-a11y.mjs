// Runs axe-core in headless Debian Chromium (driven by playwright-core) on
// a page of every type of the sample blog, in the light and the dark
// colour scheme, at desktop and phone widths, and fails on any violation.
// Needs scripts/install-test-tools.sh (chromium, playwright-core, axe-core).
// Usage: node scripts/check-a11y.mjs [SITE_DIR]
import { serveFolder } from "./lib/static-site.mjs";
import { readFile, stat } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const require = createRequire(path.join(root, ".tools/node/"));
const { chromium } = require("playwright-core");
const axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");

const site = process.argv[2]
  ?? path.join(root, execFileSync(path.join(root, "scripts/build-sample.sh")).toString().trim().split("\n").pop());

const { base, close: closeSite } = await serveFolder(site);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-component-update", "--disable-sync"],
  // playwright gives every launch a fresh temporary profile of its own.
});
// The home page, the seed-shaped post, and the post with code in six
// languages, whose every token colour axe checks for contrast.
// And one page of every other type, so no template goes unchecked.
const pages = ["/", "/2026/03/03/fish-for-ports/", "/2026/03/04/reading-the-fee-calculator/",
  "/page/2/", "/archive/", "/2026/", "/2026/03/", "/tags/", "/tags/kestria/", "/categories/", "/search/", "/about/",
  "/404.html", "/2026/03/03/fish-for-ports/comments/page/2/", "/2026/03/02/letters-nobody-signs/",
  "/2026/03/01/quoting-ada-morrow/", "/2026/02/27/note-on-sources/", "/2026/02/27/", "/links/", "/quotes/", "/notes/", "/series/the-strait-explained/"];
const codePage = pages[2];
let violations = 0;
for (const [colorScheme, width] of [["light", 1280], ["dark", 1280], ["light", 390], ["dark", 390]]) {
  const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 } });
  const page = await context.newPage();
  for (const url of pages) {
    const response = await page.goto(base + url);
    if (!response || response.status() !== 200) {
      violations += 1;
      console.error(`${url}: ${response ? response.status() : "no answer"} (is this page type still at this address?)`);
      continue;
    }
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    if (url === codePage) {
      const tokens = await page.locator("pre.code [class^=hl-]").count();
      if (tokens < 50) {
        violations += 1;
        console.error(`${url} (${colorScheme}): only ${tokens} highlighted tokens; is highlighting on?`);
      }
    }
    for (const v of result.violations) {
      violations += 1;
      console.error(`${url} (${colorScheme}): ${v.id} [${v.impact}] ${v.help}`);
      for (const n of v.nodes.slice(0, 5)) console.error(`    ${n.target.join(" ")}: ${n.failureSummary.replace(/\n/g, " ")}`);
    }
    console.log(`check-a11y: ${url} (${colorScheme}, ${width} px): ${result.violations.length} violations, ${result.passes?.length ?? "n/a"} rules passed`);
  }
  await context.close();
}
await browser.close();
closeSite();
process.exit(violations ? 1 : 0);
