// Browser test of the web map, in headless Debian Chromium driven by
// playwright-core (never a downloaded browser).
//
// Ingests ../shared/seeds into a temporary database, starts `sitrep serve`
// on an ephemeral port, opens the page, clicks an Abu Kamal event that the
// Syrian Observatory (SOHR) is a source of, and checks that the side panel
// shows the SOHR claim and its evidence sentence (the text is taken from
// the API at run time, never written here). Also checks that the page makes
// no request outside the server, and saves docs/screenshots/map.png. Then
// opens the place's briefing view and checks that a casualty or
// displacement figure is shown with its source footnote (outlet and source
// chain, as the API gives them); saves docs/screenshots/briefing.png.
//
// Environment: SITREP_BIN (default ../target/debug/sitrep), CHROMIUM
// (default /usr/bin/chromium), SEEDS (default ../../shared/seeds).
// Without the seeds it prints a note and exits 0.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const bin = process.env.SITREP_BIN || join(repo, "target", "debug", "sitrep");
const browserPath = process.env.CHROMIUM || "/usr/bin/chromium";
const seeds = process.env.SEEDS || resolve(repo, "..", "shared", "seeds");
const shot = join(repo, "docs", "screenshots", "map.png");
const briefShot = join(repo, "docs", "screenshots", "briefing.png");

function fail(msg) {
  console.error("browser test FAILED: " + msg);
  process.exitCode = 1;
}

if (!existsSync(join(seeds, "meta.jsonl"))) {
  console.log(`note: ${seeds} not found; skipping the browser test`);
  process.exit(0);
}
if (!existsSync(bin)) {
  console.error(`no sitrep binary at ${bin}: run cargo build --bin sitrep first, or set SITREP_BIN`);
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), "sitrep-browser-"));
const db = join(tmp, "seeds.db");
execFileSync(bin, ["--db", db, "--quiet", "ingest", seeds], { stdio: ["ignore", "ignore", "inherit"] });

