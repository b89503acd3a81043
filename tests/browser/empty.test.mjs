// The dashboard of a ledger that has only its policy (qledger init, nothing
// appended), in Debian's headless Chromium against the real server
// (scripts/check-browser.sh starts it and passes its URL): every card says
// that nothing is recorded yet, in the page's language, and the page meets
// no console error, page error, failed request or HTTP error.
//
//   node empty.test.mjs http://127.0.0.1:PORT
import { launch, watchedPage } from "./chromium.mjs";

const base = process.argv[2];
const problems = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) problems.push(what);
};

const browser = await launch();
try {
  const { page, seen } = await watchedPage(browser);

  for (const [lang, words] of [["zh", "还没有"], ["en", "Nothing recorded"]]) {
    await page.goto(`${base}/?lang=${lang}`, { waitUntil: "networkidle0" });
    for (const card of ["scores", "trend", "ledger", "complaints"]) {
      const text = await page.$eval(`#${card}`, (e) => e.textContent);
      check(text.includes(words), `${lang}: the ${card} card says nothing is recorded yet ("${text.trim().slice(0, 40)}")`);
    }
    check(!(await page.$eval("main", (e) => e.textContent)).match(/加载中|Loading/), `${lang}: nothing is left loading`);
    check((await page.$eval("#head", (e) => e.textContent)).includes("#1"), `${lang}: the head is the policy's event, #1`);
  }
  for (const s of seen) check(false, s);
  if (!seen.length) check(true, "no console error, page error, failed request or HTTP error");
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(`empty-ledger browser test: ${problems.length} failed`);
  process.exit(1);
}
