// bench_svd.cc - randomized SVD and the variance rank beside LAPACKE's
// sgesdd (full SVD, values only) and ssyevd (eigenvalues of the Gram), on a
// planted slowly decaying spectrum s_i = i^-0.5 (float32).
// Sizes: rank at 2000 x 512 and 4000 x 1024; randomized SVD k = 32 at
// 4000 x 1024 (the 10000 x 4096 comparison against sklearn lives in
// bench/compare_svd.py). Every mossa benchmark runs at each SIMD level the
// CPU has, forced with mossa_simd_force (amx: the randomized SVD's
// bfloat16 power iterations).
#include <benchmark/benchmark.h>
#include <lapacke.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "mossa.h"

namespace {

// X = G diag(s) H: G Gaussian (n >> d, so G'G ~ n I), s_i = i^-0.5, H four
// random Householder reflections; singular values ~ sqrt(n) s_i, with
// singular vectors that are not aligned with the axes.
std::vector<float> planted(size_t n, size_t d, uint64_t seed) {
    std::vector<float> x(n * d);
    std::vector<double> row(d);
    std::vector<std::vector<double>> refl(4, std::vector<double>(d));
    for (int r = 0; r < 4; ++r) {
        double nrm = 0;
        for (size_t j = 0; j < d; ++j) { refl[r][j] = mossa_rng_normal(seed + 100 + r, j); nrm += refl[r][j] * refl[r][j]; }
        for (size_t j = 0; j < d; ++j) refl[r][j] /= std::sqrt(nrm);
    }
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < d; ++j) row[j] = mossa_rng_normal(seed, i * d + j) / std::sqrt((double)(j + 1));
        for (int r = 0; r < 4; ++r) {
            double t = 0;
            for (size_t j = 0; j < d; ++j) t += refl[r][j] * row[j];
            for (size_t j = 0; j < d; ++j) row[j] -= 2.0 * t * refl[r][j];
        }
        for (size_t j = 0; j < d; ++j) x[i * d + j] = (float)row[j];
    }
    return x;
}

const std::vector<float> &data(size_t n, size_t d) {
    static std::vector<float> a, b;
    if (n == 2000) { if (a.empty()) a = planted(n, d, 11); return a; }
    if (b.empty()) b = planted(n, d, 12);
    return b;
}

bool force(benchmark::State &state, mossa_simd_level lvl) {
    if (!mossa_simd_available(lvl) || mossa_simd_force(lvl) != MOSSA_OK) {
        state.SkipWithError("SIMD level not available on this CPU");
        return false;
    }
    return true;
}

void BM_mossa_rank(benchmark::State &state, mossa_simd_level lvl) {
    size_t n = (size_t)state.range(0), d = (size_t)state.range(1);
    const std::vector<float> &x = data(n, d);
    if (!force(state, lvl)) return;
    mossa_rank_options o;
    std::memset(&o, 0, sizeof(o));
    mossa_rank_result r;
    for (auto _ : state) {
        if (mossa_variance_rank(x.data(), n, d, &o, &r) != MOSSA_OK) { state.SkipWithError("rank failed"); break; }
        benchmark::DoNotOptimize(r.rank);
    }
    state.counters["rank"] = (double)r.rank;
    mossa_simd_force(MOSSA_SIMD_AUTO);
}

void BM_mossa_svd(benchmark::State &state, mossa_simd_level lvl, int krylov) {
    size_t n = (size_t)state.range(0), d = (size_t)state.range(1), k = (size_t)state.range(2);
    const std::vector<float> &x = data(n, d);
    if (!force(state, lvl)) return;
    mossa_svd_options o;
    std::memset(&o, 0, sizeof(o));
    o.block_krylov = krylov;
    std::vector<double> s(k);
    for (auto _ : state) {
        if (mossa_svd_randomized(x.data(), n, d, k, &o, s.data(), nullptr, nullptr) != MOSSA_OK) {
            state.SkipWithError("svd failed");
            break;
        }
        benchmark::DoNotOptimize(s.data());
    }
    mossa_simd_force(MOSSA_SIMD_AUTO);
}

// LAPACK peers: centered copy + sgesdd (values only), and centered copy +
// Gram (ssyrk) + ssyevd (values only) - the same two routes mossa chooses
// between, in float32 as a user of LAPACKE would write them.
std::vector<float> centered(const std::vector<float> &x, size_t n, size_t d) {
    std::vector<double> mean(d, 0.0);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < d; ++j) mean[j] += x[i * d + j];
    std::vector<float> c(n * d);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < d; ++j) c[i * d + j] = (float)(x[i * d + j] - mean[j] / (double)n);
    return c;
}

void BM_lapacke_sgesdd(benchmark::State &state) {
    size_t n = (size_t)state.range(0), d = (size_t)state.range(1);
    const std::vector<float> &x = data(n, d);
    std::vector<float> s(d);
    for (auto _ : state) {
        std::vector<float> c = centered(x, n, d);
        lapack_int info = LAPACKE_sgesdd(LAPACK_ROW_MAJOR, 'N', (lapack_int)n, (lapack_int)d, c.data(),
                                         (lapack_int)d, s.data(), nullptr, (lapack_int)d, nullptr, (lapack_int)d);
        if (info != 0) { state.SkipWithError("sgesdd failed"); break; }
        benchmark::DoNotOptimize(s.data());
    }
}

extern "C" void cblas_ssyrk(int, int, int, int, int, float, const float *, int, float, float *, int);

void BM_lapacke_ssyevd_gram(benchmark::State &state) {
    size_t n = (size_t)state.range(0), d = (size_t)state.range(1);
    const std::vector<float> &x = data(n, d);
    std::vector<float> g(d * d), w(d);
    for (auto _ : state) {
        std::vector<float> c = centered(x, n, d);
        // row-major C' C: CblasRowMajor = 101, CblasUpper = 121, CblasTrans = 112
        cblas_ssyrk(101, 121, 112, (int)d, (int)n, 1.0f, c.data(), (int)d, 0.0f, g.data(), (int)d);
        lapack_int info = LAPACKE_ssyevd(LAPACK_ROW_MAJOR, 'N', 'U', (lapack_int)d, g.data(), (lapack_int)d, w.data());
        if (info != 0) { state.SkipWithError("ssyevd failed"); break; }
        benchmark::DoNotOptimize(w.data());
    }
}

}  // namespace

BENCHMARK_CAPTURE(BM_mossa_rank, scalar, MOSSA_SIMD_SCALAR)->Args({2000, 512})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_mossa_rank, avx2, MOSSA_SIMD_AVX2)->Args({2000, 512})->Args({4000, 1024})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_mossa_rank, avx512, MOSSA_SIMD_AVX512)->Args({2000, 512})->Args({4000, 1024})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_mossa_rank, neon, MOSSA_SIMD_NEON)->Args({2000, 512})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_lapacke_sgesdd)->Args({2000, 512})->Args({4000, 1024})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_lapacke_ssyevd_gram)->Args({2000, 512})->Args({4000, 1024})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_mossa_svd, avx2, MOSSA_SIMD_AVX2, 0)->Args({4000, 1024, 32})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_mossa_svd, avx512, MOSSA_SIMD_AVX512, 0)->Args({4000, 1024, 32})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_mossa_svd, avx512_krylov, MOSSA_SIMD_AVX512, 1)->Args({4000, 1024, 32})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_mossa_svd, amx, MOSSA_SIMD_AMX, 0)->Args({4000, 1024, 32})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_mossa_svd, neon, MOSSA_SIMD_NEON, 0)->Args({4000, 1024, 32})->Unit(benchmark::kMillisecond)->UseRealTime();
