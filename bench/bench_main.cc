// Google Benchmark entry point; the benchmarks live in bench/bench_*.cc.
#include <benchmark/benchmark.h>
BENCHMARK_MAIN();
