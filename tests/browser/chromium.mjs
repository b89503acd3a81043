// What the browser tests share: Debian's headless Chromium, and a page that
// records every console error, page error, failed request and HTTP error it
// meets, so that a test can fail on any of them.
import puppeteer from "puppeteer-core";

export function launch() {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  });
}

// A new page of browser, and the list its problems are written to.
export async function watchedPage(browser) {
  const page = await browser.newPage();
  const seen = [];
  page.on("console", (m) => { if (m.type() === "error") seen.push("console error: " + m.text()); });
  page.on("pageerror", (e) => seen.push("page error: " + e.message));
  page.on("requestfailed", (r) => seen.push("request failed: " + r.url() + " " + (r.failure()?.errorText ?? "")));
  page.on("response", (r) => { if (r.status() >= 400) seen.push(`HTTP ${r.status()}: ${r.url()}`); });
  return { page, seen };
}
