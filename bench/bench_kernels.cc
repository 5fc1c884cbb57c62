// bench_kernels.cc - the foundation kernels at every SIMD level, and SLEEF's
// vector expf/logf (1-ULP "u10" variants) looped over the same arrays.
//
//   build/bench_mossa --benchmark_filter='expf|logf' --benchmark_repetitions=5
//
// Sizes: 1024 floats (L1-resident) and 65536 floats (256 KiB per array).
// expf inputs are uniform in [-80, 80], logf inputs exp(uniform[-80, 80]):
// the ranges where results are normal floats. mossa's AVX2 expf switches to
// its slower full-range path for vectors holding any |x| > 86, so
// BM_expf_wide / BM_sleef_expf*_wide repeat the race on [-103, 88].
#include "mossa.h"

#include <benchmark/benchmark.h>
#include <immintrin.h>
#include <sleef.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

// sleef.h declares its vector functions only when the translation unit is
// compiled with -mavx / -mavx512f, which this file avoids (see below), so
// the four variants measured are declared here with sleef.h's signatures.
extern "C" {
__m256 Sleef_expf8_u10(__m256);
__m256 Sleef_logf8_u10(__m256);
__m512 Sleef_expf16_u10(__m512);
__m512 Sleef_logf16_u10(__m512);
}

namespace {

std::vector<float> uniform_floats(size_t n, float lo, float hi, unsigned seed)
{
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(n);
    for (auto &x : v) x = dist(gen);
    return v;
}

// Forces the level named by the benchmark's first argument; false (and the
// benchmark marked skipped) if this CPU lacks it.
bool force_level(benchmark::State &state)
{
    auto level = static_cast<mossa_simd_level>(state.range(0));
    if (!mossa_simd_available(level) || mossa_simd_force(level) != MOSSA_OK) {
        state.SkipWithError((std::string(mossa_simd_name(level)) + " not available on this CPU").c_str());
        return false;
    }
    state.SetLabel(mossa_simd_name(level));
    return true;
}

// The machine may be shared: besides mean/median/stddev, report the
// fastest repetition (least disturbed) when run with --benchmark_repetitions.
benchmark::internal::Benchmark *with_min(benchmark::internal::Benchmark *b)
{
    return b->ComputeStatistics("min", [](const std::vector<double> &v) {
        return *std::min_element(v.begin(), v.end());
    });
}

void levels_and_sizes(benchmark::internal::Benchmark *b)
{
    for (int lvl : {MOSSA_SIMD_SCALAR, MOSSA_SIMD_AVX2, MOSSA_SIMD_AVX512})
        for (int n : {1024, 65536}) b->Args({lvl, n});
    with_min(b);
}

void BM_dot(benchmark::State &state)
{
    if (!force_level(state)) return;
    size_t n = static_cast<size_t>(state.range(1));
    auto a = uniform_floats(n, -1, 1, 1), b = uniform_floats(n, -1, 1, 2);
    for (auto _ : state) benchmark::DoNotOptimize(mossa_dot_f32(a.data(), b.data(), n));
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(2 * n * sizeof(float)));
}
BENCHMARK(BM_dot)->Apply(levels_and_sizes);

void BM_axpy(benchmark::State &state)
{
    if (!force_level(state)) return;
    size_t n = static_cast<size_t>(state.range(1));
    auto x = uniform_floats(n, -1, 1, 1), y = uniform_floats(n, -1, 1, 2);
    // alternating signs keep y bounded however many iterations run
    float alpha = 1e-3f;
    for (auto _ : state) {
        mossa_axpy_f32(n, alpha, x.data(), y.data());
        alpha = -alpha;
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(3 * n * sizeof(float)));
}
BENCHMARK(BM_axpy)->Apply(levels_and_sizes);

// One row against m rows of d features: Args({level, d, m}).
void BM_sqdist(benchmark::State &state)
{
    if (!force_level(state)) return;
    size_t d = static_cast<size_t>(state.range(1)), m = static_cast<size_t>(state.range(2));
    auto x = uniform_floats(d, -1, 1, 1), Y = uniform_floats(d * m, -1, 1, 2);
    std::vector<float> out(m);
    for (auto _ : state) {
        mossa_sqdist_f32(x.data(), Y.data(), m, d, d, out.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(d * m));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(d * m * sizeof(float)));
}
BENCHMARK(BM_sqdist)->Apply([](benchmark::internal::Benchmark *b) {
    for (int lvl : {MOSSA_SIMD_SCALAR, MOSSA_SIMD_AVX2, MOSSA_SIMD_AVX512}) {
        b->Args({lvl, 64, 16});    // 1024 floats of Y: L1
        b->Args({lvl, 50, 1000});  // t-SNE-like: 50-d rows (not a multiple of 16)
        b->Args({lvl, 256, 256});  // 256 KiB of Y
    }
    with_min(b);
});

std::vector<float> exp_inputs(size_t n) { return uniform_floats(n, -80, 80, 3); }
// The whole finite range, subnormal results included: every AVX2 vector
// then takes mossa's full-range path.
std::vector<float> exp_inputs_wide(size_t n) { return uniform_floats(n, -103, 88, 5); }
std::vector<float> log_inputs(size_t n)
{
    auto v = uniform_floats(n, -80, 80, 4);
    for (auto &x : v) x = std::exp(x);
    return v;
}