const server = spawn(bin, ["--db", db, "serve", "--addr", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
const base = await new Promise((ok, no) => {
  let out = "";
  const timer = setTimeout(() => no(new Error("server did not start in 60 s")), 60000);
  server.stdout.on("data", (d) => {
    out += d;
    const m = /at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
    if (m) { clearTimeout(timer); ok(m[1]); }
  });
  server.on("exit", (c) => no(new Error("server exited with " + c)));
});

let browser;
try {
  // An Abu Kamal event with a SOHR claim that has an evidence sentence.
  const list = await (await fetch(`${base}/api/events?place=174448&limit=500`)).json();
  let target = null;
  for (const e of list.events) {
    if (!e.location || e.location.lat === null) continue;
    const d = await (await fetch(`${base}/api/events/${encodeURIComponent(e.id)}`)).json();
    const claim = d.claims.find((c) => /SOHR|Observatory/.test(c.source) && c.evidence.some((x) => x.text));
    if (claim) { target = { id: e.id, source: claim.source, sentence: claim.evidence.find((x) => x.text).text }; break; }
  }
  if (!target) throw new Error("no Abu Kamal event with a SOHR claim in the seeds database");
  console.log(`target event ${target.id}; source ${target.source}`);

  browser = await chromium.launch({
    executablePath: browserPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
      "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const outside = [];
  await page.route("**/*", (route) => {
    const u = new URL(route.request().url());
    if (u.origin === base) return route.continue();
    outside.push(u.href);
    return route.abort();
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

  await page.goto(base + "/", { waitUntil: "load" });
  await page.waitForSelector("body[data-ready=true]", { timeout: 30000 });
  const countries = await page.locator("path.leaflet-interactive, .leaflet-overlay-pane path").count();
  if (countries < 100) fail(`base map drew only ${countries} shapes`);

  const cls = "ev-" + target.id.replace(/[^A-Za-z0-9_-]/g, "_");
  const marker = page.locator(`path.${cls}`);
  if ((await marker.count()) !== 1) throw new Error(`no marker for ${target.id}`);
  await marker.click({ timeout: 15000 });
  await page.waitForSelector(`#panel-body[data-event="${target.id}"]`, { timeout: 15000 });
  const panel = page.locator("#panel-body");
  const sources = await panel.locator("td.claim-source").allTextContents();
  if (!sources.some((s) => s === target.source)) fail(`panel claims do not name ${target.source}: ${sources.join(", ")}`);
  const quotes = await panel.locator("blockquote.evidence .sentence").allTextContents();
  if (!quotes.some((q) => q === target.sentence)) fail("panel does not show the SOHR claim's evidence sentence");
  const marks = await panel.locator("blockquote.evidence mark").count();
  console.log(`panel: ${sources.length} claims, ${quotes.length} evidence sentences, ${marks} highlighted values`);

  // Bring the SOHR claim's sentence into view for the screenshot.
  await panel.locator("blockquote.evidence .sentence", { hasText: target.sentence.slice(0, 60) }).first().scrollIntoViewIfNeeded();
  mkdirSync(dirname(shot), { recursive: true });
  await page.screenshot({ path: shot });
  console.log(`screenshot: ${shot}`);

  // The place view: Abu Kamal's control timeline.
  await panel.locator("#place-view button#control-button").click();
  await page.waitForSelector("#place-view ol.timeline li", { timeout: 15000 });
  const periods = await page.locator("#place-view ol.timeline li").count();
  console.log(`control timeline: ${periods} entries`);

  // The briefing view: a cited situation report of the place over the
  // current time range. A figure must be shown with its source footnote,
  // as the API states it.
  await panel.locator("#briefing-button").click();
  await page.waitForSelector("#panel-body[data-briefing]", { timeout: 30000 });
  const mdHref = await page.locator("#briefing-view a", { hasText: "Markdown" }).getAttribute("href");
  const query = mdHref.replace(/^\/api\/briefing\?/, "").replace(/&format=md$/, "");
  const brief = await (await fetch(`${base}/api/briefing?${query}`)).json();
  const figures = brief.sections
    .filter((s) => s.id === "events")
    .flatMap((s) => s.items.flatMap((i) => i.sentences))
    .filter((x) => x.kind === "generated" && /^(.+ dead|Killed \(all sides\)|Civilians killed|Injured|Displaced): low /.test(x.text));
  if (!figures.length) throw new Error("the briefing states no figure");
  const fig = figures[0];
  const shown = page.locator("#briefing-view .brief-sentence", { hasText: fig.text });
  if ((await shown.count()) < 1) fail(`briefing view does not show the figure sentence: ${fig.text}`);
  const n = fig.notes[0];
  const refs = await shown.first().locator("sup.fn a").allTextContents();
  if (!refs.includes(`[${n}]`)) fail(`figure sentence lacks footnote [${n}]: ${refs.join(" ")}`);
  const note = brief.notes[n - 1];
  const noteText = await page.locator(`#briefing-notes li#note-${n}`).textContent();
  if (!noteText || !noteText.includes(note.outlet) || !noteText.includes(note.chain)) {
    fail(`footnote ${n} does not name ${note.outlet} and ${note.chain}: ${noteText}`);
  }
  const briefQuotes = await page.locator("#briefing-view blockquote.brief-quote").count();
  console.log(`briefing: "${fig.text}" [${n}] ${note.outlet}, ${note.chain}; ${briefQuotes} quoted sentences`);
  await shown.first().scrollIntoViewIfNeeded();
  await page.screenshot({ path: briefShot });
  console.log(`screenshot: ${briefShot}`);

  if (outside.length) fail("requests outside the server: " + outside.join(", "));
  if (errors.length) fail("page errors: " + errors.join(" | "));
  if (!process.exitCode) console.log("browser test passed");
} catch (e) {
  fail(e.stack || String(e));
} finally {
  if (browser) await browser.close();
  server.kill("SIGINT");
  rmSync(tmp, { recursive: true, force: true });
}
