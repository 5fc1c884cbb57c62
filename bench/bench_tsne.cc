// bench_tsne.cc - Barnes-Hut t-SNE pieces at every SIMD level:
//   * TsneKnn: exact kNN (k = 90) of 4000 x 64 clustered points;
//   * TsneKnnMethod: brute force vs VP-tree, k = 90, 2 threads, best SIMD
//     level, on Gaussian (intrinsic dimension = d) and clustered data -
//     the measurements behind the auto rule in tsne.c
//     (--benchmark_filter=TsneKnnMethod);
//   * TsneGradient: one Barnes-Hut gradient (tree build + repulsion +
//     attraction) of 20000 points at a spread-out embedding, theta 0.5;
//   * TsneDigitsLike: the whole pipeline (1000 iterations) on 1797 x 64
//     clustered points, like sklearn's digits.
//
//   build/bench_mossa --benchmark_filter=Tsne --benchmark_repetitions=3
//
// Arguments: first the SIMD level (1 scalar, 2 avx2, 3 avx512, 4 neon), then
// the thread count.
#include "mossa.h"

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

namespace {

std::vector<float> clustered(size_t n, size_t d, int clusters, unsigned seed)
{
    std::mt19937 gen(seed);
    std::normal_distribution<float> unit(0.0f, 1.0f);
    std::vector<float> centres(static_cast<size_t>(clusters) * d), x(n * d);
    for (auto &c : centres) c = 5.0f * unit(gen);
    for (size_t i = 0; i < n; ++i)
        for (size_t k = 0; k < d; ++k) x[i * d + k] = centres[(i % clusters) * d + k] + unit(gen);
    return x;
}

bool force_level(benchmark::State &state)
{
    auto level = static_cast<mossa_simd_level>(state.range(0));
    if (!mossa_simd_available(level) || mossa_simd_force(level) != MOSSA_OK) {
        state.SkipWithError((std::string(mossa_simd_name(level)) + " not available on this CPU").c_str());
        return false;
    }
    state.SetLabel(std::string(mossa_simd_name(level)) + " " + std::to_string(state.range(1)) + " threads");
    return true;
}

mossa_tsne_options options(benchmark::State &state)
{
    mossa_tsne_options o{};
    o.n_threads = static_cast<int>(state.range(1));
    return o;
}

void TsneKnn(benchmark::State &state)
{
    if (!force_level(state)) return;
    const size_t n = 4000, d = 64, k = 90;
    auto x = clustered(n, d, 10, 1);
    std::vector<int32_t> idx(n * k);
    std::vector<float> dist(n * k);
    auto o = options(state);
    for (auto _ : state) {
        if (mossa_tsne_knn(x.data(), n, d, k, &o, idx.data(), dist.data()) != MOSSA_OK) {
            state.SkipWithError("knn failed");
            break;
        }
        benchmark::DoNotOptimize(dist.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n * n));
    mossa_simd_force(MOSSA_SIMD_AUTO);
}

// Arguments: method (1 brute, 2 vptree), n, d, clustered (0/1).
void TsneKnnMethod(benchmark::State &state)
{
    const size_t n = static_cast<size_t>(state.range(1)), d = static_cast<size_t>(state.range(2)), k = 90;
    std::vector<float> x;
    if (state.range(3)) {
        x = clustered(n, d, 10, 5);
    } else {
        std::mt19937 gen(6);
        std::normal_distribution<float> unit(0.0f, 1.0f);
        x.resize(n * d);
        for (auto &v : x) v = unit(gen);
    }
    std::vector<int32_t> idx(n * k);
    std::vector<float> dist(n * k);
    mossa_tsne_options o{};
    o.n_threads = 2;
    o.knn = static_cast<mossa_tsne_knn_method>(state.range(0));
    state.SetLabel(std::string(state.range(0) == 1 ? "brute" : "vptree") +
                   (state.range(3) ? " clustered" : " gaussian"));
    for (auto _ : state) {
        if (mossa_tsne_knn(x.data(), n, d, k, &o, idx.data(), dist.data()) != MOSSA_OK) {
            state.SkipWithError("knn failed");
            break;
        }
        benchmark::DoNotOptimize(dist.data());
    }
}

void knn_grid(benchmark::internal::Benchmark *b)
{
    for (int clustered_data : {0, 1})
        for (int n : {5000, 20000})
            for (int d : {2, 5, 10, 50})
                for (int method : {1, 2}) b->Args({method, n, d, clustered_data});
}

void TsneGradient(benchmark::State &state)
{
    if (!force_level(state)) return;
    const size_t n = 20000, d = 20;
    auto x = clustered(n, d, 10, 2);
    auto o = options(state);
    o.perplexity = 30;
    mossa_tsne_state *s = nullptr;
    if (mossa_tsne_begin(x.data(), n, d, &o, &s) != MOSSA_OK) {
        state.SkipWithError("begin failed");
        return;
    }
    std::mt19937 gen(3);
    std::normal_distribution<float> spread(0.0f, 20.0f);
    std::vector<float> y(n * 2);
    for (auto &v : y) v = spread(gen);
    mossa_tsne_set_embedding(s, y.data());
    std::vector<double> g(n * 2);
    for (auto _ : state) {
        mossa_tsne_gradient(s, 0.5, g.data());
        benchmark::DoNotOptimize(g.data());
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
    mossa_tsne_end(s);
    mossa_simd_force(MOSSA_SIMD_AUTO);
}

void TsneDigitsLike(benchmark::State &state)
{
    if (!force_level(state)) return;
    const size_t n = 1797, d = 64;
    auto x = clustered(n, d, 10, 4);
    std::vector<float> y(n * 2);
    auto o = options(state);
    mossa_tsne_result r{};
    for (auto _ : state) {
        mossa_tsne(x.data(), n, d, &o, y.data(), &r);
        benchmark::DoNotOptimize(y.data());
    }
    state.counters["kl"] = r.kl;
    mossa_simd_force(MOSSA_SIMD_AUTO);
}

void levels(benchmark::internal::Benchmark *b)
{
    for (int lvl = MOSSA_SIMD_SCALAR; lvl < MOSSA_SIMD_LEVEL_COUNT; ++lvl)
        for (int t : {1, 2}) b->Args({lvl, t});
}

}  // namespace

BENCHMARK(TsneKnn)->Apply(levels)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(TsneKnnMethod)->Apply(knn_grid)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(TsneGradient)->Apply(levels)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(TsneDigitsLike)->Apply(levels)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
