// The default theme measured in a real browser (Debian Chromium, headless,
// playwright-core) on the sample blog:
//   1. the measure: characters per full line (each paragraph's last line
//      left out) of body, quote and comment paragraphs on the sample's
//      longest post: 55-80 at 1280 px, 30-55 at 390 px;
//   2. on every page type, no list outside post content keeps the
//      browser's bullets, and no form control the browser's font size;
//   3. search results dated in the site's format, matched words marked;
//   4. with --screenshots DIR, the home page, the seed-shaped post and the
//      archive, light and dark, at 1280 px.
// Needs scripts/install-test-tools.sh.
// Usage: node scripts/check-theme.mjs [--screenshots DIR] [SITE_DIR]
import { serveFolder } from "./lib/static-site.mjs";
import { readFile, stat, readdir } from "node:fs/promises";
import { mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const require = createRequire(path.join(root, ".tools/node/"));
const { chromium } = require("playwright-core");

const args = process.argv.slice(2);
const shotsAt = args.indexOf("--screenshots");
const shots = shotsAt >= 0 ? args.splice(shotsAt, 2)[1] : null;
const site = args[0]
  ?? path.join(root, execFileSync(path.join(root, "scripts/build-sample.sh")).toString().trim().split("\n").pop());

const { base, close: closeSite } = await serveFolder(site);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync"],
});
let failed = false;
const fail = (message) => { console.error(`check-theme: FAILED: ${message}`); failed = true; };

// Post pages: every folder under YYYY/MM/DD/ with an index.html.
async function postPages() {
  const out = [];
  for (const year of (await readdir(site)).filter((d) => /^\d{4}$/.test(d))) {
    for (const month of (await readdir(path.join(site, year))).filter((d) => /^\d\d$/.test(d))) {
      for (const day of (await readdir(path.join(site, year, month))).filter((d) => /^\d\d$/.test(d))) {
        for (const slug of await readdir(path.join(site, year, month, day))) {
          const index = path.join(site, year, month, day, slug, "index.html");
          if (await stat(index).then(() => true, () => false)) out.push(`/${year}/${month}/${day}/${slug}/`);
        }
      }
    }
  }
  return out;
}

// Characters per full line of the paragraphs matching a selector.
function lineLengths(selector) {
  const lengths = [];
  for (const p of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
    const lines = [];
    let top = null;
    let count = 0;
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        if (!rect || rect.width === 0) continue;
        if (top !== null && rect.top > top + rect.height / 2) {
          lines.push(count);
          count = 0;
        }
        if (top === null || rect.top > top + rect.height / 2) top = rect.top;
        count += 1;
      }
    }
    // The last line is short by nature: left out.
    for (const n of lines) lengths.push(n);
  }
  return lengths;
}

