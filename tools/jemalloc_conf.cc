// jemalloc's options for the programs that link it (CMakeLists.txt,
// qledger_link_program); MALLOC_CONF in the environment still overrides
// them.
//
// One arena for all threads, not four a core: RocksDB's flush thread frees
// the memtable the appending thread filled, and with an arena a thread each
// those frees go back across arenas (bulk append 101k–113k → 143k–148k
// events/s, `qledger_bench_core --events 300000`, run alternately); and a
// short CLI command sets up one arena, not one per thread it starts (a
// one-event append: ~80 page faults fewer, ~2 ms on a VM where a fault costs
// 25 us). verify's two threads measured the same either way
// (docs/performance.md).
//
// Transparent huge pages for the heap (thp:always: jemalloc asks for them
// with madvise, which a kernel in THP's default "madvise" mode honours):
// where a page fault costs 25 us, a rebuild's 300 MiB of fold state took
// ~90,000 faults, 2 s of CPU; with 2 MiB pages ~3,000 (rebuild 500k ->
// 590k events/s; `quarters` 29 -> 23 ms, `scores` 20 -> 17 ms; verify
// +10 MiB peak). docs/performance.md, fourth session.
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "narenas:1,thp:always";
}
