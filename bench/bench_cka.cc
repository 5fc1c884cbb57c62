// bench_cka.cc - CKA: mossa beside a reference of the SAME formulation on
// OpenBLAS (cblas_ssyrk / cblas_sgemm), 2 threads, float32 input.
//   linear (2000, 4096): Gram form, two n x n SYRKs, <Kx, Ky> / (|Kx| |Ky|)
//   linear (10000, 4096): feature form, X'X and Y'Y (SYRK) and X'Y (GEMM) =
//                         the blocks of one SYRK of [Xc Yc]
//   rbf n = 4096 (d = 256 and d = 4096): SYRK Gram, distances, exact median
//                         of the full n x n matrix, exp, centering, sums
// The reference centers in double like mossa; its float32 SYRK accumulates
// in float (it is a speed reference, not an accuracy one). For a fair
// peer, run without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE in the environment.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <cblas.h>

#include "mossa.h"

extern "C" void openblas_set_num_threads(int);

namespace {

struct Data {
    size_t n, d;
    std::vector<float> x, y;
};

const Data &data(size_t n, size_t d)
{
    static std::vector<Data *> cache;
    for (Data *p : cache)
        if (p->n == n && p->d == d) return *p;
    Data *p = new Data;
    p->n = n; p->d = d;
    p->x.resize(n * d); p->y.resize(n * d);
    for (size_t i = 0; i < n * d; ++i) {
        p->x[i] = (float)mossa_rng_normal(1, i);
        p->y[i] = 0.6f * p->x[i] + (float)mossa_rng_normal(2, i);
    }
    cache.push_back(p);
    return *p;
}

bool force(benchmark::State &state, mossa_simd_level lvl)
{
    if (mossa_simd_force(lvl) != MOSSA_OK) {
        state.SkipWithError("SIMD level not available on this CPU");
        return false;
    }
    return true;
}

void run_mossa(benchmark::State &state, size_t n, size_t d, mossa_kernel_kind kernel, int debiased,
               mossa_simd_level lvl)
{
    if (!force(state, lvl)) return;
    const Data &D = data(n, d);
    mossa_cka_options o;
    std::memset(&o, 0, sizeof(o));
    o.kernel = kernel;
    o.debiased = debiased;
    o.n_threads = 2;
    double v = 0;
    for (auto _ : state) {
        if (mossa_cka(D.x.data(), n, d, D.y.data(), d, &o, &v) != MOSSA_OK) {
            state.SkipWithError("mossa_cka failed");
            break;
        }
        benchmark::DoNotOptimize(v);
    }
    state.counters["cka"] = v;
    mossa_simd_force(MOSSA_SIMD_AUTO);
}

// ---- the OpenBLAS reference ---------------------------------------------------
std::vector<float> centered(const std::vector<float> &x, size_t n, size_t d)
{
    std::vector<double> m(d, 0.0);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < d; ++j) m[j] += x[i * d + j];
    for (size_t j = 0; j < d; ++j) m[j] /= (double)n;
    std::vector<float> c(n * d);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < d; ++j) c[i * d + j] = (float)(x[i * d + j] - m[j]);
    return c;
}

// sum over the upper triangle (weight 2 off the diagonal) of a[i][j] * b[i][j]
double sym_dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; ++i) {
        double r = 0;
        for (size_t j = i + 1; j < n; ++j) r += (double)a[i * n + j] * b[i * n + j];
        s += 2 * r + (double)a[i * n + i] * b[i * n + i];
    }
    return s;
}

double openblas_linear_gram(const Data &D)
{
    size_t n = D.n, d = D.d;
    std::vector<float> xc = centered(D.x, n, d), yc = centered(D.y, n, d);
    std::vector<float> K(n * n), L(n * n);
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)d, 1.0f, xc.data(), (int)d, 0.0f, K.data(), (int)n);
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)d, 1.0f, yc.data(), (int)d, 0.0f, L.data(), (int)n);
    return sym_dot(K.data(), L.data(), n) / std::sqrt(sym_dot(K.data(), K.data(), n) * sym_dot(L.data(), L.data(), n));
}

double openblas_linear_feature(const Data &D)
{
    size_t n = D.n, d = D.d;
    std::vector<float> xc = centered(D.x, n, d), yc = centered(D.y, n, d);
    std::vector<float> XX(d * d), YY(d * d), XY(d * d);
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0f, xc.data(), (int)d, 0.0f, XX.data(), (int)d);
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0f, yc.data(), (int)d, 0.0f, YY.data(), (int)d);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)d, (int)n, 1.0f, xc.data(), (int)d, yc.data(),
                (int)d, 0.0f, XY.data(), (int)d);
    double xy = 0;
    for (float v : XY) xy += (double)v * v;
    return xy / std::sqrt(sym_dot(XX.data(), XX.data(), d) * sym_dot(YY.data(), YY.data(), d));
}