try {
  const posts = await postPages();
  // The longest post, by its text.
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  let longest = null;
  let most = 0;
  for (const url of posts) {
    await page.goto(base + url);
    const n = await page.evaluate(() => document.querySelector("article .e-content")?.innerText.length ?? 0);
    if (n > most) { most = n; longest = url; }
  }
  const groups = {
    body: "article .e-content > p",
    quote: "article .e-content blockquote p",
    comment: ".comment-body p",
  };
  for (const [width, low, high] of [[1280, 55, 80], [390, 30, 55]]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(base + longest);
    for (const [name, selector] of Object.entries(groups)) {
      const lengths = await page.evaluate(lineLengths, selector);
      if (lengths.length === 0) { fail(`${longest}: no full ${name} lines at ${width} px`); continue; }
      const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
      const line = `${longest} at ${width} px: ${name} ${mean.toFixed(1)} characters per line (${lengths.length} lines, ${Math.min(...lengths)}-${Math.max(...lengths)})`;
      if (mean < low || mean > high) fail(`${line}; wanted ${low}-${high}`); else console.log(`check-theme: ${line}`);
    }
  }

  // Every page type: lists and form controls.
  const pageTypes = ["/", "/page/2/", "/archive/", "/tags/", "/categories/", "/search/", "/no-such-page/", "/about/",
    ...posts, "/2026/03/03/fish-for-ports/comments/page/2/", "/2026/", "/2026/03/"];
  const existing = [];
  for (const url of pageTypes) {
    const response = await page.goto(base + url);
    if (!response || (response.status() === 404 && url !== "/no-such-page/")) continue;
    existing.push(url);
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const problems = await page.evaluate(() => {
        const out = [];
        for (const li of document.querySelectorAll("li")) {
          // Task lists in post content: the checkbox is the marker.
          if (li.querySelector(":scope > input[type=checkbox]")) {
            if (getComputedStyle(li).listStyleType !== "none") out.push(`a task list item shows a bullet and a checkbox: "${li.innerText.slice(0, 40)}"`);
            continue;
          }
          if (li.closest(".e-content, .page-content, .comment-body, .footnotes")) continue;
          const style = getComputedStyle(li);
          if (style.display === "list-item" && style.listStyleType !== "none") {
            out.push(`a list item keeps its ${style.listStyleType} bullet: ${li.parentElement.className || li.parentElement.tagName} > "${li.innerText.slice(0, 40).replace(/\s+/g, " ")}"`);
          }
        }
        for (const control of document.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea, button, select")) {
          if (control.closest(".comment-trap, .e-content, .page-content")) continue;
          const size = parseFloat(getComputedStyle(control).fontSize);
          if (Math.abs(size - 13.333) < 0.01) out.push(`a ${control.tagName.toLowerCase()} keeps the browser's 13.3 px font`);
        }
        return [...new Set(out)];
      });
      for (const p of problems) fail(`${url} at ${width} px: ${p}`);
    }
  }
  console.log(`check-theme: lists and form controls checked on ${existing.length} pages, at 1280 and 390 px`);

  // Search: results dated as the rest of the site dates posts, and the
  // matched words marked.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(base + "/");
  const homeDate = await page.evaluate(() => document.querySelector("time.dt-published").textContent.trim());
  const title = await page.evaluate(() => document.querySelector(".summary h2 a").textContent);
  const term = title.split(/[^\p{L}]+/u).sort((a, b) => b.length - a.length)[0].toLowerCase();
  await page.goto(base + "/search/?q=" + encodeURIComponent(term));
  await page.waitForSelector("#search-results li", { timeout: 5000 });
  const results = await page.evaluate(() => [...document.querySelectorAll("#search-results li")].map((li) => ({
    date: li.querySelector("time")?.textContent ?? "",
    marks: [...li.querySelectorAll("mark")].map((m) => m.textContent.toLowerCase()),
  })));
  const shape = (d) => d.replace(/\d+/g, "9").replace(/\p{L}+/gu, "W");
  for (const r of results) {
    if (shape(r.date) !== shape(homeDate)) fail(`search result dated "${r.date}", the site dates posts "${homeDate}"`);
  }
  if (!results.some((r) => r.marks.some((m) => m.includes(term)))) fail(`search for "${term}": no matched word marked`);
  console.log(`check-theme: search for "${term}": ${results.length} results, dated like "${homeDate}", matches marked`);

  if (shots) {
    mkdirSync(shots, { recursive: true });
    for (const colorScheme of ["light", "dark"]) {
      const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 1000 } });
      const shot = await context.newPage();
      for (const [name, url] of [["home", "/"], ["post", "/2026/03/03/fish-for-ports/"], ["archive", "/archive/"]]) {
        await shot.goto(base + url);
        await shot.screenshot({ path: path.join(shots, `${name}-${colorScheme}.png`), fullPage: true });
      }
      await context.close();
    }
    console.log(`check-theme: screenshots in ${shots}`);
  }
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  await browser.close();
  closeSite();
}
process.exit(failed ? 1 : 0);
