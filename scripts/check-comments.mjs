// The comment form in a real browser: Debian Chromium, headless, driven by
// playwright-core, against `glossator respond` and a copy of the sample
// blog built with `[comments] endpoint` set. Checks that
//   1. with JavaScript off, the plain form posts, the service redirects,
//      and the post shows the "awaits moderation" notice (:target);
//   2. with JavaScript on, the page passes axe-core with the form on it;
//      "Reply" moves the form under a comment; the comment is sent with
//      fetch and the message appears in place, with no navigation; a
//      refusal is shown in the alert region;
//   3. both comments are in the queue, and approving the reply puts it
//      in the rebuilt site under the comment it answers.
// Needs scripts/install-test-tools.sh. Usage: node scripts/check-comments.mjs
import { spawn, execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { serveFolder } from "./lib/static-site.mjs";
import { createServer as createNetServer } from "node:net";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const require = createRequire(path.join(root, ".tools/node/"));
const { chromium } = require("playwright-core");
const axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
const bin = path.join(root, "target/release/glossator");

execFileSync("cargo", ["build", "--quiet", "--release"], { cwd: root, stdio: "inherit" });
const site = mkdtempSync(path.join(tmpdir(), "glossator-comments-"));
for (const part of ["glossator.toml", "content", "themes"]) cpSync(path.join(root, part), path.join(site, part), { recursive: true });
const publicDir = path.join(site, "public");

const { base, close: closeSite } = await serveFolder(publicDir);

async function freePort() {
  const s = createNetServer();
  await new Promise((ok) => s.listen(0, "127.0.0.1", ok));
  const port = s.address().port;
  await new Promise((ok) => s.close(ok));
  return port;
}
const respondPort = await freePort();
const endpoint = `http://127.0.0.1:${respondPort}/`;

const config = readFileSync(path.join(site, "glossator.toml"), "utf8")
  .replace(/^base_url = .*$/m, `base_url = "${base}"`)
  .replace(/^\[comments\]$/m, `[comments]\nendpoint = "${endpoint}"`);
writeFileSync(path.join(site, "glossator.toml"), config);
const glossator = (...args) => execFileSync(bin, args, { cwd: site }).toString();
glossator("build", "--quiet");

const service = spawn(bin, ["respond", "--port", String(respondPort)], { cwd: site, stdio: ["ignore", "pipe", "inherit"] });
await new Promise((resolve, reject) => {
  createInterface({ input: service.stdout }).on("line", (line) => {
    process.stdout.write(`  respond: ${line}\n`);
    if (line.includes("Taking comments")) resolve();
  });
  service.on("exit", (code) => reject(new Error(`respond exited with ${code}`)));
  setTimeout(() => reject(new Error("respond did not start")), 30000);
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync"],
});
function filesContaining(dir, needle) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .filter((f) => readFileSync(f).includes(needle));
}
const postPath = "/2026/03/03/fish-for-ports/";
let failed = false;
const check = (ok, what) => {
  console.log(`check-comments: ${ok ? "ok" : "FAILED"}: ${what}`);
  if (!ok) failed = true;
};

try {
  // 1. No JavaScript: a plain form post and a redirect.
  {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(base + postPath);
    check(!(await page.isVisible("#comment-pending")), "the notice is hidden before posting");
    await page.fill("#comment-body", "Posted with scripts off: the *plain* form works.");
    await page.fill("#comment-author", "Plain Reader");
    await page.fill("#comment-email", "plain.reader@mail.example");
    await Promise.all([page.waitForURL(/#comment-pending$/, { timeout: 15000 }), page.click("form.comment-form button[type=submit]")]);
    check(page.url() === base + postPath + "#comment-pending", `redirected back to the post (${page.url()})`);
    check(await page.isVisible("#comment-pending"), "the moderation notice shows (:target)");
    await context.close();
  }

  // 2. JavaScript on: axe, reply in place, fetch, refusal.
  let parentId;
  {
    const page = await browser.newPage();
    await page.goto(base + postPath);
    await page.addScriptTag({ content: axeSource });
    const axe = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ["violations"] }));
    for (const v of axe.violations) console.log(`  axe: ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
    check(axe.violations.length === 0, `axe-core finds no violations with the form on the page (${axe.violations.length})`);

    await page.evaluate(() => { window.__stayed = true; });
    const reply = page.locator("a.comment-reply").first();
    parentId = await reply.getAttribute("data-reply-to");
    await reply.click();
    check(await page.evaluate((id) => document.querySelector(`#comment-${id} > article + form.comment-form`) !== null, parentId),
      `"Reply" moved the form under comment ${parentId}`);
    check(await page.inputValue("form.comment-form input[name=parent]") === parentId, "the form's parent is set");
    check(await page.evaluate(() => document.activeElement?.id === "comment-body"), "the comment box has the focus");
    await page.fill("#comment-body", "Sent with fetch, as a reply.");
    await page.fill("#comment-author", "Script Reader");
    await page.click("form.comment-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector(".comment-form-status")?.textContent.includes("awaits moderation"), null, { timeout: 15000 });
    check(await page.evaluate(() => window.__stayed === true), "the message appeared in place, with no navigation");
    check(await page.inputValue("#comment-body") === "", "the comment box was emptied");

    // A refusal is announced in the alert region.
    await page.evaluate(() => { document.querySelector("form.comment-form input[name=token]").value = "0".repeat(32); });
    await page.fill("#comment-body", "This one has a broken token.");
    await page.click("form.comment-form button[type=submit]");
    await page.waitForFunction(() => document.querySelector(".comment-form-error")?.textContent.includes("token"), null, { timeout: 15000 });
    check(true, "a refused comment is explained in the alert region");
    await page.close();
  }

  // 3. The queue, and approval into the thread.
  const listed = glossator("comments", "list");
  process.stdout.write(listed.trimEnd().replace(/^/gm, "  queue: ") + "\n");
  const ids = listed.trim().split("\n").map((l) => l.split(/\s+/)[0]);
  check(ids.length === 2, `two comments wait (${ids.length})`);
  const replyId = ids.find((id) => glossator("comments", "show", id).includes(`replies: ${parentId}`));
  check(Boolean(replyId), "the reply kept its parent");
  glossator("comments", "approve", "--quiet", replyId);
  const pages = execFileSync("grep", ["-rl", `id="comment-${replyId}"`, publicDir]).toString().trim().split("\n");
  const html = readFileSync(pages[0], "utf8");
  const nested = new RegExp(`id="comment-${parentId}"[\\s\\S]*id="comment-${replyId}"`).test(html);
  check(nested, `the approved reply is on the site after its parent (${path.relative(publicDir, pages[0])})`);
  const leaks = [publicDir, path.join(site, "content")].flatMap((dir) => filesContaining(dir, "plain.reader@mail.example"));
  check(leaks.length === 0, `no email address in content/ or public/ (${leaks.join(", ")})`);
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  await browser.close();
  service.kill();
  closeSite();
  rmSync(site, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