void BM_expf(benchmark::State &state)
{
    if (!force_level(state)) return;
    size_t n = static_cast<size_t>(state.range(1));
    auto x = exp_inputs(n);
    std::vector<float> y(n);
    for (auto _ : state) {
        mossa_expf_array(x.data(), y.data(), n);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(2 * n * sizeof(float)));
}
BENCHMARK(BM_expf)->Apply(levels_and_sizes);

void BM_expf_wide(benchmark::State &state)
{
    if (!force_level(state)) return;
    size_t n = static_cast<size_t>(state.range(1));
    auto x = exp_inputs_wide(n);
    std::vector<float> y(n);
    for (auto _ : state) {
        mossa_expf_array(x.data(), y.data(), n);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(2 * n * sizeof(float)));
}
BENCHMARK(BM_expf_wide)->Apply([](benchmark::internal::Benchmark *b) {
    for (int lvl : {MOSSA_SIMD_SCALAR, MOSSA_SIMD_AVX2, MOSSA_SIMD_AVX512}) b->Args({lvl, 1024});
    with_min(b);
});

void BM_logf(benchmark::State &state)
{
    if (!force_level(state)) return;
    size_t n = static_cast<size_t>(state.range(1));
    auto x = log_inputs(n);
    std::vector<float> y(n);
    for (auto _ : state) {
        mossa_logf_array(x.data(), y.data(), n);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(2 * n * sizeof(float)));
}
BENCHMARK(BM_logf)->Apply(levels_and_sizes);

// ---- SLEEF, the same arrays, 8 or 16 lanes at a time ----------------------
// The loops carry target attributes (like mossa's kernels) so that this file
// needs no -m flags; the benchmark is skipped on CPUs without the ISA.

__attribute__((target("avx2,fma"))) void sleef_expf8(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i += 8) _mm256_storeu_ps(y + i, Sleef_expf8_u10(_mm256_loadu_ps(x + i)));
}
__attribute__((target("avx2,fma"))) void sleef_logf8(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i += 8) _mm256_storeu_ps(y + i, Sleef_logf8_u10(_mm256_loadu_ps(x + i)));
}
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) void sleef_expf16(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i += 16) _mm512_storeu_ps(y + i, Sleef_expf16_u10(_mm512_loadu_ps(x + i)));
}
__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))) void sleef_logf16(const float *x, float *y, size_t n)
{
    for (size_t i = 0; i < n; i += 16) _mm512_storeu_ps(y + i, Sleef_logf16_u10(_mm512_loadu_ps(x + i)));
}

enum Inputs { EXP_INPUTS, EXP_WIDE_INPUTS, LOG_INPUTS };

template <void (*Loop)(const float *, float *, size_t), bool Is512, Inputs In>
void BM_sleef(benchmark::State &state)
{
    mossa_simd_level need = Is512 ? MOSSA_SIMD_AVX512 : MOSSA_SIMD_AVX2;
    if (!mossa_simd_available(need)) {
        state.SkipWithError("CPU lacks the ISA of this SLEEF variant");
        return;
    }
    size_t n = static_cast<size_t>(state.range(0)); // a multiple of 16
    auto x = In == LOG_INPUTS ? log_inputs(n) : In == EXP_INPUTS ? exp_inputs(n) : exp_inputs_wide(n);
    std::vector<float> y(n);
    for (auto _ : state) {
        Loop(x.data(), y.data(), n);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
    state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(2 * n * sizeof(float)));
}
BENCHMARK_TEMPLATE(BM_sleef, sleef_expf8, false, EXP_INPUTS)->Name("BM_sleef_expf8_u10")->Arg(1024)->Arg(65536)->Apply([](benchmark::internal::Benchmark *b) { with_min(b); });
BENCHMARK_TEMPLATE(BM_sleef, sleef_expf16, true, EXP_INPUTS)->Name("BM_sleef_expf16_u10")->Arg(1024)->Arg(65536)->Apply([](benchmark::internal::Benchmark *b) { with_min(b); });
BENCHMARK_TEMPLATE(BM_sleef, sleef_expf8, false, EXP_WIDE_INPUTS)->Name("BM_sleef_expf8_u10_wide")->Arg(1024)->Apply([](benchmark::internal::Benchmark *b) { with_min(b); });
BENCHMARK_TEMPLATE(BM_sleef, sleef_expf16, true, EXP_WIDE_INPUTS)->Name("BM_sleef_expf16_u10_wide")->Arg(1024)->Apply([](benchmark::internal::Benchmark *b) { with_min(b); });
BENCHMARK_TEMPLATE(BM_sleef, sleef_logf8, false, LOG_INPUTS)->Name("BM_sleef_logf8_u10")->Arg(1024)->Arg(65536)->Apply([](benchmark::internal::Benchmark *b) { with_min(b); });
BENCHMARK_TEMPLATE(BM_sleef, sleef_logf16, true, LOG_INPUTS)->Name("BM_sleef_logf16_u10")->Arg(1024)->Arg(65536)->Apply([](benchmark::internal::Benchmark *b) { with_min(b); });

} // namespace
