#!/usr/bin/env bash
# Time and peak memory of `qledger import` of an .xlsx workbook against the
# same rows as CSV in the same run (the anchor: the streamed CSV import). For
# each N (default 100000 survey rows; ROWS="10000 100000" for more) the rows
# are written once as CSV and once as a workbook the way Excel stores them
# (shared strings, typed numbers, date cells in a date format; python's
# zipfile, deflated), and each is imported into a fresh ledger.
#
#   bench/xlsx_import.sh
#   ROWS="10000 100000" bench/xlsx_import.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
Q="${QLEDGER:-$ROOT/build/tools/qledger}"
ROWS="${ROWS:-100000}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/qledger-xlsx-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# shellcheck source=measure.sh
. "$ROOT/bench/measure.sh"

echo "machine: $(nproc) cores; binary: $Q"
printf '%-8s %-8s %-9s %-10s %-9s %-10s %-9s %-12s\n' rows csv_MB xlsx_MB csv_s csv_MB_rss xlsx_s xlsx_MB_rss xlsx/csv_s
for n in $ROWS; do
  python3 - "$n" "$WORK/s.csv" "$WORK/s.xlsx" <<'PY'
import sys, zipfile
from datetime import date
n, csv_path, xlsx_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
depts = ["市场经营部", "物流业务部", "储运中心"]
header = ["部门", "季度", "客户", "得分", "日期", "填报人"]
strings, index = [], {}
def s(text):
    if text not in index:
        index[text] = len(strings)
        strings.append(text)
    return index[text]
def esc(t):
    return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
rows = []
with open(csv_path, "w") as c:
    c.write(",".join(header) + "\n")
    rows.append('<row r="1">' + "".join('<c r="%s1" t="s"><v>%d</v></c>' % (chr(65 + k), s(h)) for k, h in enumerate(header)) + "</row>")
    for i in range(n):
        name, score, day = depts[i % 3], "%d.%d" % (85 + i % 15, i % 10), 1 + i % 28
        c.write("%s,2026Q3,客户%d,%s,2026-08-%02d,工作组\n" % (name, i, score, day))
        serial = (date(2026, 8, day) - date(1899, 12, 30)).days
        r = i + 2
        rows.append('<row r="%d"><c r="A%d" t="s"><v>%d</v></c><c r="B%d" t="s"><v>%d</v></c><c r="C%d" t="s"><v>%d</v></c>'
                    '<c r="D%d"><v>%s</v></c><c r="E%d" s="1"><v>%d</v></c><c r="F%d" t="s"><v>%d</v></c></row>'
                    % (r, r, s(name), r, s("2026Q3"), r, s("客户%d" % i), r, score, r, serial, r, s("工作组")))
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
with zipfile.ZipFile(xlsx_path, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("xl/workbook.xml", '<workbook %s xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
               '<sheets><sheet name="问卷" sheetId="1" r:id="rId1"/></sheets></workbook>' % ns)
    z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>')
    z.writestr("xl/styles.xml", '<styleSheet %s><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>' % ns)
    z.writestr("xl/sharedStrings.xml", '<sst %s>' % ns + "".join("<si><t>%s</t></si>" % esc(t) for t in strings) + "</sst>")
    z.writestr("xl/worksheets/sheet1.xml", '<worksheet %s><sheetData>' % ns + "".join(rows) + "</sheetData></worksheet>")
PY
  for kind in csv xlsx; do
    rm -rf "$WORK/l-$kind"
    "$Q" init --data "$WORK/l-$kind" --policy "$ROOT/config/policy.json" >/dev/null
  done
  read -r csv_rss csv_s < <(measure "$Q" import --data "$WORK/l-csv" --kind survey "$WORK/s.csv")
  read -r x_rss x_s < <(measure "$Q" import --data "$WORK/l-xlsx" --kind survey "$WORK/s.xlsx")
  # The two ledgers hold the same facts (the sources differ: file and sheet).
  a=$("$Q" scores --data "$WORK/l-csv" --quarter 2026Q3 | python3 -c 'import json,sys; print([s["total"] for s in json.load(sys.stdin)])')
  b=$("$Q" scores --data "$WORK/l-xlsx" --quarter 2026Q3 | python3 -c 'import json,sys; print([s["total"] for s in json.load(sys.stdin)])')
  [ "$a" = "$b" ] || { echo "xlsx_import: the scores differ: $a vs $b" >&2; exit 1; }
  python3 - "$n" "$(stat -c %s "$WORK/s.csv")" "$(stat -c %s "$WORK/s.xlsx")" "$csv_s" "$csv_rss" "$x_s" "$x_rss" <<'PY'
import sys
n, csv_b, x_b, cs, cr, xs, xr = sys.argv[1:]
print("%-8s %-8.1f %-9.1f %-10s %-9.0f %-10s %-9.0f %-12.2f" % (n, int(csv_b) / 2**20, int(x_b) / 2**20, cs,
      int(cr) / 2**20, xs, int(xr) / 2**20, float(xs) / float(cs)))
PY
done
