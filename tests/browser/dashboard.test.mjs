// The dashboard in Debian's headless Chromium against the real server
// (scripts/check-browser.sh starts it on a demo ledger and passes its URL).
// Fails on any console error, page error, failed request or HTTP error the
// page meets, and on every check below. Also prints the approved quarter's
// report to PDF (argv[3]) for the script to read back.
//
//   node dashboard.test.mjs http://127.0.0.1:PORT OUT_DIR
import { launch, watchedPage } from "./chromium.mjs";
import { writeFileSync } from "node:fs";

const base = process.argv[2];
const out = process.argv[3];
const problems = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) problems.push(what);
};

const api = async (path) => (await fetch(base + path)).json();
const departments = await api("/v1/departments");
const policyOrder = departments.map((d) => d.code);
const quarters = await api("/v1/quarters");
const approved = quarters.filter((q) => q.status === "approved").map((q) => q.quarter);
const provisional = quarters.filter((q) => q.status !== "approved").map((q) => q.quarter);

const browser = await launch();
try {
  const { page, seen } = await watchedPage(browser);

  // Loading state: the scores arrive late; until then the card says so.
  await page.setViewport({ width: 1400, height: 900 });
  await page.setRequestInterception(true);
  let hold = true;
  page.on("request", (req) => {
    if (hold && req.url().includes("/scores")) setTimeout(() => req.continue(), 700);
    else req.continue();
  });
  await page.goto(base + "/?lang=zh", { waitUntil: "domcontentloaded" });
  await page.waitForSelector("#quarter option");
  check((await page.$eval("#scores", (e) => e.textContent)).includes("加载中"), "a loading state while the scores load");
  hold = false;
  await page.waitForSelector("button.score", { timeout: 10000 });
  await page.waitForNetworkIdle({ idleTime: 300 });

  // The table: every department of the policy, in its order, in Chinese.
  const rows = await page.$$eval("#scores tr[data-department]", (trs) => trs.map((tr) => tr.dataset.department));
  check(JSON.stringify(rows) === JSON.stringify(policyOrder), `the score table lists ${policyOrder.length} departments in the policy's order (${rows.join(",")})`);
  const table = await page.$eval("#scores", (e) => e.textContent);
  check(table.includes("总分") && table.includes("等次"), "Chinese column headings");
  check(!/excellent|qualified|selfcheck/.test(table), "no English in the Chinese table");
  // Every score is reachable by keyboard: a button, in the tab order.
  const focusable = await page.$$eval("button.score", (bs) => bs.every((b) => b.tabIndex >= 0 && !b.disabled));
  check(focusable && (await page.$$("button.score")).length === policyOrder.length, "every score is a focusable button");
  const ledgerOrder = await page.$$eval("#ledgerTotals tr td:first-child", (tds) => tds.map((td) => td.textContent));
  const names = Object.fromEntries(departments.map((d) => [d.name, d.code]));
  const ledgerCodes = ledgerOrder.map((n) => names[n]).filter(Boolean);
  const expected = policyOrder.filter((c) => ledgerCodes.includes(c));
  check(JSON.stringify(ledgerCodes) === JSON.stringify(expected), `the ledger card in the policy's order (${ledgerOrder.join(",")})`);
  check(await page.$("#trend .line95") !== null, "the trend chart marks the 95 line");

  // The complaint register fits at 1,400 px.
  const fit = await page.$eval("#complaints", (e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
  check(fit.scroll <= fit.client, `the complaint register fits at 1400 px (${fit.scroll} <= ${fit.client})`);

  // Complaint times are local time in the ledger's zone, without the offset.
  const register = await page.$eval("#complaints", (e) => e.textContent);
  check(!register.includes("+08:00") && !register.includes("T0") && /\d{4}-\d\d-\d\d \d\d:\d\d/.test(register),
        "complaint times shown as local time");

  // A click on a score opens its derivation, in Chinese.
  await page.click('button.score[data-d="storage"]');
  await page.waitForSelector("#overlay.open #panel tr.step");
  const panel = await page.$eval("#panel", (e) => e.textContent);
  check(panel.includes("得分推导") && panel.includes("自查上报"), "the derivation opens with Chinese event kinds");
  check(!panel.includes("selfcheck.reported") && !panel.includes("policy v"), "no English event types in the Chinese derivation");
  check(await page.evaluate(() => document.activeElement?.id === "closePanel"), "focus moves to the panel's close button");
  await page.keyboard.press("Escape");
  check(await page.$("#overlay.open") === null, "Escape closes the derivation");
  check(await page.evaluate(() => document.activeElement?.classList.contains("score")), "focus returns to the score");
  // And by keyboard alone: Enter on a focused score opens it.
  await page.focus('button.score[data-d="orders"]');
  await page.keyboard.press("Enter");
  await page.waitForSelector("#overlay.open #panel tr.step");
  check(true, "Enter on a focused score opens its derivation");
  await page.keyboard.press("Escape");

  // Provisional and approved quarters.
  for (const q of [provisional[0], approved[0]].filter(Boolean)) {
    await page.select("#quarter", q);
    await page.waitForFunction((q) => document.querySelector("#qstatus a")?.href.includes(q), {}, q);
    await page.waitForNetworkIdle({ idleTime: 300 });
    const status = await page.$eval("#qstatus", (e) => e.textContent);
    const isApproved = approved.includes(q);
    check(isApproved ? !status.includes("暂定") : status.includes("暂定"), `${q} is ${isApproved ? "not " : ""}marked provisional`);
    if (isApproved && quarters.filter((x) => x.quarter.startsWith(q.slice(0, 4))).every((x) => x.status === "approved")) {
      check(await page.$("#ledger .prov") === null, `no provisional line in the ledger card of ${q.slice(0, 4)}, all approved`);
    }
  }
  const options = await page.$$eval("#quarter option", (os) => os.map((o) => o.textContent));
  check(options.filter((o) => o.includes("暂定")).length === provisional.length, "the quarter picker marks the provisional quarters");

  // Switch language: everything in English.
  await page.click("#lang");
  await page.waitForFunction(() => document.querySelector("#scores")?.textContent.includes("Total"));
  await page.waitForNetworkIdle({ idleTime: 300 });
  const en = await page.$eval("main", (e) => e.textContent);
  check(en.includes("Department scores") && !en.includes("各部门考核结果"), "the language switch turns the headings English");
  check(/excellent|unqualified|qualified/.test(await page.$eval("#scores", (e) => e.textContent)), "grades in English");
  await page.click('button.score[data-d="storage"]');
  await page.waitForSelector("#overlay.open #panel tr.step");
  const enPanel = await page.$eval("#panel", (e) => e.textContent);
  check(enPanel.includes("selfcheck.reported") && !enPanel.includes("自查上报"), "the English derivation");
  await page.keyboard.press("Escape");

  // A phone: nothing wider than the screen; the tables scroll in their cards.
  await page.setViewport({ width: 390, height: 844, isMobile: true });
  await page.reload({ waitUntil: "networkidle0" });
  await page.waitForSelector("button.score");
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 390, `usable at 390 px: the page is ${wide} px wide`);
  await page.click('button.score[data-d="storage"]');
  await page.waitForSelector("#overlay.open #panel tr.step");
  check(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, "the derivation fits at 390 px");
  await page.screenshot({ path: `${out}/dashboard-390.png` });
  await page.keyboard.press("Escape");

  await page.setViewport({ width: 1400, height: 900 });
  await page.reload({ waitUntil: "networkidle0" });
  await page.screenshot({ path: `${out}/dashboard-1400.png`, fullPage: true });

  // The approved quarter's report, printed as the meeting gets it.
  const report = await browser.newPage();
  report.on("console", (m) => { if (m.type() === "error") seen.push("report console error: " + m.text()); });
  const q = approved[0];
  await report.goto(`${base}/v1/quarters/${q}/report?format=html`, { waitUntil: "networkidle0" });
  const pdf = await report.pdf({ preferCSSPageSize: true, printBackground: true });
  writeFileSync(`${out}/report-${q}.pdf`, pdf);
  console.log(`wrote ${out}/report-${q}.pdf`);

  for (const s of seen) check(false, s);
  if (!seen.length) check(true, "no console error, page error, failed request or HTTP error");
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(`browser test: ${problems.length} failed`);
  process.exit(1);
}
