// Live reload in a real browser: Debian Chromium, headless, driven by
// playwright-core. Serves a copy of the sample blog with `glossator serve`,
// opens the seed post, and checks that
//   1. an edited sentence appears with no navigation by the test, at the
//      same scroll position;
//   2. a stylesheet edit changes a computed style while a marker set on
//      `window` survives (the CSS was swapped, the page not reloaded).
// Needs scripts/install-test-tools.sh. Usage: node scripts/check-livereload.mjs
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const require = createRequire(path.join(root, ".tools/node/"));
const { chromium } = require("playwright-core");

execFileSync("cargo", ["build", "--quiet", "--release"], { cwd: root, stdio: "inherit" });
const site = mkdtempSync(path.join(tmpdir(), "glossator-live-"));
for (const part of ["glossator.toml", "content", "themes"]) cpSync(path.join(root, part), path.join(site, part), { recursive: true });

function startServer(port) {
  const child = spawn(path.join(root, "target/release/glossator"), ["serve", "--port", String(port)], { cwd: site, stdio: ["ignore", "pipe", "inherit"] });
  const address = new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      process.stdout.write(`  serve: ${line}\n`);
      const match = line.match(/http:\/\/\S+/);
      if (match) resolve(match[0]);
    });
    child.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
    setTimeout(() => reject(new Error("serve did not start")), 30000);
  });
  return { child, address };
}

let { child: server, address } = startServer(0);
const url = await address;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync"],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 700 } });
  const post = "content/posts/2026-03-03-fish-for-ports.md";
  await page.goto(url + "2026/03/03/fish-for-ports/");
  await page.waitForFunction(() => window.WebSocket && document.querySelector('script[src*="livereload"]'));
  await page.waitForTimeout(300); // let the client connect
  await page.evaluate(() => window.scrollTo(0, 900));

  // 1. Text edit: the page reloads itself and shows the new sentence.
  const sentence = `Edited at ${Date.now()} while the browser watched.`;
  const text = readFileSync(path.join(site, post), "utf8");
  let started = performance.now();
  writeFileSync(path.join(site, post), text.replace("Three things worth noticing:", sentence));
  await page.waitForFunction((s) => document.body.innerText.includes(s), sentence, { timeout: 15000 });
  const reloadMs = performance.now() - started;
  await page.waitForFunction(() => window.scrollY > 800, null, { timeout: 5000 });
  const scrollY = await page.evaluate(() => window.scrollY);
  console.log(`check-livereload: edited sentence visible after ${reloadMs.toFixed(0)} ms, scroll kept at ${scrollY}px`);

  // 2. CSS edit: a computed style changes, the marker survives.
  await page.waitForTimeout(300);
  await page.evaluate(() => { window.__glossatorMarker = "still here"; });
  const css = path.join(site, "themes/default/static/style.css");
  started = performance.now();
  writeFileSync(css, readFileSync(css, "utf8") + "\n.site-title a { color: rgb(1, 2, 3); }\n");
  await page.waitForFunction(() => getComputedStyle(document.querySelector(".site-title a")).color === "rgb(1, 2, 3)", null, { timeout: 15000 });
  const cssMs = performance.now() - started;
  const marker = await page.evaluate(() => window.__glossatorMarker);
  if (marker !== "still here") throw new Error(`the page reloaded on a CSS change (marker: ${marker})`);
  console.log(`check-livereload: stylesheet swapped after ${cssMs.toFixed(0)} ms without a reload (window marker kept)`);

  // 3. The server restarts: the page reconnects and follows the next edit.
  const port = new URL(url).port;
  server.kill();
  await new Promise((resolve) => server.once("exit", resolve));
  ({ child: server, address } = startServer(port));
  const again = await address;
  if (!again.includes(`:${port}/`)) throw new Error(`the restarted server took another port: ${again}`);
  await page.waitForTimeout(2500); // the client retries every 2 s at most
  const after = `Edited after a restart at ${Date.now()}.`;
  const current = readFileSync(path.join(site, post), "utf8");
  writeFileSync(path.join(site, post), current.replace(sentence, after));
  await page.waitForFunction((s) => document.body.innerText.includes(s), after, { timeout: 15000 });
  console.log("check-livereload: after a server restart the page reconnected and showed the next edit");

  // 4. A broken post: the error panel shows, opaque, and Esc dismisses it.
  const good = readFileSync(path.join(site, post), "utf8");
  writeFileSync(path.join(site, post), good.replace(/^date = .*$/m, 'date = "2026-02-30"'));
  await page.waitForSelector("#glossator-overlay", { timeout: 15000 });
  const background = await page.evaluate(() => getComputedStyle(document.getElementById("glossator-overlay")).backgroundColor);
  if (!/^rgb\(/.test(background)) throw new Error(`the error panel is not opaque (${background})`);
  await page.keyboard.press("Escape");
  await page.waitForSelector("#glossator-overlay", { state: "detached", timeout: 5000 });
  writeFileSync(path.join(site, post), good);
  await page.waitForFunction((s) => document.body.innerText.includes(s), after, { timeout: 15000 });
  console.log("check-livereload: a broken post showed an opaque error panel that Esc dismissed; the fix reloaded the page");
} catch (e) {
  failed = true;
  console.error(`check-livereload: FAILED: ${e.message}`);
} finally {
  await browser.close();
  server.kill();
  rmSync(site, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