// Kornblith's gram_rbf + center_gram on the SYRK Gram; the median of the
// full n x n matrix = n zeros plus every upper value twice.
std::vector<float> rbf_kernel(const std::vector<float> &x, size_t n, size_t d, std::vector<double> &a)
{
    std::vector<float> xc = centered(x, n, d), G(n * n);
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)d, 1.0f, xc.data(), (int)d, 0.0f, G.data(), (int)n);
    std::vector<float> up;
    up.reserve(n * (n - 1) / 2);
    for (size_t i = 0; i < n; ++i)
        for (size_t j = i + 1; j < n; ++j) {
            float v = G[i * n + i] + G[j * n + j] - 2 * G[i * n + j];
            G[i * n + j] = v > 0 ? v : 0;
            up.push_back(G[i * n + j]);
        }
    size_t N = n * n, r0 = (N - 1) / 2, r1 = N / 2;
    auto at = [&](size_t r) -> double {
        if (r < n) return 0.0;
        size_t k = (r - n) / 2;
        std::nth_element(up.begin(), up.begin() + (long)k, up.end());
        return up[k];
    };
    double med = 0.5 * (at(r0) + at(r1));
    double c = 1.0 / (2.0 * med);
    std::vector<float> K(n * n);
    for (size_t i = 0; i < n; ++i) {
        K[i * n + i] = 1.0f;
        for (size_t j = i + 1; j < n; ++j) K[i * n + j] = K[j * n + i] = std::exp(-(float)(G[i * n + j] * c));
    }
    a.assign(n, 0.0);
    double g = 0;
    for (size_t i = 0; i < n; ++i) {
        double s = 0;
        for (size_t j = 0; j < n; ++j) s += K[i * n + j];
        a[i] = s / (double)n;
        g += a[i];
    }
    g /= (double)n;
    for (size_t i = 0; i < n; ++i) a[i] -= g / 2;
    return K;
}

double openblas_rbf(const Data &D)
{
    size_t n = D.n;
    std::vector<double> a, b;
    std::vector<float> K = rbf_kernel(D.x, n, D.d, a), L = rbf_kernel(D.y, n, D.d, b);
    double kl = 0, kk = 0, ll = 0;
    for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < n; ++j) {
            double u = K[i * n + j] - a[i] - a[j], v = L[i * n + j] - b[i] - b[j];
            kl += u * v; kk += u * u; ll += v * v;
        }
    return kl / std::sqrt(kk * ll);
}

void run_openblas(benchmark::State &state, size_t n, size_t d, int kind)
{
    openblas_set_num_threads(2);
    const Data &D = data(n, d);
    double v = 0;
    for (auto _ : state) {
        v = kind == 0 ? openblas_linear_gram(D) : kind == 1 ? openblas_linear_feature(D) : openblas_rbf(D);
        benchmark::DoNotOptimize(v);
    }
    state.counters["cka"] = v;
}

#define MOSSA_BENCH(name, ...)                                                      \
    void name(benchmark::State &state) { run_mossa(state, __VA_ARGS__); }          \
    BENCHMARK(name)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
#define OPENBLAS_BENCH(name, ...)                                                   \
    void name(benchmark::State &state) { run_openblas(state, __VA_ARGS__); }       \
    BENCHMARK(name)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

// linear (2000, 4096): Gram form
MOSSA_BENCH(BM_cka_linear_2000x4096_avx512, 2000, 4096, MOSSA_KERNEL_LINEAR, 0, MOSSA_SIMD_AVX512)
MOSSA_BENCH(BM_cka_linear_debiased_2000x4096_avx512, 2000, 4096, MOSSA_KERNEL_LINEAR, 1, MOSSA_SIMD_AVX512)
MOSSA_BENCH(BM_cka_linear_2000x4096_avx2, 2000, 4096, MOSSA_KERNEL_LINEAR, 0, MOSSA_SIMD_AVX2)
MOSSA_BENCH(BM_cka_linear_2000x4096_neon, 2000, 4096, MOSSA_KERNEL_LINEAR, 0, MOSSA_SIMD_NEON)
MOSSA_BENCH(BM_cka_linear_500x1024_scalar, 500, 1024, MOSSA_KERNEL_LINEAR, 0, MOSSA_SIMD_SCALAR)
MOSSA_BENCH(BM_cka_linear_500x1024_avx512, 500, 1024, MOSSA_KERNEL_LINEAR, 0, MOSSA_SIMD_AVX512)
OPENBLAS_BENCH(BM_openblas_linear_gram_2000x4096, 2000, 4096, 0)
// linear (10000, 4096): feature form
MOSSA_BENCH(BM_cka_linear_10000x4096_avx512, 10000, 4096, MOSSA_KERNEL_LINEAR, 0, MOSSA_SIMD_AVX512)
MOSSA_BENCH(BM_cka_linear_debiased_10000x4096_avx512, 10000, 4096, MOSSA_KERNEL_LINEAR, 1, MOSSA_SIMD_AVX512)
OPENBLAS_BENCH(BM_openblas_linear_feature_10000x4096, 10000, 4096, 1)
// rbf n = 4096
MOSSA_BENCH(BM_cka_rbf_4096x256_avx512, 4096, 256, MOSSA_KERNEL_RBF, 0, MOSSA_SIMD_AVX512)
MOSSA_BENCH(BM_cka_rbf_debiased_4096x256_avx512, 4096, 256, MOSSA_KERNEL_RBF, 1, MOSSA_SIMD_AVX512)
OPENBLAS_BENCH(BM_openblas_rbf_4096x256, 4096, 256, 2)
MOSSA_BENCH(BM_cka_rbf_4096x4096_avx512, 4096, 4096, MOSSA_KERNEL_RBF, 0, MOSSA_SIMD_AVX512)
MOSSA_BENCH(BM_cka_rbf_debiased_4096x4096_avx512, 4096, 4096, MOSSA_KERNEL_RBF, 1, MOSSA_SIMD_AVX512)
OPENBLAS_BENCH(BM_openblas_rbf_4096x4096, 4096, 4096, 2)

}  // namespace
