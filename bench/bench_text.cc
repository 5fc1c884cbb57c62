// bench_text.cc - readability scanner throughput (MB/s, single thread) on
// ~16 MB of prose built by repeating the held-out passages in tests/data.
// The scanner is scalar (a table-driven byte state machine with a fast path
// for ASCII letter runs); there is one variant per input shape.
#include <benchmark/benchmark.h>
#include "mossa.h"
#include <cstdio>
#include <string>
#include <vector>

static std::string read_file(const char *path)
{
    std::string s;
    FILE *f = std::fopen(path, "rb");
    if (!f) return s;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
    std::fclose(f);
    return s;
}

static const std::string &prose_16mb()
{
    static std::string text;
    if (text.empty()) {
        std::string base = read_file("tests/data/prose_rustbook.txt") + "\n\n" +
                           read_file("tests/data/prose_gpl3.txt") + "\n\n";
        if (base.size() < 100) return text;
        while (text.size() < (16u << 20)) text += base;
    }
    return text;
}

static void BM_readability_prose(benchmark::State &state)
{
    const std::string &t = prose_16mb();
    if (t.empty()) { state.SkipWithError("tests/data prose not found (run from the repo root)"); return; }
    mossa_text_stats st;
    for (auto _ : state) {
        mossa_readability(t.data(), t.size(), &st, nullptr);
        benchmark::DoNotOptimize(st);
    }
    state.SetBytesProcessed((int64_t)state.iterations() * (int64_t)t.size());
    state.counters["words"] = (double)st.words;
}
BENCHMARK(BM_readability_prose)->Unit(benchmark::kMillisecond);

// The same text fed in 4 KB chunks through the streaming API.
static void BM_scanner_4k_chunks(benchmark::State &state)
{
    const std::string &t = prose_16mb();
    if (t.empty()) { state.SkipWithError("tests/data prose not found (run from the repo root)"); return; }
    mossa_text_scanner s;
    for (auto _ : state) {
        mossa_text_scanner_init(&s);
        for (size_t pos = 0; pos < t.size(); pos += 4096)
            mossa_text_scanner_feed(&s, t.data() + pos, t.size() - pos < 4096 ? t.size() - pos : 4096);
        mossa_text_scanner_finish(&s, nullptr);
        benchmark::DoNotOptimize(s.stats);
    }
    state.SetBytesProcessed((int64_t)state.iterations() * (int64_t)t.size());
}
BENCHMARK(BM_scanner_4k_chunks)->Unit(benchmark::kMillisecond);

// One example per line (the MOSSA per-example grades).
static void BM_readability_per_line(benchmark::State &state)
{
    const std::string &t = prose_16mb();
    if (t.empty()) { state.SkipWithError("tests/data prose not found (run from the repo root)"); return; }
    size_t lines = 0;
    for (size_t i = 0; i < t.size(); ++i) lines += t[i] == '\n';
    std::vector<mossa_readability_scores> sc(lines + 1);
    for (auto _ : state) {
        size_t n;
        mossa_readability_lines(t.data(), t.size(), sc.size(), nullptr, sc.data(), &n);
        benchmark::DoNotOptimize(sc.data());
    }
    state.SetBytesProcessed((int64_t)state.iterations() * (int64_t)t.size());
}
BENCHMARK(BM_readability_per_line)->Unit(benchmark::kMillisecond);

static void BM_syllables_word(benchmark::State &state)
{
    static const char *const words[] = {"readability", "the", "extraordinary", "couldn't", "creation",
                                        "beautiful", "rhythm", "U.S.", "business", "idea"};
    int sum = 0;
    size_t i = 0;
    for (auto _ : state) {
        const char *w = words[i++ % 10];
        sum += mossa_syllables(w, std::char_traits<char>::length(w));
    }
    benchmark::DoNotOptimize(sum);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_syllables_word);
