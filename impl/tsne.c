/* tsne.c - Barnes-Hut t-SNE (van der Maaten 2014) with the optimiser of
   bhtsne/sklearn. Conventions (theta, learning-rate units, schedule) are
   documented in tsne.h.

   Layout of the work:
   - P is kept as DIRECTED edges: row i holds its k neighbours j with
     weight w_ij = p_{j|i} / (2n), so the joint P_ij = w_ij + w_ji without
     materialising the symmetric union (8 bytes per edge; the union CSR
     would need about 1.4x as many entries). The attractive pass applies
     each edge to both ends (i gets +f, j gets -f) into one of a fixed
     number of per-task buffers that are summed in task order.
   - Repulsion: every iteration the points are sorted along a Morton curve
     (radix sort of 48/63-bit keys) and a compressed quadtree/octree is
     built over the sorted array (a node = a key range, children stored
     contiguously, no per-node allocation). Leaves (<= MOSSA__TSNE_LEAF
     points) are the target groups: one tree walk per leaf collects the
     accepted cells and the leaf-neighbour points into an interaction
     list, and a SIMD kernel evaluates all (target, source) pairs. A cell
     is accepted when width < theta * (distance from its centre of mass to
     the leaf's bounding box), which implies the per-point criterion.
   - Tasks never depend on the thread count and partial sums (Z, forces)
     are combined in task order, so results are bit-identical for any
     n_threads. */

#define MOSSA__TSNE_LEAF 16          /* max points per leaf */
#define MOSSA__TSNE_GROUP 128        /* max targets per group (one tree walk each) */
#define MOSSA__TSNE_LIST 2048        /* interaction list flush size */
#define MOSSA__TSNE_ATTR_TASKS 8     /* attractive-force buffers */
#define MOSSA__TSNE_REP_POINTS 256   /* points per repulsion task (at least) */
#define MOSSA__TSNE_UPD_POINTS 2048  /* points per update task */
#define MOSSA__TSNE_MAX_STEP 5.0      /* max update norm per point and iteration */
#define MOSSA__TSNE_EXACT_Z_MAX 30000 /* final KL: exact normaliser up to this n */
#define MOSSA__TSNE_KNN_QB 32
#define MOSSA__TSNE_KNN_RB 128
#define MOSSA__TSNE_KNN_DB 512

typedef struct mossa__tsne_node {
    float c[3];          /* centre of mass */
    float w2;            /* squared full width of the cell */
    uint32_t begin, end; /* points [begin, end) in Morton order */
    int32_t child;       /* first child (children contiguous), -1 = leaf */
    int32_t nchild;
} mossa__tsne_node;

struct mossa_tsne_state {
    mossa_tsne_options opt;  /* resolved */
    size_t n;
    int dims;
    int k;                   /* neighbours (0 for affinity input) */
    size_t *indptr;          /* n + 1 */
    int32_t *col;            /* directed edges, columns ascending per row */
    float *w;                /* weights, sum = 1/2 */
    double p_entropy;        /* sum over ordered pairs of P log P */
    double *y, *update, *gains;
    double lr;
    int iter;
    mossa__ctx actx;         /* allocator only (threads start per run) */
};

/* ---- small helpers ---------------------------------------------------------- */
static MOSSA__UNUSED void mossa__tsne_heap_sift(float *d, int32_t *ix, size_t n, size_t i)
{
    /* max-heap on (distance, index) */
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && (d[l] > d[m] || (d[l] == d[m] && ix[l] > ix[m]))) m = l;
        if (r < n && (d[r] > d[m] || (d[r] == d[m] && ix[r] > ix[m]))) m = r;
        if (m == i) return;
        { float td = d[i]; int32_t ti = ix[i]; d[i] = d[m]; ix[i] = ix[m]; d[m] = td; ix[m] = ti; }
        i = m;
    }
}

/* A max-heap of n (distance, index) pairs -> ascending order, in place. */
static void mossa__tsne_heap_sorted(float *d, int32_t *ix, size_t n)
{
    size_t end;
    for (end = n; end-- > 1;) {
        float td = d[0]; int32_t ti = ix[0];
        d[0] = d[end]; ix[0] = ix[end]; d[end] = td; ix[end] = ti;
        mossa__tsne_heap_sift(d, ix, end, 0);
    }
}

/* Sorts (key ascending) arrays of int32 keys with float payload in place. */
static void mossa__tsne_sort_cols(int32_t *c, float *v, size_t n)
{
    size_t i, end;
    if (n < 2) return;
    /* heapsort: max-heap on c */
    for (i = n / 2; i-- > 0;) {
        size_t r = i;
        for (;;) {
            size_t l = 2 * r + 1, m = r;
            if (l < n && c[l] > c[m]) m = l;
            if (l + 1 < n && c[l + 1] > c[m]) m = l + 1;
            if (m == r) break;
            { int32_t tc = c[r]; float tv = v[r]; c[r] = c[m]; v[r] = v[m]; c[m] = tc; v[m] = tv; }
            r = m;
        }
    }
    for (end = n - 1; end > 0; --end) {
        size_t r = 0;
        { int32_t tc = c[0]; float tv = v[0]; c[0] = c[end]; v[0] = v[end]; c[end] = tc; v[end] = tv; }
        for (;;) {
            size_t l = 2 * r + 1, m = r;
            if (l < end && c[l] > c[m]) m = l;
            if (l + 1 < end && c[l + 1] > c[m]) m = l + 1;
            if (m == r) break;
            { int32_t tc = c[r]; float tv = v[r]; c[r] = c[m]; v[r] = v[m]; c[m] = tc; v[m] = tv; }
            r = m;
        }
    }
}

/* ---- exact kNN: blocked brute force ----------------------------------------
   32 queries are transposed into a d x 32 panel; reference rows stream
   through the tile kernel (differences, not |x|^2+|y|^2-2xy, so near
   neighbours keep full float precision), and a max-heap per query keeps
   the k best (distance, index) pairs. d is chunked so the panel stays in
   cache. Self is excluded by index; duplicates are ordinary neighbours. */
typedef struct mossa__tsne_knn_job {
    const float *x;
    size_t n, d, k;
    int32_t *idx;      /* n x k */
    float *dist;       /* n x k squared */
    float *scratch;    /* per worker: panel (d x 32) + tile (RB x 32) */
    size_t scratch_stride;
} mossa__tsne_knn_job;

static void mossa__tsne_knn_task(void *arg, size_t task, int worker)
{
    mossa__tsne_knn_job *J = (mossa__tsne_knn_job *)arg;
    size_t q0 = task * MOSSA__TSNE_KNN_QB, nq = MOSSA__MIN(J->n - q0, (size_t)MOSSA__TSNE_KNN_QB);
    float *panel = J->scratch + (size_t)worker * J->scratch_stride;
    float *tile = panel + J->d * MOSSA__TSNE_KNN_QB;
    size_t filled[MOSSA__TSNE_KNN_QB];
    size_t q, k, r0, c0, j, K = J->k, d = J->d;
    const mossa__kernels *kt = mossa__k();
    for (k = 0; k < d; ++k)
        for (q = 0; q < MOSSA__TSNE_KNN_QB; ++q)
            panel[k * MOSSA__TSNE_KNN_QB + q] = q < nq ? J->x[(q0 + q) * d + k] : 0.0f;
    for (q = 0; q < nq; ++q) filled[q] = 0;
    for (r0 = 0; r0 < J->n; r0 += MOSSA__TSNE_KNN_RB) {
        size_t nr = MOSSA__MIN(J->n - r0, (size_t)MOSSA__TSNE_KNN_RB);
        for (c0 = 0; c0 < d || c0 == 0; c0 += MOSSA__TSNE_KNN_DB) {
            size_t dc = MOSSA__MIN(d - c0, (size_t)MOSSA__TSNE_KNN_DB);
            kt->tsne_knn_tile(panel + c0 * MOSSA__TSNE_KNN_QB, dc, J->x + r0 * d + c0, d, nr, tile, c0 > 0);
            if (d == 0) break;
        }
        for (q = 0; q < nq; ++q) {
            float *hd = J->dist + (q0 + q) * K;
            int32_t *hi = J->idx + (q0 + q) * K;
            size_t qi = q0 + q, f = filled[q];
            for (j = 0; j < nr; ++j) {
                float dd = tile[j * MOSSA__TSNE_KNN_QB + q];
                int32_t ji = (int32_t)(r0 + j);
                if (r0 + j == qi) continue;
                if (f < K) {
                    /* sift up */
                    size_t c = f++;
                    hd[c] = dd; hi[c] = ji;
                    while (c > 0) {
                        size_t p = (c - 1) / 2;
                        if (hd[p] > hd[c] || (hd[p] == hd[c] && hi[p] > hi[c])) break;
                        { float td = hd[p]; int32_t ti = hi[p]; hd[p] = hd[c]; hi[p] = hi[c]; hd[c] = td; hi[c] = ti; }
                        c = p;
                    }
                } else if (dd < hd[0]) {  /* ties keep the lower index (seen first) */
                    hd[0] = dd; hi[0] = ji;
                    mossa__tsne_heap_sift(hd, hi, K, 0);
                }
            }
            filled[q] = f;
        }
    }
    /* heap -> ascending */
    for (q = 0; q < nq; ++q) {
        float *hd = J->dist + (q0 + q) * K;
        int32_t *hi = J->idx + (q0 + q) * K;
        mossa__tsne_heap_sorted(hd, hi, K);
    }
}

/* squared distances in dist */
static mossa_status mossa__tsne_knn_brute(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t k,
                                       int32_t *idx, float *dist)
{
    mossa__tsne_knn_job J;
    size_t stride = MOSSA__MAX(d, (size_t)1) * MOSSA__TSNE_KNN_QB + MOSSA__TSNE_KNN_RB * MOSSA__TSNE_KNN_QB;
    J.x = x; J.n = n; J.d = d; J.k = k; J.idx = idx; J.dist = dist;
    J.scratch_stride = stride;
    J.scratch = (float *)mossa__alloc(ctx, stride * (size_t)ctx->n_threads * sizeof(float));
    if (!J.scratch) return MOSSA_ERR_OUT_OF_MEMORY;
    mossa__parallel(ctx, (n + MOSSA__TSNE_KNN_QB - 1) / MOSSA__TSNE_KNN_QB, mossa__tsne_knn_task, &J);
    mossa__free(ctx, J.scratch);
    return MOSSA_OK;
}

/* ---- exact kNN: vantage-point tree ------------------------------------------
   Yianilos' VP-tree over fixed 32-point leaves. A node picks a vantage row
   v (counter-based RNG, fixed seed: the tree never depends on the t-SNE
   seed or the thread count) and splits its range at a multiple of 32 near
   the median of the distances to v, so every leaf starts at a multiple of
   32 and is stored as one d x 32 panel, exactly the operand layout of the
   brute force. A query evaluates a leaf with the same tile kernel, the
   query row in the "reference" slot: each lane accumulates (r_k - q_k)^2
   over k in the same order and with the same (fused) operations as the
   brute force computes (q_k - r_k)^2, so the squared distances are equal
   to the bit, and with the same (distance, index) order the neighbour
   sets are identical.
   Pruning uses distances to the vantage points in double and the triangle
   inequality with a slack that covers the rounding of both sides: the
   float32 kernel's relative error is below (d + 2) 2^-24 (sum of
   non-negative terms) plus underflow (<= 2^-149 per term), the double
   one below d 2^-52. A subtree is skipped only when every point in it is
   provably farther than the current k-th distance, so ties and
   duplicates are never lost. Memory: n x d floats (panels) + 8 n bytes
   (build distances) + n / 16 nodes. */
#define MOSSA__TSNE_VP_LEAF 32       /* = MOSSA__TSNE_KNN_QB, the panel width */
#define MOSSA__TSNE_VP_TASK 8        /* leaves (of queries) per task */
#define MOSSA__TSNE_VP_STACK 128
#define MOSSA__TSNE_VP_SEED 0x56505472656531ull

typedef struct mossa__tsne_vpnode {
    double lo[2], hi[2];  /* child c holds points at vantage distance [lo[c], hi[c]] */
    int32_t vp;           /* vantage row; -1 = leaf */
    int32_t child;        /* inner: first of two children; leaf: first slot (multiple of 32) */
    int32_t count;        /* leaf: points */
    int32_t pad;
} mossa__tsne_vpnode;

typedef struct mossa__tsne_vp {
    const float *x;
    size_t n, d, k, nleaves, nnodes;
    mossa__tsne_vpnode *nodes;
    int32_t *perm;        /* slot -> row */
    float *panel;         /* nleaves x d x 32 */
    double *vd;           /* build: distance of slot to the current vantage */
    double rel_f, abs_f, rel_d;
    int32_t *idx;         /* out: n x k */
    float *dist;          /* out: n x k squared */
    char *wscratch;       /* per worker: stack + tile */
    size_t wstride;
} mossa__tsne_vp;

static double mossa__tsne_dist_d(const float *a, const float *b, size_t d)
{
    double s = 0.0;
    size_t c;
    for (c = 0; c < d; ++c) { double t = (double)a[c] - (double)b[c]; s += t * t; }
    return sqrt(s);
}

/* (vd, perm) ascending order by distance, then row */
static int mossa__tsne_vp_less(const mossa__tsne_vp *T, size_t a, size_t b)
{
    return T->vd[a] < T->vd[b] || (T->vd[a] == T->vd[b] && T->perm[a] < T->perm[b]);
}

static void mossa__tsne_vp_swap(mossa__tsne_vp *T, size_t a, size_t b)
{
    double td = T->vd[a];
    int32_t tp = T->perm[a];
    T->vd[a] = T->vd[b]; T->perm[a] = T->perm[b];
    T->vd[b] = td; T->perm[b] = tp;
}

/* Quickselect: slots [b, e) rearranged so that [b, m) hold the m - b
   smallest keys (keys are distinct: ties broken by row). */
static void mossa__tsne_vp_select(mossa__tsne_vp *T, size_t b, size_t e, size_t m)
{
    while (e - b > 1) {
        size_t mid = b + (e - b) / 2, i, store;
        /* median of three as pivot, moved to e - 1 */
        if (mossa__tsne_vp_less(T, mid, b)) mossa__tsne_vp_swap(T, mid, b);
        if (mossa__tsne_vp_less(T, e - 1, b)) mossa__tsne_vp_swap(T, e - 1, b);
        if (mossa__tsne_vp_less(T, mid, e - 1)) mossa__tsne_vp_swap(T, mid, e - 1);
        store = b;
        for (i = b; i < e - 1; ++i)
            if (mossa__tsne_vp_less(T, i, e - 1)) mossa__tsne_vp_swap(T, i, store++);
        mossa__tsne_vp_swap(T, store, e - 1);
        if (store == m || store + 1 == m) return;   /* [b, store] are the smallest */
        if (store > m) e = store; else b = store + 1;
    }
}

/* Serial build, O(n d log n): ranges split in pre-order. */
static void mossa__tsne_vp_build(mossa__tsne_vp *T)
{
    size_t stack[2 * MOSSA__TSNE_VP_STACK], sp = 0, i, d = T->d, nn = 1;
    int32_t sid[MOSSA__TSNE_VP_STACK];
    for (i = 0; i < T->n; ++i) T->perm[i] = (int32_t)i;
    stack[sp++] = 0; stack[sp++] = T->n; sid[0] = 0;
    while (sp > 0) {
        size_t e = stack[--sp], b = stack[--sp], len = e - b, id = (size_t)sid[sp / 2];
        mossa__tsne_vpnode *nd = &T->nodes[id];
        if (len <= MOSSA__TSNE_VP_LEAF) {
            size_t leaf = b / MOSSA__TSNE_VP_LEAF, c, l;
            float *pn = T->panel + leaf * d * MOSSA__TSNE_VP_LEAF;
            nd->vp = -1; nd->child = (int32_t)b; nd->count = (int32_t)len;
            for (c = 0; c < d; ++c)
                for (l = 0; l < MOSSA__TSNE_VP_LEAF; ++l)
                    pn[c * MOSSA__TSNE_VP_LEAF + l] = l < len ? T->x[(size_t)T->perm[b + l] * d + c] : 0.0f;
            continue;
        } else {
            size_t nb = (len + MOSSA__TSNE_VP_LEAF - 1) / MOSSA__TSNE_VP_LEAF;
            size_t m = b + MOSSA__TSNE_VP_LEAF * (nb / 2), v;
            const float *xv;
            v = b + (size_t)(mossa_rng_u64(MOSSA__TSNE_VP_SEED, id) % (uint64_t)len);
            nd->vp = T->perm[v];
            xv = T->x + (size_t)nd->vp * d;
            for (i = b; i < e; ++i) T->vd[i] = mossa__tsne_dist_d(T->x + (size_t)T->perm[i] * d, xv, d);
            mossa__tsne_vp_select(T, b, e, m);
            nd->lo[0] = nd->lo[1] = HUGE_VAL; nd->hi[0] = nd->hi[1] = 0.0;
            for (i = b; i < e; ++i) {
                int c = i >= m;
                if (T->vd[i] < nd->lo[c]) nd->lo[c] = T->vd[i];
                if (T->vd[i] > nd->hi[c]) nd->hi[c] = T->vd[i];
            }
            nd->child = (int32_t)nn; nd->count = 0;
            nn += 2;
            /* far child pushed first: the tree is laid out near-first */
            sid[sp / 2] = (int32_t)(nd->child + 1); stack[sp++] = m; stack[sp++] = e;
            sid[sp / 2] = (int32_t)nd->child; stack[sp++] = b; stack[sp++] = m;
        }
    }
    T->nnodes = nn;
}

/* true iff every point at true distance >= lb from the query is provably
   farther (in the kernel's float32 arithmetic) than tau2 */
static int mossa__tsne_vp_prune(const mossa__tsne_vp *T, double lb, float tau2)
{
    return lb > 0.0 && lb * lb * (1.0 - T->rel_f) - T->abs_f > (double)tau2;
}

/* lower bound on the true distance from a query at vantage distance dq to
   any point of a shell [lo, hi], net of the double rounding */
static double mossa__tsne_vp_lb(const mossa__tsne_vp *T, double dq, double lo, double hi)
{
    double a = (lo - dq) - T->rel_d * (lo + dq), b = (dq - hi) - T->rel_d * (dq + hi);
    return MOSSA__MAX(MOSSA__MAX(a, b), 0.0);
}

/* (d, ix) lexicographic order */
#define MOSSA__TSNE_PAIR_LESS(da, ia, db, ib) ((da) < (db) || ((da) == (db) && (ia) < (ib)))

/* Quickselect on (distance, row) pairs: [0, m) get the m smallest. */
static void mossa__tsne_pair_select(float *d, int32_t *ix, size_t n, size_t m)
{
    size_t b = 0, e = n;
    if (m == 0 || m >= n) return;
    while (e - b > 1) {
        size_t mid = b + (e - b) / 2, i, st;
        float pd;
        int32_t pi;
#define MOSSA__TSNE_PSWAP(a, c) do { float t_ = d[a]; int32_t u_ = ix[a]; d[a] = d[c]; ix[a] = ix[c]; d[c] = t_; ix[c] = u_; } while (0)
        if (MOSSA__TSNE_PAIR_LESS(d[mid], ix[mid], d[b], ix[b])) MOSSA__TSNE_PSWAP(mid, b);
        if (MOSSA__TSNE_PAIR_LESS(d[e - 1], ix[e - 1], d[b], ix[b])) MOSSA__TSNE_PSWAP(e - 1, b);
        if (MOSSA__TSNE_PAIR_LESS(d[mid], ix[mid], d[e - 1], ix[e - 1])) MOSSA__TSNE_PSWAP(mid, e - 1);
        pd = d[e - 1]; pi = ix[e - 1];
        st = b;
        for (i = b; i < e - 1; ++i)
            if (MOSSA__TSNE_PAIR_LESS(d[i], ix[i], pd, pi)) { MOSSA__TSNE_PSWAP(i, st); ++st; }
        MOSSA__TSNE_PSWAP(st, e - 1);
#undef MOSSA__TSNE_PSWAP
        if (st == m || st + 1 == m) return;
        if (st > m) e = st; else b = st + 1;
    }
}

/* Candidates are appended to a buffer while they beat the threshold
   (the k-th best pair found so far); when the buffer holds 2k entries a
   selection keeps the k best, so each candidate costs O(1) amortised
   (a k-heap costs log k per replacement, and early leaves replace a lot). */
static void mossa__tsne_vp_task(void *arg, size_t task, int worker)
{
    mossa__tsne_vp *T = (mossa__tsne_vp *)arg;
    size_t d = T->d, K = T->k, l0 = task * MOSSA__TSNE_VP_TASK, cap = 2 * K + MOSSA__TSNE_VP_LEAF;
    size_t l1 = MOSSA__MIN(T->nleaves, l0 + MOSSA__TSNE_VP_TASK), s, s1 = MOSSA__MIN(T->n, l1 * MOSSA__TSNE_VP_LEAF);
    char *ws = T->wscratch + (size_t)worker * T->wstride;
    double *sb = (double *)ws;
    int32_t *sn = (int32_t *)(sb + MOSSA__TSNE_VP_STACK);
    float *tile = (float *)(sn + MOSSA__TSNE_VP_STACK);
    float *bd = tile + MOSSA__TSNE_VP_LEAF;
    int32_t *bi = (int32_t *)(bd + cap);
    const mossa__kernels *kt = mossa__k();
    /* queries in slot order: consecutive queries walk the same paths */
    for (s = l0 * MOSSA__TSNE_VP_LEAF; s < s1; ++s) {
        size_t qi = (size_t)T->perm[s], cnt = 0, sp = 0, j;
        const float *xq = T->x + qi * d;
        float *hd = T->dist + qi * K, tau = HUGE_VALF;
        int32_t *hi = T->idx + qi * K, taui = INT32_MAX;
        sb[sp] = 0.0; sn[sp++] = 0;
        while (sp > 0) {
            const mossa__tsne_vpnode *nd;
            --sp;
            if (mossa__tsne_vp_prune(T, sb[sp], tau)) continue;
            nd = &T->nodes[sn[sp]];
            if (nd->vp < 0) {
                size_t b = (size_t)nd->child, l, c = (size_t)nd->count;
                kt->tsne_knn_tile(T->panel + (b / MOSSA__TSNE_VP_LEAF) * d * MOSSA__TSNE_VP_LEAF, d, xq, d, 1, tile, 0);
                for (l = 0; l < c; ++l) {
                    int32_t ji = T->perm[b + l];
                    if (MOSSA__TSNE_PAIR_LESS(tile[l], ji, tau, taui) && (size_t)ji != qi) {
                        bd[cnt] = tile[l]; bi[cnt++] = ji;
                    }
                }
                /* first threshold as soon as k are known, then every k more */
                if (cnt >= 2 * K || (cnt >= K && taui == INT32_MAX)) {
                    mossa__tsne_pair_select(bd, bi, cnt, K);
                    cnt = K;
                    tau = bd[0]; taui = bi[0];
                    for (j = 1; j < K; ++j)
                        if (MOSSA__TSNE_PAIR_LESS(tau, taui, bd[j], bi[j])) { tau = bd[j]; taui = bi[j]; }
                }
            } else {
                double dq = mossa__tsne_dist_d(xq, T->x + (size_t)nd->vp * d, d);
                double lb0 = mossa__tsne_vp_lb(T, dq, nd->lo[0], nd->hi[0]);
                double lb1 = mossa__tsne_vp_lb(T, dq, nd->lo[1], nd->hi[1]);
                /* nearer child popped first */
                if (lb0 <= lb1) {
                    sb[sp] = lb1; sn[sp++] = nd->child + 1;
                    sb[sp] = lb0; sn[sp++] = nd->child;
                } else {
                    sb[sp] = lb0; sn[sp++] = nd->child;
                    sb[sp] = lb1; sn[sp++] = nd->child + 1;
                }
            }
        }
        /* the k best, ascending (the heap sort orders (d, index) pairs) */
        mossa__tsne_pair_select(bd, bi, cnt, K);
        for (j = 0; j < K; ++j) { hd[j] = bd[j]; hi[j] = bi[j]; }
        for (j = K / 2; j-- > 0;) mossa__tsne_heap_sift(hd, hi, K, j);
        mossa__tsne_heap_sorted(hd, hi, K);
    }
}

static mossa_status mossa__tsne_knn_vptree(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t k,
                                           int32_t *idx, float *dist)
{
    mossa__tsne_vp T;
    size_t nl = (n + MOSSA__TSNE_VP_LEAF - 1) / MOSSA__TSNE_VP_LEAF, nodes = 2 * nl, bytes, b_nodes, b_vd,
           b_panel, b_perm, b_ws;
    char *mem;
    memset(&T, 0, sizeof(T));
    T.x = x; T.n = n; T.d = d; T.k = k; T.nleaves = nl; T.idx = idx; T.dist = dist;
    T.wstride = MOSSA__TSNE_VP_STACK * (sizeof(double) + sizeof(int32_t)) + MOSSA__TSNE_VP_LEAF * sizeof(float)
              + (2 * k + MOSSA__TSNE_VP_LEAF) * (sizeof(float) + sizeof(int32_t));
    T.wstride = (T.wstride + 63) & ~(size_t)63;
    /* one block: nodes | vd | panels | perm | worker scratch */
    b_nodes = nodes * sizeof(mossa__tsne_vpnode);
    b_vd = n * sizeof(double);
    if (mossa__mul_overflows(nl * MOSSA__TSNE_VP_LEAF, d * sizeof(float), &b_panel)) return MOSSA_ERR_TOO_LARGE;
    b_perm = ((n * sizeof(int32_t)) + 63) & ~(size_t)63;
    b_ws = T.wstride * (size_t)ctx->n_threads;
    bytes = b_nodes + b_vd + b_panel + b_perm + b_ws;
    if (bytes < b_panel) return MOSSA_ERR_TOO_LARGE;
    mem = (char *)mossa__alloc(ctx, bytes);
    if (!mem) return MOSSA_ERR_OUT_OF_MEMORY;
    T.nodes = (mossa__tsne_vpnode *)mem;
    T.vd = (double *)(mem + b_nodes);
    T.panel = (float *)(mem + b_nodes + b_vd);
    T.perm = (int32_t *)(mem + b_nodes + b_vd + b_panel);
    T.wscratch = mem + b_nodes + b_vd + b_panel + b_perm;
    T.rel_f = (double)(d + 2) * ldexp(1.0, -21);        /* 8x the bound */
    T.abs_f = (double)(d + 1) * ldexp(1.0, -140);
    T.rel_d = (double)(d + 2) * ldexp(1.0, -48);
    mossa__tsne_vp_build(&T);
    mossa__parallel(ctx, (nl + MOSSA__TSNE_VP_TASK - 1) / MOSSA__TSNE_VP_TASK, mossa__tsne_vp_task, &T);
    mossa__free(ctx, mem);
    return MOSSA_OK;
}


/* Method choice for MOSSA_TSNE_KNN_AUTO, from time(brute) / time(VP-tree)
   measured with k = 90, 2 threads, AVX-512, on this project's 2-core
   machine (loaded, so +-20%), for Gaussian data (intrinsic dimension = d)
   and 7-10 well separated clusters (intrinsic dimension lower):
       n       d:  2          3          5          10         20         50
       2000        1.7/2.3    1.2/1.9    1.1/1.3    0.8/1.6    0.8/1.4    0.7/1.0
       5000        2.8/2.9    1.6/2.3    1.1/2.6    0.9/1.9    0.7/1.9    0.5/1.5
       20000       3.9/5.1    3.1/2.8    1.2/2.1    0.5/1.8    0.4/2.3    0.3/1.5
   (Gaussian/clustered), and 0.7 (n 5000) / 0.4 (n 20000) on the 64-d
   digits resampled with N(0, 1) noise. Above d = 5 the tree wins only
   when the intrinsic dimension is low, and loses up to 3x when it is not
   (it then opens nearly every leaf), so auto takes the tree for d <= 5
   and n >= 2000 only, where it won on every data set measured. */
static int mossa__tsne_use_vptree(size_t n, size_t d, int method)
{
    if (method == MOSSA_TSNE_KNN_BRUTE) return 0;
    if (method == MOSSA_TSNE_KNN_VPTREE) return 1;
    return n >= 2000 && d <= 5;
}

static int mossa__tsne_knn_method_valid(int method)
{
    return method == MOSSA_TSNE_KNN_AUTO || method == MOSSA_TSNE_KNN_BRUTE || method == MOSSA_TSNE_KNN_VPTREE;
}

/* squared distances in dist; both methods give identical output */
static mossa_status mossa__tsne_knn_sq(mossa__ctx *ctx, const float *x, size_t n, size_t d, size_t k,
                                       int method, int32_t *idx, float *dist)
{
    if (mossa__tsne_use_vptree(n, d, method)) return mossa__tsne_knn_vptree(ctx, x, n, d, k, idx, dist);
    return mossa__tsne_knn_brute(ctx, x, n, d, k, idx, dist);
}

/* ---- perplexity calibration ---------------------------------------------------
   H(beta) = log S + beta <d'> with S = sum exp(-beta d'_j), d' = d - min d
   (the shift leaves p unchanged and keeps S >= 1). H falls monotonically in
   beta with dH/dbeta = -beta Var_p(d'); Newton steps inside a bisection
   bracket converge in a handful of iterations from beta = 1/mean(d'). */
static double mossa__tsne_calibrate_row(const float *d2, size_t k, double log_perp, float *p)
{
    double dmin = HUGE_VAL, mean = 0.0, beta, lo = 0.0, hi = HUGE_VAL, S = 0.0;
    size_t j;
    int it;
    if (k == 0) return 0.0;
    for (j = 0; j < k; ++j) if ((double)d2[j] < dmin) dmin = (double)d2[j];
    for (j = 0; j < k; ++j) mean += (double)d2[j] - dmin;
    mean /= (double)k;
    if (!(mean > 0.0)) {                 /* all neighbours equidistant: uniform */
        for (j = 0; j < k; ++j) p[j] = (float)(1.0 / (double)k);
        return 0.0;
    }
    beta = 1.0 / mean;
    for (it = 0; it < 200; ++it) {
        double S1 = 0.0, S2 = 0.0, m, var, H, diff, nb;
        S = 0.0;
        for (j = 0; j < k; ++j) {
            double dd = (double)d2[j] - dmin, e = exp(-beta * dd);
            S += e; S1 += e * dd; S2 += e * dd * dd;
        }
        m = S1 / S;
        var = S2 / S - m * m;
        H = log(S) + beta * m;
        diff = H - log_perp;
        if (fabs(diff) < 1e-10) break;
        if (diff > 0) lo = beta; else hi = beta;
        nb = (var > 0.0) ? beta + diff / (beta * var) : -1.0;
        if (!(nb > lo && nb < hi)) nb = (hi == HUGE_VAL) ? beta * 2.0 : 0.5 * (lo + hi);
        if (nb == beta) break;
        beta = nb;
    }
    S = 0.0;
    for (j = 0; j < k; ++j) S += exp(-beta * ((double)d2[j] - dmin));
    for (j = 0; j < k; ++j) p[j] = (float)(exp(-beta * ((double)d2[j] - dmin)) / S);
    return beta;
}

MOSSA_DEF double mossa_tsne_calibrate(const float *sqdist, size_t k, double perplexity, float *p)
{
    if (!sqdist || !p || k == 0 || !(perplexity > 0.0)) return 0.0;
    return mossa__tsne_calibrate_row(sqdist, k, log(perplexity), p);
}

typedef struct mossa__tsne_cal_job {
    float *d2;          /* in: squared distances; out: weights p_{j|i} / (2n) */
    int32_t *col;
    size_t n, k;
    double log_perp;
} mossa__tsne_cal_job;

static void mossa__tsne_cal_task(void *arg, size_t task, int worker)
{
    mossa__tsne_cal_job *J = (mossa__tsne_cal_job *)arg;
    size_t i, j, i0 = task * 256, i1 = MOSSA__MIN(J->n, i0 + 256);
    double scale = 1.0 / (2.0 * (double)J->n);
    (void)worker;
    for (i = i0; i < i1; ++i) {
        float *row = J->d2 + i * J->k;
        mossa__tsne_calibrate_row(row, J->k, J->log_perp, row);
        for (j = 0; j < J->k; ++j) row[j] = (float)((double)row[j] * scale);
        mossa__tsne_sort_cols(J->col + i * J->k, row, J->k);
    }
}

/* ---- sum over ordered pairs of P log P (constant part of KL) ---------------- */
typedef struct mossa__tsne_ent_job {
    const mossa_tsne_state *s;
    double *part;
} mossa__tsne_ent_job;

/* weight of edge j->i, 0 if absent (columns ascending per row) */
static float mossa__tsne_edge_weight(const mossa_tsne_state *s, size_t j, int32_t i)
{
    size_t lo = s->indptr[j], hi = s->indptr[j + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->col[mid] < i) lo = mid + 1; else hi = mid;
    }
    return (lo < s->indptr[j + 1] && s->col[lo] == i) ? s->w[lo] : 0.0f;
}

static void mossa__tsne_ent_task(void *arg, size_t task, int worker)
{
    mossa__tsne_ent_job *J = (mossa__tsne_ent_job *)arg;
    const mossa_tsne_state *s = J->s;
    size_t i, e, i0 = task * 1024, i1 = MOSSA__MIN(s->n, i0 + 1024);
    double acc = 0.0;
    (void)worker;
    for (i = i0; i < i1; ++i)
        for (e = s->indptr[i]; e < s->indptr[i + 1]; ++e) {
            double wr = (double)mossa__tsne_edge_weight(s, (size_t)s->col[e], (int32_t)i);
            double P = (double)s->w[e] + wr;
            /* a mutual pair is met twice (once per direction), a one-way pair once */
            if (P > 0.0) acc += (wr > 0.0 ? 1.0 : 2.0) * P * log(P);
        }
    J->part[task] = acc;
}

static mossa_status mossa__tsne_entropy(mossa__ctx *ctx, mossa_tsne_state *s)
{
    size_t nt = (s->n + 1023) / 1024, t;
    mossa__tsne_ent_job J;
    J.s = s;
    J.part = (double *)mossa__calloc(ctx, nt, sizeof(double));
    if (!J.part) return MOSSA_ERR_OUT_OF_MEMORY;
    mossa__parallel(ctx, nt, mossa__tsne_ent_task, &J);
    s->p_entropy = 0.0;
    for (t = 0; t < nt; ++t) s->p_entropy += J.part[t];
    mossa__free(ctx, J.part);
    return MOSSA_OK;
}

/* Mean and standard deviation of the first coordinate of y (n x dims):
   the PCA initialisations scale it to 1e-4. */
static double mossa__tsne_first_sd(const double *y, size_t n, size_t dims, double *mean)
{
    double mu = 0.0, sd = 0.0;
    size_t i;
    for (i = 0; i < n; ++i) mu += y[i * dims];
    mu /= (double)n;
    for (i = 0; i < n; ++i) sd += (y[i * dims] - mu) * (y[i * dims] - mu);
    *mean = mu;
    return sqrt(sd / (double)n);
}

/* ---- PCA initialisation ---------------------------------------------------------
   Wide inputs (d > MOSSA__TSNE_PCA_SVD_MAX_D, see mossa__tsne_pca_svd):
   subspace iteration on the explicitly centred data (x - mean in double, so
   large-mean columns do not cancel): V <- orth(Xc^T Xc V) with b = dims + 6
   columns, then Rayleigh-Ritz on the b x b matrix (Jacobi). Row chunks are
   fixed (independent of threads) and reduced in order. */
typedef struct mossa__tsne_pca_job {
    const float *x;
    size_t n, d, b, chunk;
    const double *mean;
    double *V;      /* d x b */
    double *W;      /* n x b */
    double *part;   /* tasks x d x b */
    int mode;       /* 0: W = Xc V; 1: part = Xc^T W; 2: part = column sums */
} mossa__tsne_pca_job;

static void mossa__tsne_pca_task(void *arg, size_t task, int worker)
{
    mossa__tsne_pca_job *J = (mossa__tsne_pca_job *)arg;
    size_t i, c, l, i0 = task * J->chunk, i1 = MOSSA__MIN(J->n, i0 + J->chunk), d = J->d, b = J->b;
    double *part = J->part + task * d * b;
    (void)worker;
    if (J->mode == 2) {
        for (c = 0; c < d; ++c) part[c] = 0.0;
        for (i = i0; i < i1; ++i) for (c = 0; c < d; ++c) part[c] += (double)J->x[i * d + c];
        return;
    }
    if (J->mode == 1) for (c = 0; c < d * b; ++c) part[c] = 0.0;
    for (i = i0; i < i1; ++i) {
        const float *xi = J->x + i * d;
        double *wi = J->W + i * b;
        if (J->mode == 0) {
            for (l = 0; l < b; ++l) wi[l] = 0.0;
            for (c = 0; c < d; ++c) {
                double v = (double)xi[c] - J->mean[c];
                const double *vc = J->V + c * b;
                for (l = 0; l < b; ++l) wi[l] += v * vc[l];
            }
        } else {
            for (c = 0; c < d; ++c) {
                double v = (double)xi[c] - J->mean[c];
                double *pc = part + c * b;
                for (l = 0; l < b; ++l) pc[l] += v * wi[l];
            }
        }
    }
}

/* orthonormalise the b columns of A (m x b, row-major) by modified Gram-Schmidt */
static void mossa__tsne_orth(double *A, size_t m, size_t b)
{
    size_t c, l, i;
    for (c = 0; c < b; ++c) {
        double nrm = 0.0;
        for (l = 0; l < c; ++l) {
            double dot = 0.0;
            for (i = 0; i < m; ++i) dot += A[i * b + c] * A[i * b + l];
            for (i = 0; i < m; ++i) A[i * b + c] -= dot * A[i * b + l];
        }
        for (i = 0; i < m; ++i) nrm += A[i * b + c] * A[i * b + c];
        nrm = sqrt(nrm);
        if (nrm > 0.0) for (i = 0; i < m; ++i) A[i * b + c] /= nrm;
    }
}

/* cyclic Jacobi: S (b x b symmetric) -> eigenvalues ev, eigenvectors E (columns) */
static void mossa__tsne_jacobi(double *S, size_t b, double *ev, double *E)
{
    size_t i, j, r, sweep;
    for (i = 0; i < b; ++i) for (j = 0; j < b; ++j) E[i * b + j] = (i == j);
    for (sweep = 0; sweep < 60; ++sweep) {
        double off = 0.0;
        for (i = 0; i < b; ++i) for (j = i + 1; j < b; ++j) off += S[i * b + j] * S[i * b + j];
        if (off < 1e-30) break;
        for (i = 0; i < b; ++i)
            for (j = i + 1; j < b; ++j) {
                double apq = S[i * b + j], th, t, cs, sn;
                if (fabs(apq) < 1e-300) continue;
                th = (S[j * b + j] - S[i * b + i]) / (2.0 * apq);
                t = (th >= 0 ? 1.0 : -1.0) / (fabs(th) + sqrt(th * th + 1.0));
                cs = 1.0 / sqrt(t * t + 1.0);
                sn = t * cs;
                for (r = 0; r < b; ++r) {          /* columns i, j */
                    double a = S[r * b + i], c2 = S[r * b + j];
                    S[r * b + i] = cs * a - sn * c2;
                    S[r * b + j] = sn * a + cs * c2;
                }
                for (r = 0; r < b; ++r) {          /* rows i, j */
                    double a = S[i * b + r], c2 = S[j * b + r];
                    S[i * b + r] = cs * a - sn * c2;
                    S[j * b + r] = sn * a + cs * c2;
                }
                for (r = 0; r < b; ++r) {
                    double a = E[r * b + i], c2 = E[r * b + j];
                    E[r * b + i] = cs * a - sn * c2;
                    E[r * b + j] = sn * a + cs * c2;
                }
            }
    }
    for (i = 0; i < b; ++i) ev[i] = S[i * b + i];
}

/* y (n x dims) = PCA scores scaled to std(first) = 1e-4; *ok = 0 when the
   data has no variance (caller falls back to random). */
static mossa_status mossa__tsne_pca(mossa__ctx *ctx, const float *x, size_t n, size_t d, int dims,
                                    uint64_t seed, double *y, int *ok)
{
    mossa__tsne_pca_job J;
    size_t b = MOSSA__MIN(d, (size_t)dims + 6), nt, t, i, c, l, it;
    double *mean = NULL, *S = NULL, *E = NULL, *ev = NULL;
    int order[16];
    double sd = 0.0, mu = 0.0;
    mossa_status st = MOSSA_ERR_OUT_OF_MEMORY;
    *ok = 0;
    J.x = x; J.n = n; J.d = d; J.b = b;
    J.chunk = MOSSA__MAX((size_t)512, (n + 31) / 32);
    nt = (n + J.chunk - 1) / J.chunk;
    J.V = J.W = J.part = NULL;
    mean = (double *)mossa__calloc(ctx, d, sizeof(double));
    J.V = (double *)mossa__alloc(ctx, d * b * sizeof(double));
    J.W = (double *)mossa__alloc(ctx, n * b * sizeof(double));
    J.part = (double *)mossa__alloc(ctx, nt * d * b * sizeof(double));
    S = (double *)mossa__alloc(ctx, 3 * b * b * sizeof(double));
    if (!mean || !J.V || !J.W || !J.part || !S) goto done;
    E = S + b * b; ev = E + b * b;
    J.mean = mean;
    J.mode = 2;
    mossa__parallel(ctx, nt, mossa__tsne_pca_task, &J);
    for (t = 0; t < nt; ++t) for (c = 0; c < d; ++c) mean[c] += J.part[t * d * b + c];
    for (c = 0; c < d; ++c) mean[c] /= (double)n;
    for (c = 0; c < d * b; ++c) J.V[c] = mossa_rng_normal(seed ^ 0x70CA5EEDull, c);
    mossa__tsne_orth(J.V, d, b);
    for (it = 0; it < 12; ++it) {
        J.mode = 0; mossa__parallel(ctx, nt, mossa__tsne_pca_task, &J);
        J.mode = 1; mossa__parallel(ctx, nt, mossa__tsne_pca_task, &J);
        for (c = 0; c < d * b; ++c) {
            double acc = 0.0;
            for (t = 0; t < nt; ++t) acc += J.part[t * d * b + c];
            J.V[c] = acc;
        }
        mossa__tsne_orth(J.V, d, b);
    }
    J.mode = 0; mossa__parallel(ctx, nt, mossa__tsne_pca_task, &J);
    for (l = 0; l < b; ++l)
        for (c = 0; c < b; ++c) {
            double acc = 0.0;
            for (i = 0; i < n; ++i) acc += J.W[i * b + l] * J.W[i * b + c];
            S[l * b + c] = acc;
        }
    mossa__tsne_jacobi(S, b, ev, E);
    for (l = 0; l < b; ++l) order[l] = (int)l;
    for (l = 0; l < b; ++l)       /* selection sort, descending eigenvalue */
        for (c = l + 1; c < b; ++c)
            if (ev[order[c]] > ev[order[l]]) { int tmp = order[l]; order[l] = order[c]; order[c] = tmp; }
    for (l = 0; l < (size_t)dims; ++l) {
        size_t col = l < b ? (size_t)order[l] : 0;
        double big = 0.0, sign = 1.0;
        /* sign: the largest loading of the component is positive */
        for (c = 0; c < d; ++c) {
            double load = 0.0;
            size_t m;
            for (m = 0; m < b; ++m) load += J.V[c * b + m] * E[m * b + col];
            if (fabs(load) > fabs(big)) big = load;
        }
        if (big < 0) sign = -1.0;
        for (i = 0; i < n; ++i) {
            double v = 0.0;
            size_t m;
            if (l < b) for (m = 0; m < b; ++m) v += J.W[i * b + m] * E[m * b + col];
            y[i * (size_t)dims + l] = sign * v;
        }
    }
    sd = mossa__tsne_first_sd(y, n, (size_t)dims, &mu);
    st = MOSSA_OK;
    if (sd > 0.0 && isfinite(sd) && sd > 1e-12 * (1.0 + fabs(mu))) {
        for (i = 0; i < n * (size_t)dims; ++i) y[i] *= 1e-4 / sd;
        *ok = 1;
    }
done:
    mossa__free(ctx, mean); mossa__free(ctx, J.V); mossa__free(ctx, J.W);
    mossa__free(ctx, J.part); mossa__free(ctx, S);
    return st;
}

/* PCA through the SVD module (exact: Gram eigen-decomposition in double
   when d <= 1024 and n >= d) for narrow inputs. mossa_pca works on a
   centred copy of X (4 d bytes per point), so it is used only while that
   copy stays below the optimiser's own peak (about 0.9 KB per point):
   d <= MOSSA__TSNE_PCA_SVD_MAX_D. On 70000 x 64 it took 0.18 s against
   0.77 s for the subspace iteration above and resolves close eigenvalues
   that 12 subspace steps do not. Wider inputs (LLM hidden states, d in
   the thousands) keep the subspace iteration: it needs n x (dims + 6)
   doubles, not a copy of X. Signs: mossa_pca's (largest-|.| score of
   each component positive). Dimensions beyond min(n, d) start as
   N(0, 1e-4^2). */
#define MOSSA__TSNE_PCA_SVD_MAX_D 128
static mossa_status mossa__tsne_pca_svd(mossa__ctx *ctx, const mossa_tsne_options *o, const float *x,
                                        size_t n, size_t d, double *y, int *ok)
{
    mossa_svd_options so;
    size_t dims = (size_t)o->dims, k = MOSSA__MIN(dims, MOSSA__MIN(n, d)), i, l;
    float *sc;
    double mu = 0.0, sd = 0.0;
    mossa_status st;
    *ok = 0;
    memset(&so, 0, sizeof(so));
    so.n_threads = ctx->n_threads; so.allocator = ctx->allocator; so.seed = o->seed;
    sc = (float *)mossa__alloc(ctx, n * k * sizeof(float));
    if (!sc) return MOSSA_ERR_OUT_OF_MEMORY;
    st = mossa_pca(x, n, d, k, &so, NULL, sc, NULL);
    if (st == MOSSA_ERR_ZERO_VARIANCE) { mossa__free(ctx, sc); return MOSSA_OK; }
    if (st != MOSSA_OK) { mossa__free(ctx, sc); return st; }
    for (i = 0; i < n; ++i)
        for (l = 0; l < k; ++l) y[i * dims + l] = (double)sc[i * k + l];
    sd = mossa__tsne_first_sd(y, n, dims, &mu);
    if (sd > 0.0 && isfinite(sd)) {
        for (i = 0; i < n; ++i)
            for (l = 0; l < dims; ++l)
                y[i * dims + l] = l < k ? y[i * dims + l] * (1e-4 / sd) : 1e-4 * mossa_rng_normal(o->seed, i * dims + l);
        *ok = 1;
    }
    mossa__free(ctx, sc);
    return MOSSA_OK;
}

/* ---- options and state ------------------------------------------------------- */
static mossa_status mossa__tsne_resolve(const mossa_tsne_options *in, mossa_tsne_options *o)
{
    if (in) *o = *in; else memset(o, 0, sizeof(*o));
    if (o->dims == 0) o->dims = 2;
    if (o->dims != 2 && o->dims != 3) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->perplexity == 0.0) o->perplexity = 30.0;
    if (!(o->perplexity > 0.0) || !isfinite(o->perplexity)) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->theta == 0.0) o->theta = 0.5;
    if (o->theta != o->theta || o->theta > 1e3) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->iterations == 0) o->iterations = 1000;
    if (o->iterations < 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->init != MOSSA_TSNE_INIT_PCA && o->init != MOSSA_TSNE_INIT_RANDOM) return MOSSA_ERR_INVALID_ARGUMENT;
    if (!(o->learning_rate >= 0.0) || !isfinite(o->learning_rate)) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->exaggeration == 0.0) o->exaggeration = 12.0;
    if (!(o->exaggeration > 0.0) || !isfinite(o->exaggeration)) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->exaggeration_iterations == 0) o->exaggeration_iterations = 250;
    if (o->exaggeration_iterations < 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (o->n_threads < 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (!mossa__tsne_knn_method_valid((int)o->knn)) return MOSSA_ERR_INVALID_ARGUMENT;
    return MOSSA_OK;
}

static void mossa__tsne_free_state(mossa_tsne_state *s)
{
    mossa__ctx ctx;
    if (!s) return;
    ctx = s->actx;
    mossa__free(&ctx, s->indptr); mossa__free(&ctx, s->col); mossa__free(&ctx, s->w);
    mossa__free(&ctx, s->y); mossa__free(&ctx, s->update); mossa__free(&ctx, s->gains);
    mossa__free(&ctx, s);
}

/* allocates the state with its embedding arrays (edges are the caller's) */
static mossa_status mossa__tsne_new_state(const mossa_tsne_options *o, size_t n, mossa_tsne_state **out)
{
    mossa__ctx ctx;
    mossa_tsne_state *s;
    size_t cnt, i;
    ctx.allocator = o->allocator; ctx.n_threads = 1; ctx.pool = NULL;
    *out = NULL;
    if (n > (size_t)INT32_MAX) return MOSSA_ERR_TOO_LARGE;
    if (mossa__mul_overflows(n, (size_t)o->dims * sizeof(double), &cnt)) return MOSSA_ERR_TOO_LARGE;
    s = (mossa_tsne_state *)mossa__calloc(&ctx, 1, sizeof(*s));
    if (!s) return MOSSA_ERR_OUT_OF_MEMORY;
    s->actx = ctx;
    s->opt = *o;
    s->n = n;
    s->dims = o->dims;
    s->y = (double *)mossa__alloc(&ctx, cnt);
    s->update = (double *)mossa__calloc(&ctx, n * (size_t)o->dims, sizeof(double));
    s->gains = (double *)mossa__alloc(&ctx, cnt);
    if (!s->y || !s->update || !s->gains) { mossa__tsne_free_state(s); return MOSSA_ERR_OUT_OF_MEMORY; }
    for (i = 0; i < n * (size_t)o->dims; ++i) s->gains[i] = 1.0;
    s->lr = o->learning_rate > 0.0 ? o->learning_rate : MOSSA__MAX((double)n / 12.0, 200.0);
    *out = s;
    return MOSSA_OK;
}

static void mossa__tsne_random_init(mossa_tsne_state *s)
{
    size_t i;
    for (i = 0; i < s->n * (size_t)s->dims; ++i) s->y[i] = 1e-4 * mossa_rng_normal(s->opt.seed, i);
}

static mossa_status mossa__tsne_user_init(mossa_tsne_state *s)
{
    size_t i, m = s->n * (size_t)s->dims;
    if (!mossa__all_finite(s->opt.init_y, m)) return MOSSA_ERR_NONFINITE;
    for (i = 0; i < m; ++i) s->y[i] = (double)s->opt.init_y[i];
    return MOSSA_OK;
}

MOSSA_DEF mossa_status mossa_tsne_knn(const float *x, size_t n, size_t d, size_t k,
                                      const mossa_tsne_options *options,
                                      int32_t *indices, float *distances)
{
    mossa__ctx ctx;
    mossa_status st;
    size_t i, cnt;
    if (!x || !indices || !distances || n == 0 || d == 0 || k == 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (k >= n) return MOSSA_ERR_INVALID_ARGUMENT;
    if (n > (size_t)INT32_MAX || mossa__mul_overflows(n, d, &cnt) || mossa__mul_overflows(n, k, &cnt))
        return MOSSA_ERR_TOO_LARGE;
    if (options && (!mossa__tsne_knn_method_valid((int)options->knn) || options->n_threads < 0))
        return MOSSA_ERR_INVALID_ARGUMENT;
    if (!mossa__all_finite(x, n * d)) return MOSSA_ERR_NONFINITE;
    st = mossa__ctx_begin(&ctx, options ? options->n_threads : 0, options ? options->allocator : NULL);
    if (st != MOSSA_OK) return st;
    st = mossa__tsne_knn_sq(&ctx, x, n, d, k, options ? (int)options->knn : 0, indices, distances);
    mossa__ctx_end(&ctx);
    if (st == MOSSA_OK) for (i = 0; i < n * k; ++i) distances[i] = sqrtf(distances[i]);
    return st;
}

/* common tail of the begin functions: entropy constant, init */
static mossa_status mossa__tsne_finish_begin(mossa__ctx *ctx, mossa_tsne_state *s)
{
    return mossa__tsne_entropy(ctx, s);
}

MOSSA_DEF mossa_status mossa_tsne_begin(const float *x, size_t n, size_t d,
                                        const mossa_tsne_options *options,
                                        mossa_tsne_state **state)
{
    mossa_tsne_options o;
    mossa_tsne_state *s = NULL;
    mossa__ctx ctx;
    mossa_status st;
    size_t k, i, cnt;
    int ok = 0;
    mossa__tsne_cal_job C;
    if (!state) return MOSSA_ERR_INVALID_ARGUMENT;
    *state = NULL;
    MOSSA__CHECK(mossa__tsne_resolve(options, &o));
    if (!x || d == 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (n < 2) return MOSSA_ERR_TOO_FEW_SAMPLES;
    if (o.perplexity > (double)(n - 1)) return MOSSA_ERR_PERPLEXITY;
    if (mossa__mul_overflows(n, d, &cnt)) return MOSSA_ERR_TOO_LARGE;
    if (!mossa__all_finite(x, n * d)) return MOSSA_ERR_NONFINITE;
    k = (size_t)(3.0 * o.perplexity);
    if (k > n - 1) k = n - 1;
    if (k < 1) k = 1;
    if (mossa__mul_overflows(n, k * sizeof(float), &cnt)) return MOSSA_ERR_TOO_LARGE;
    MOSSA__CHECK(mossa__tsne_new_state(&o, n, &s));
    s->k = (int)k;
    st = mossa__ctx_begin(&ctx, o.n_threads, o.allocator);
    if (st != MOSSA_OK) { mossa__tsne_free_state(s); return st; }
    /* init first: PCA temporaries are gone before the neighbour graph exists */
    if (o.init_y) st = mossa__tsne_user_init(s);
    else if (o.init == MOSSA_TSNE_INIT_PCA) {
        st = d <= MOSSA__TSNE_PCA_SVD_MAX_D ? mossa__tsne_pca_svd(&ctx, &o, x, n, d, s->y, &ok)
                                            : mossa__tsne_pca(&ctx, x, n, d, o.dims, o.seed, s->y, &ok);
        if (st == MOSSA_OK && !ok) mossa__tsne_random_init(s);
    } else mossa__tsne_random_init(s);
    if (st != MOSSA_OK) goto fail;
    st = MOSSA_ERR_OUT_OF_MEMORY;
    s->indptr = (size_t *)mossa__alloc(&ctx, (n + 1) * sizeof(size_t));
    s->col = (int32_t *)mossa__alloc(&ctx, n * k * sizeof(int32_t));
    s->w = (float *)mossa__alloc(&ctx, n * k * sizeof(float));
    if (!s->indptr || !s->col || !s->w) goto fail;
    for (i = 0; i <= n; ++i) s->indptr[i] = i * k;
    st = mossa__tsne_knn_sq(&ctx, x, n, d, k, (int)o.knn, s->col, s->w);
    if (st != MOSSA_OK) goto fail;
    C.d2 = s->w; C.col = s->col; C.n = n; C.k = k; C.log_perp = log(o.perplexity);
    mossa__parallel(&ctx, (n + 255) / 256, mossa__tsne_cal_task, &C);
    st = mossa__tsne_finish_begin(&ctx, s);
    if (st != MOSSA_OK) goto fail;
    mossa__ctx_end(&ctx);
    *state = s;
    return MOSSA_OK;
fail:
    mossa__ctx_end(&ctx);
    mossa__tsne_free_state(s);
    return st;
}

MOSSA_DEF mossa_status mossa_tsne_begin_knn(size_t n, size_t k, const int32_t *indices,
                                            const float *distances,
                                            const mossa_tsne_options *options,
                                            mossa_tsne_state **state)
{
    mossa_tsne_options o;
    mossa_tsne_state *s = NULL;
    mossa__ctx ctx;
    mossa_status st;
    size_t i, j, cnt;
    mossa__tsne_cal_job C;
    if (!state) return MOSSA_ERR_INVALID_ARGUMENT;
    *state = NULL;
    MOSSA__CHECK(mossa__tsne_resolve(options, &o));
    if (!indices || !distances || k == 0) return MOSSA_ERR_INVALID_ARGUMENT;
    if (n < 2) return MOSSA_ERR_TOO_FEW_SAMPLES;
    if (o.perplexity > (double)k) return MOSSA_ERR_PERPLEXITY;
    if (mossa__mul_overflows(n, k * sizeof(float), &cnt)) return MOSSA_ERR_TOO_LARGE;
    for (i = 0; i < n; ++i)
        for (j = 0; j < k; ++j) {
            int32_t c = indices[i * k + j];
            float dv = distances[i * k + j];
            if (c < 0 || (size_t)c >= n || (size_t)c == i) return MOSSA_ERR_INVALID_ARGUMENT;
            if (!(dv >= 0.0f) || !isfinite(dv)) return dv != dv || isinf(dv) ? MOSSA_ERR_NONFINITE : MOSSA_ERR_INVALID_ARGUMENT;
        }
    MOSSA__CHECK(mossa__tsne_new_state(&o, n, &s));
    s->k = (int)k;
    st = mossa__ctx_begin(&ctx, o.n_threads, o.allocator);
    if (st != MOSSA_OK) { mossa__tsne_free_state(s); return st; }
    if (o.init_y) st = mossa__tsne_user_init(s); else mossa__tsne_random_init(s);
    if (st != MOSSA_OK) goto fail;
    st = MOSSA_ERR_OUT_OF_MEMORY;
    s->indptr = (size_t *)mossa__alloc(&ctx, (n + 1) * sizeof(size_t));
    s->col = (int32_t *)mossa__alloc(&ctx, n * k * sizeof(int32_t));
    s->w = (float *)mossa__alloc(&ctx, n * k * sizeof(float));
    if (!s->indptr || !s->col || !s->w) goto fail;
    for (i = 0; i <= n; ++i) s->indptr[i] = i * k;
    memcpy(s->col, indices, n * k * sizeof(int32_t));
    for (i = 0; i < n * k; ++i) s->w[i] = distances[i] * distances[i];
    C.d2 = s->w; C.col = s->col; C.n = n; C.k = k; C.log_perp = log(o.perplexity);
    mossa__parallel(&ctx, (n + 255) / 256, mossa__tsne_cal_task, &C);
    /* repeated neighbours in a row: merge (rows are sorted by column now) */
    for (i = 0; i < n; ++i)
        for (j = i * k + 1; j < (i + 1) * k; ++j)
            if (s->col[j] == s->col[j - 1]) { st = MOSSA_ERR_INVALID_ARGUMENT; goto fail; }
    st = mossa__tsne_finish_begin(&ctx, s);
    if (st != MOSSA_OK) goto fail;
    mossa__ctx_end(&ctx);
    *state = s;
    return MOSSA_OK;
fail:
    mossa__ctx_end(&ctx);
    mossa__tsne_free_state(s);
    return st;
}

MOSSA_DEF mossa_status mossa_tsne_begin_affinity(size_t n, const size_t *indptr,
                                                 const int32_t *indices, const float *values,
                                                 const mossa_tsne_options *options,
                                                 mossa_tsne_state **state)
{
    mossa_tsne_options o;
    mossa_tsne_state *s = NULL;
    mossa__ctx ctx;
    mossa_status st;
    size_t i, e, m = 0, nnz;
    double total = 0.0;
    if (!state) return MOSSA_ERR_INVALID_ARGUMENT;
    *state = NULL;
    MOSSA__CHECK(mossa__tsne_resolve(options, &o));
    if (!indptr || (!indices && indptr[n] > indptr[0]) || (!values && indptr[n] > indptr[0]))
        return MOSSA_ERR_INVALID_ARGUMENT;
    if (n < 2) return MOSSA_ERR_TOO_FEW_SAMPLES;
    if (indptr[0] != 0) return MOSSA_ERR_INVALID_ARGUMENT;
    for (i = 0; i < n; ++i) if (indptr[i + 1] < indptr[i]) return MOSSA_ERR_INVALID_ARGUMENT;
    nnz = indptr[n];
    for (e = 0; e < nnz; ++e) {
        if (indices[e] < 0 || (size_t)indices[e] >= n) return MOSSA_ERR_INVALID_ARGUMENT;
        if (values[e] != values[e] || isinf(values[e])) return MOSSA_ERR_NONFINITE;
        if (values[e] < 0.0f) return MOSSA_ERR_INVALID_ARGUMENT;
    }
    MOSSA__CHECK(mossa__tsne_new_state(&o, n, &s));
    st = mossa__ctx_begin(&ctx, o.n_threads, o.allocator);
    if (st != MOSSA_OK) { mossa__tsne_free_state(s); return st; }
    if (o.init_y) st = mossa__tsne_user_init(s); else mossa__tsne_random_init(s);
    if (st != MOSSA_OK) goto fail;
    st = MOSSA_ERR_OUT_OF_MEMORY;
    s->indptr = (size_t *)mossa__alloc(&ctx, (n + 1) * sizeof(size_t));
    s->col = (int32_t *)mossa__alloc(&ctx, (nnz ? nnz : 1) * sizeof(int32_t));
    s->w = (float *)mossa__alloc(&ctx, (nnz ? nnz : 1) * sizeof(float));
    if (!s->indptr || !s->col || !s->w) goto fail;
    s->indptr[0] = 0;
    for (i = 0; i < n; ++i) {
        size_t r0 = m, a;
        for (e = indptr[i]; e < indptr[i + 1]; ++e)
            if ((size_t)indices[e] != i && values[e] > 0.0f) { s->col[m] = indices[e]; s->w[m] = values[e]; ++m; }
        mossa__tsne_sort_cols(s->col + r0, s->w + r0, m - r0);
        /* merge duplicates */
        for (a = r0, e = r0; e < m; ++e) {
            if (a > r0 && s->col[a - 1] == s->col[e]) s->w[a - 1] += s->w[e];
            else { s->col[a] = s->col[e]; s->w[a] = s->w[e]; ++a; }
        }
        m = a;
        s->indptr[i + 1] = m;
    }
    for (e = 0; e < m; ++e) total += (double)s->w[e];
    if (!(total > 0.0) || !isfinite(total)) { st = MOSSA_ERR_INVALID_ARGUMENT; goto fail; }
    for (e = 0; e < m; ++e) s->w[e] = (float)((double)s->w[e] / (2.0 * total));
    st = mossa__tsne_finish_begin(&ctx, s);
    if (st != MOSSA_OK) goto fail;
    mossa__ctx_end(&ctx);
    *state = s;
    return MOSSA_OK;
fail:
    mossa__ctx_end(&ctx);
    mossa__tsne_free_state(s);
    return st;
}

MOSSA_DEF void mossa_tsne_end(mossa_tsne_state *state) { mossa__tsne_free_state(state); }
MOSSA_DEF int mossa_tsne_iteration(const mossa_tsne_state *state) { return state ? state->iter : 0; }
MOSSA_DEF size_t mossa_tsne_size(const mossa_tsne_state *state) { return state ? state->n : 0; }

MOSSA_DEF void mossa_tsne_get_embedding(const mossa_tsne_state *state, float *y)
{
    size_t i;
    if (!state || !y) return;
    for (i = 0; i < state->n * (size_t)state->dims; ++i) y[i] = (float)state->y[i];
}

MOSSA_DEF void mossa_tsne_set_embedding(mossa_tsne_state *state, const float *y)
{
    size_t i;
    if (!state || !y) return;
    for (i = 0; i < state->n * (size_t)state->dims; ++i) state->y[i] = (double)y[i];
}

MOSSA_DEF mossa_status mossa_tsne_joint_p(const mossa_tsne_state *s, size_t *nnz,
                                          size_t *indptr, int32_t *indices, double *values)
{
    size_t i, e, m = 0, *cur;
    mossa__ctx ctx;
    if (!s || !nnz) return MOSSA_ERR_INVALID_ARGUMENT;
    /* each directed edge gives an entry in its row; a one-way edge i->j
       also gives the mirror entry in row j (a mutual pair has both edges) */
    for (i = 0; i < s->n; ++i)
        for (e = s->indptr[i]; e < s->indptr[i + 1]; ++e)
            m += mossa__tsne_edge_weight(s, (size_t)s->col[e], (int32_t)i) > 0.0f ? 1 : 2;
    if (!indices) { *nnz = m; return MOSSA_OK; }
    if (!indptr || !values || *nnz < m) return MOSSA_ERR_INVALID_ARGUMENT;
    *nnz = m;
    ctx = s->actx;
    cur = (size_t *)mossa__alloc(&ctx, s->n * sizeof(size_t));
    if (!cur) return MOSSA_ERR_OUT_OF_MEMORY;
    for (i = 0; i <= s->n; ++i) indptr[i] = 0;
    for (i = 0; i < s->n; ++i)
        for (e = s->indptr[i]; e < s->indptr[i + 1]; ++e) {
            indptr[i + 1]++;
            if (mossa__tsne_edge_weight(s, (size_t)s->col[e], (int32_t)i) == 0.0f) indptr[(size_t)s->col[e] + 1]++;
        }
    for (i = 0; i < s->n; ++i) { indptr[i + 1] += indptr[i]; cur[i] = indptr[i]; }
    for (i = 0; i < s->n; ++i)
        for (e = s->indptr[i]; e < s->indptr[i + 1]; ++e) {
            size_t j = (size_t)s->col[e];
            double wr = (double)mossa__tsne_edge_weight(s, j, (int32_t)i);
            indices[cur[i]] = (int32_t)j;
            values[cur[i]++] = (double)s->w[e] + wr;
            if (wr == 0.0) { indices[cur[j]] = (int32_t)i; values[cur[j]++] = (double)s->w[e]; }
        }
    for (i = 0; i < s->n; ++i) {      /* insertion sort of each row by column */
        size_t a, b;
        for (a = indptr[i] + 1; a < indptr[i + 1]; ++a) {
            int32_t c = indices[a];
            double v = values[a];
            for (b = a; b > indptr[i] && indices[b - 1] > c; --b) { indices[b] = indices[b - 1]; values[b] = values[b - 1]; }
            indices[b] = c; values[b] = v;
        }
    }
    mossa__free(&ctx, cur);
    return MOSSA_OK;
}

/* ---- the iteration engine ------------------------------------------------------ */
typedef struct mossa__tsne_ws {
    mossa_tsne_state *s;
    mossa__ctx *ctx;
    size_t n;
    int dims, bits;               /* Morton bits per dimension */
    float *yf;                    /* n x dims, input order */
    float *rep;                   /* n x dims, input order: sum_j q_ij^2 (y_i - y_j) */
    float *abuf;                  /* ATTR_TASKS x n x dims */
    uint64_t *key, *key2;
    uint32_t *perm, *perm2;
    float *sc[3];                 /* coordinates in Morton order (SoA) */
    mossa__tsne_node *nodes;
    size_t nnodes, cap;
    uint32_t *gstart;             /* groups: [gstart[g], gstart[g+1]) */
    size_t ngroups;
    size_t *tgroup;               /* repulsion task t: groups [tgroup[t], tgroup[t+1]) */
    size_t ntasks;
    double *task_z, *task_log;
    size_t abound[MOSSA__TSNE_ATTR_TASKS + 1];
    float *wscratch;              /* per worker: list (4 x (LIST+16)) + acc (4 x 64) */
    int32_t *wstack;              /* per worker: 1024 */
    size_t wstride;
    float theta2;
    int exact, want_log;
    double Z, slog;               /* results of the last passes */
} mossa__tsne_ws;

#define MOSSA__TSNE_STACK 1024

static void mossa__tsne_ws_free(mossa__tsne_ws *ws)
{
    mossa__ctx *c = ws->ctx;
    mossa__free(c, ws->yf); mossa__free(c, ws->rep); mossa__free(c, ws->abuf);
    mossa__free(c, ws->key); mossa__free(c, ws->key2); mossa__free(c, ws->perm); mossa__free(c, ws->perm2);
    mossa__free(c, ws->sc[0]); mossa__free(c, ws->nodes); mossa__free(c, ws->gstart);
    mossa__free(c, ws->tgroup); mossa__free(c, ws->task_z); mossa__free(c, ws->task_log);
    mossa__free(c, ws->wscratch); mossa__free(c, ws->wstack);
}

static mossa_status mossa__tsne_ws_init(mossa__tsne_ws *ws, mossa_tsne_state *s, mossa__ctx *ctx)
{
    size_t n = s->n, nd = n * (size_t)s->dims, t, E = s->indptr[n], ntmax = n / MOSSA__TSNE_REP_POINTS + 2;
    size_t nthr = (size_t)ctx->n_threads;
    memset(ws, 0, sizeof(*ws));
    ws->s = s; ws->ctx = ctx; ws->n = n; ws->dims = s->dims;
    ws->bits = s->dims == 2 ? 24 : 21;
    ws->yf = (float *)mossa__alloc(ctx, nd * sizeof(float));
    ws->rep = (float *)mossa__alloc(ctx, nd * sizeof(float));
    ws->abuf = (float *)mossa__alloc(ctx, MOSSA__TSNE_ATTR_TASKS * nd * sizeof(float));
    ws->key = (uint64_t *)mossa__alloc(ctx, n * sizeof(uint64_t));
    ws->key2 = (uint64_t *)mossa__alloc(ctx, n * sizeof(uint64_t));
    ws->perm = (uint32_t *)mossa__alloc(ctx, n * sizeof(uint32_t));
    ws->perm2 = (uint32_t *)mossa__alloc(ctx, n * sizeof(uint32_t));
    ws->sc[0] = (float *)mossa__alloc(ctx, 3 * n * sizeof(float));
    ws->cap = n / 4 + 64;
    ws->nodes = (mossa__tsne_node *)mossa__alloc(ctx, ws->cap * sizeof(mossa__tsne_node));
    ws->gstart = (uint32_t *)mossa__alloc(ctx, (n + 1) * sizeof(uint32_t));
    ws->tgroup = (size_t *)mossa__alloc(ctx, (ntmax + 1) * sizeof(size_t));
    ws->task_z = (double *)mossa__alloc(ctx, ntmax * sizeof(double));
    ws->task_log = (double *)mossa__alloc(ctx, MOSSA__TSNE_ATTR_TASKS * sizeof(double));
    ws->wstride = 4 * (MOSSA__TSNE_LIST + 16) + 4 * MOSSA__TSNE_GROUP;
    ws->wscratch = (float *)mossa__alloc(ctx, nthr * ws->wstride * sizeof(float));
    ws->wstack = (int32_t *)mossa__alloc(ctx, nthr * MOSSA__TSNE_STACK * sizeof(int32_t));
    if (!ws->yf || !ws->rep || !ws->abuf || !ws->key || !ws->key2 || !ws->perm || !ws->perm2 ||
        !ws->sc[0] || !ws->nodes || !ws->gstart || !ws->tgroup || !ws->task_z || !ws->task_log ||
        !ws->wscratch || !ws->wstack) {
        mossa__tsne_ws_free(ws);
        return MOSSA_ERR_OUT_OF_MEMORY;
    }
    ws->sc[1] = ws->sc[0] + n;
    ws->sc[2] = ws->sc[1] + n;
    /* attractive tasks: rows split so that each holds about E / T edges */
    ws->abound[0] = 0;
    for (t = 1; t < MOSSA__TSNE_ATTR_TASKS; ++t) {
        size_t target = E / MOSSA__TSNE_ATTR_TASKS * t, lo = ws->abound[t - 1], hi = n;
        while (lo < hi) { size_t mid = lo + (hi - lo) / 2; if (s->indptr[mid] < target) lo = mid + 1; else hi = mid; }
        ws->abound[t] = lo;
    }
    ws->abound[MOSSA__TSNE_ATTR_TASKS] = n;
    for (t = 0; t < nd; ++t) ws->yf[t] = (float)s->y[t];
    return MOSSA_OK;
}

static uint64_t mossa__tsne_spread2(uint64_t x)
{
    x &= 0xffffffffull;
    x = (x | (x << 16)) & 0x0000ffff0000ffffull;
    x = (x | (x << 8)) & 0x00ff00ff00ff00ffull;
    x = (x | (x << 4)) & 0x0f0f0f0f0f0f0f0full;
    x = (x | (x << 2)) & 0x3333333333333333ull;
    x = (x | (x << 1)) & 0x5555555555555555ull;
    return x;
}

static uint64_t mossa__tsne_spread3(uint64_t x)
{
    x &= 0x1fffffull;
    x = (x | (x << 32)) & 0x1f00000000ffffull;
    x = (x | (x << 16)) & 0x1f0000ff0000ffull;
    x = (x | (x << 8)) & 0x100f00f00f00f00full;
    x = (x | (x << 4)) & 0x10c30c30c30c30c3ull;
    x = (x | (x << 2)) & 0x1249249249249249ull;
    return x;
}

static int mossa__tsne_clz64(uint64_t x)
{
#if MOSSA__GNUC
    return __builtin_clzll(x);
#else
    int c = 0;
    while (!(x & 0x8000000000000000ull)) { x <<= 1; ++c; }
    return c;
#endif
}

/* Creates node [b, e): width from the common key prefix (compressed tree). */
static void mossa__tsne_make_node(mossa__tsne_ws *ws, mossa__tsne_node *nd, size_t b, size_t e,
                                  double cell0)
{
    uint64_t kb = ws->key[b], ke = ws->key[e - 1];
    int level;
    double wd;
    if (kb == ke) level = ws->bits;
    else level = ws->bits - 1 - (63 - mossa__tsne_clz64(kb ^ ke)) / ws->dims;
    wd = ldexp(cell0, -level);
    nd->w2 = (float)(wd * wd);
    nd->begin = (uint32_t)b; nd->end = (uint32_t)e;
    nd->child = (kb == ke || e - b <= MOSSA__TSNE_LEAF) ? -1 : level;   /* level kept until expanded */
    nd->nchild = 0;
}

/* Morton sort and tree build (serial, O(n)); fills groups and tasks. */
static mossa_status mossa__tsne_build(mossa__tsne_ws *ws)
{
    size_t n = ws->n, i, c, pass;
    int dims = ws->dims, B = ws->bits;
    double lo[3], hi[3], extent = 0.0, scale, cell0;
    uint64_t stack[MOSSA__TSNE_STACK];
    size_t sp = 0;
    const float *yf = ws->yf;
    uint64_t maxkey = 0;
    /* bounding box */
    for (c = 0; c < (size_t)dims; ++c) { lo[c] = HUGE_VAL; hi[c] = -HUGE_VAL; }
    for (i = 0; i < n; ++i)
        for (c = 0; c < (size_t)dims; ++c) {
            double v = (double)yf[i * (size_t)dims + c];
            if (v < lo[c]) lo[c] = v;
            if (v > hi[c]) hi[c] = v;
        }
    for (c = 0; c < (size_t)dims; ++c) extent = MOSSA__MAX(extent, hi[c] - lo[c]);
    scale = extent > 0.0 ? (ldexp(1.0, B) - 1.0) / extent : 0.0;
    cell0 = extent > 0.0 ? extent * ldexp(1.0, B) / (ldexp(1.0, B) - 1.0) : 0.0;
    for (i = 0; i < n; ++i) {
        uint64_t q[3] = {0, 0, 0}, k;
        for (c = 0; c < (size_t)dims; ++c) {
            double v = ((double)yf[i * (size_t)dims + c] - lo[c]) * scale;
            q[c] = v > 0.0 ? (uint64_t)v : 0;
        }
        k = dims == 2 ? (mossa__tsne_spread2(q[0]) << 1) | mossa__tsne_spread2(q[1])
                      : (mossa__tsne_spread3(q[0]) << 2) | (mossa__tsne_spread3(q[1]) << 1) | mossa__tsne_spread3(q[2]);
        ws->key[i] = k;
        ws->perm[i] = (uint32_t)i;
        maxkey |= k;
    }
    /* LSD radix sort, 11-bit digits (stable, so equal keys keep input order) */
    for (pass = 0; pass * 11 < (size_t)(B * dims); ++pass) {
        size_t cnt[2048], sh = pass * 11, sum = 0;
        if (!((maxkey >> sh) & 2047)) continue;
        memset(cnt, 0, sizeof(cnt));
        for (i = 0; i < n; ++i) cnt[(ws->key[i] >> sh) & 2047]++;
        for (i = 0; i < 2048; ++i) { size_t t = cnt[i]; cnt[i] = sum; sum += t; }
        for (i = 0; i < n; ++i) {
            size_t dpos = cnt[(ws->key[i] >> sh) & 2047]++;
            ws->key2[dpos] = ws->key[i];
            ws->perm2[dpos] = ws->perm[i];
        }
        { uint64_t *tk = ws->key; ws->key = ws->key2; ws->key2 = tk; }
        { uint32_t *tp = ws->perm; ws->perm = ws->perm2; ws->perm2 = tp; }
    }
    for (i = 0; i < n; ++i)
        for (c = 0; c < (size_t)dims; ++c) ws->sc[c][i] = yf[(size_t)ws->perm[i] * (size_t)dims + c];
    /* tree: DFS pre-order, children of a node allocated as one block */
    mossa__tsne_make_node(ws, &ws->nodes[0], 0, n, cell0);
    ws->nnodes = 1;
    ws->ngroups = 0;
    /* target groups: the topmost subtrees with <= GROUP points (a leaf of
       more identical points is cut into GROUP-sized pieces); they tile
       [0, n) in order. Inside-a-group nodes carry the high bit on the stack. */
    stack[sp++] = 0;
    while (sp > 0) {
        size_t id = (size_t)(stack[--sp] & ~((uint64_t)1 << 63)), inside = (size_t)(stack[sp] >> 63);
        mossa__tsne_node *nd = &ws->nodes[id];
        if (!inside) {
            if (nd->end - nd->begin <= MOSSA__TSNE_GROUP) {
                ws->gstart[ws->ngroups++] = nd->begin;
                inside = 1;
            } else if (nd->child < 0) {
                size_t b;
                for (b = nd->begin; b < nd->end; b += MOSSA__TSNE_GROUP) ws->gstart[ws->ngroups++] = (uint32_t)b;
            }
        }
        if (nd->child < 0) continue;
        {
            int level = nd->child, shift = (B - 1 - level) * dims, v, nv = 1 << dims;
            size_t b = nd->begin, e = nd->end, first, cnum = 0, bounds[9];
            uint64_t mask = (uint64_t)(nv - 1);
            bounds[0] = b;
            for (v = 0; v < nv; ++v) {        /* end of digit v: first key with digit > v */
                size_t l = bounds[v], h = e;
                while (l < h) {
                    size_t mid = l + (h - l) / 2;
                    if ((size_t)((ws->key[mid] >> shift) & mask) <= (size_t)v) l = mid + 1; else h = mid;
                }
                bounds[v + 1] = l;
            }
            if (ws->nnodes + (size_t)nv > ws->cap) {
                size_t ncap = ws->cap * 2 + (size_t)nv;
                mossa__tsne_node *nn = (mossa__tsne_node *)mossa__alloc(ws->ctx, ncap * sizeof(mossa__tsne_node));
                if (!nn) return MOSSA_ERR_OUT_OF_MEMORY;
                memcpy(nn, ws->nodes, ws->nnodes * sizeof(mossa__tsne_node));
                mossa__free(ws->ctx, ws->nodes);
                ws->nodes = nn; ws->cap = ncap;
                nd = &ws->nodes[id];
            }
            first = ws->nnodes;
            for (v = 0; v < nv; ++v)
                if (bounds[v + 1] > bounds[v])
                    mossa__tsne_make_node(ws, &ws->nodes[first + cnum++], bounds[v], bounds[v + 1], cell0);
            ws->nnodes += cnum;
            nd->child = (int32_t)first;
            nd->nchild = (int32_t)cnum;
            if (sp + cnum > MOSSA__TSNE_STACK) return MOSSA_ERR_INTERNAL;
            while (cnum-- > 0) stack[sp++] = (uint64_t)(first + cnum) | ((uint64_t)inside << 63);
        }
    }
    ws->gstart[ws->ngroups] = (uint32_t)n;
    /* centres of mass, bottom-up (children follow their parent) */
    for (i = ws->nnodes; i-- > 0;) {
        mossa__tsne_node *nd = &ws->nodes[i];
        double acc[3] = {0, 0, 0};
        size_t p;
        if (nd->child < 0) {
            for (p = nd->begin; p < nd->end; ++p)
                for (c = 0; c < (size_t)dims; ++c) acc[c] += (double)ws->sc[c][p];
        } else {
            int ch;
            for (ch = 0; ch < nd->nchild; ++ch) {
                const mossa__tsne_node *cn = &ws->nodes[nd->child + ch];
                double m = (double)(cn->end - cn->begin);
                for (c = 0; c < (size_t)dims; ++c) acc[c] += m * (double)cn->c[c];
            }
        }
        for (c = 0; c < (size_t)dims; ++c) nd->c[c] = (float)(acc[c] / (double)(nd->end - nd->begin));
        for (; c < 3; ++c) nd->c[c] = 0.0f;
    }
    /* repulsion tasks: consecutive groups of at least REP_POINTS points */
    {
        size_t g, acc = 0;
        ws->ntasks = 0;
        ws->tgroup[0] = 0;
        for (g = 0; g < ws->ngroups; ++g) {
            acc += ws->gstart[g + 1] - ws->gstart[g];
            if (acc >= MOSSA__TSNE_REP_POINTS || g + 1 == ws->ngroups) {
                ws->tgroup[++ws->ntasks] = g + 1;
                acc = 0;
            }
        }
    }
    return MOSSA_OK;
}

/* One target group: tree walk into an interaction list, SIMD evaluation. */
static double mossa__tsne_group(mossa__tsne_ws *ws, size_t gb, size_t ge, int worker)
{
    int dims = ws->dims;
    float *lx = ws->wscratch + (size_t)worker * ws->wstride;
    float *ly = lx + (MOSSA__TSNE_LIST + 16), *lz = ly + (MOSSA__TSNE_LIST + 16), *lm = lz + (MOSSA__TSNE_LIST + 16);
    float *acc = lm + (MOSSA__TSNE_LIST + 16);
    int32_t *stack = ws->wstack + (size_t)worker * MOSSA__TSNE_STACK;
    size_t sp = 0, nl = 0, nt = ge - gb, t, c;
    float bl[3] = {0, 0, 0}, bh[3] = {0, 0, 0};
    const mossa__kernels *kt = mossa__k();
    double zsum = 0.0;
    for (c = 0; c < (size_t)dims; ++c) {
        bl[c] = bh[c] = ws->sc[c][gb];
        for (t = gb + 1; t < ge; ++t) {
            float v = ws->sc[c][t];
            if (v < bl[c]) bl[c] = v;
            if (v > bh[c]) bh[c] = v;
        }
    }
    for (t = 0; t < 4 * nt; ++t) acc[t] = 0.0f;
#define MOSSA__TSNE_FLUSH()                                                                   \
    do {                                                                                      \
        while (nl % 16) { lx[nl] = ly[nl] = lz[nl] = 0.0f; lm[nl] = 0.0f; ++nl; }             \
        if (dims == 2) kt->tsne_repulse2(ws->sc[0] + gb, ws->sc[1] + gb, nt, lx, ly, lm, nl, acc); \
        else kt->tsne_repulse3(ws->sc[0] + gb, ws->sc[1] + gb, ws->sc[2] + gb, nt, lx, ly, lz, lm, nl, acc); \
        nl = 0;                                                                               \
    } while (0)
    stack[sp++] = 0;
    while (sp > 0) {
        const mossa__tsne_node *nd = &ws->nodes[stack[--sp]];
        int overlap = nd->begin < ge && gb < nd->end;
        if (!overlap && !ws->exact) {
            float d2 = 0.0f;
            for (c = 0; c < (size_t)dims; ++c) {
                float v = nd->c[c], g = 0.0f;
                if (v < bl[c]) g = bl[c] - v; else if (v > bh[c]) g = v - bh[c];
                d2 += g * g;
            }
            if (nd->w2 < ws->theta2 * d2) {
                if (nl >= MOSSA__TSNE_LIST) MOSSA__TSNE_FLUSH();
                lx[nl] = nd->c[0]; ly[nl] = nd->c[1]; lz[nl] = nd->c[2];
                lm[nl] = (float)(nd->end - nd->begin);
                ++nl;
                continue;
            }
        }
        if (nd->child < 0) {
            size_t p = nd->begin;
            while (p < nd->end) {
                size_t take;
                if (nl >= MOSSA__TSNE_LIST) MOSSA__TSNE_FLUSH();
                take = MOSSA__MIN((size_t)nd->end - p, (size_t)MOSSA__TSNE_LIST - nl);
                memcpy(lx + nl, ws->sc[0] + p, take * sizeof(float));
                memcpy(ly + nl, ws->sc[1] + p, take * sizeof(float));
                if (dims == 3) memcpy(lz + nl, ws->sc[2] + p, take * sizeof(float));
                for (t = 0; t < take; ++t) lm[nl + t] = 1.0f;
                nl += take; p += take;
            }
        } else {
            int ch;
            for (ch = nd->nchild; ch-- > 0;) stack[sp++] = nd->child + ch;
        }
    }
    if (nl > 0) MOSSA__TSNE_FLUSH();
#undef MOSSA__TSNE_FLUSH
    for (t = 0; t < nt; ++t) {
        size_t i = ws->perm[gb + t];
        /* the target met itself once in its own leaf: q = 1 exactly */
        zsum += (double)acc[4 * t] - 1.0;
        for (c = 0; c < (size_t)dims; ++c) ws->rep[i * (size_t)dims + c] = acc[4 * t + 1 + c];
    }
    return zsum;
}

static void mossa__tsne_rep_task(void *arg, size_t task, int worker)
{
    mossa__tsne_ws *ws = (mossa__tsne_ws *)arg;
    size_t g;
    double z = 0.0;
    for (g = ws->tgroup[task]; g < ws->tgroup[task + 1]; ++g)
        z += mossa__tsne_group(ws, ws->gstart[g], ws->gstart[g + 1], worker);
    ws->task_z[task] = z;
}

static mossa_status mossa__tsne_repulsion(mossa__tsne_ws *ws, double theta)
{
    size_t t;
    ws->exact = theta < 0.0;
    ws->theta2 = ws->exact ? 0.0f : (float)(theta * theta);
    MOSSA__CHECK(mossa__tsne_build(ws));
    mossa__parallel(ws->ctx, ws->ntasks, mossa__tsne_rep_task, ws);
    ws->Z = 0.0;
    for (t = 0; t < ws->ntasks; ++t) ws->Z += ws->task_z[t];
    if (!(ws->Z > 0.0)) ws->Z = DBL_MIN;
    return MOSSA_OK;
}

static void mossa__tsne_attr_task(void *arg, size_t task, int worker)
{
    mossa__tsne_ws *ws = (mossa__tsne_ws *)arg;
    const mossa_tsne_state *s = ws->s;
    size_t nd = ws->n * (size_t)ws->dims, i, e, i0 = ws->abound[task], i1 = ws->abound[task + 1];
    float *buf = ws->abuf + task * nd;
    (void)worker;
    memset(buf, 0, nd * sizeof(float));
    mossa__k()->tsne_attract(ws->dims, ws->yf, i0, i1, s->indptr, s->col, s->w, buf);
    if (ws->want_log) {
        double acc = 0.0;
        for (i = i0; i < i1; ++i)
            for (e = s->indptr[i]; e < s->indptr[i + 1]; ++e) {
                const float *a = ws->yf + i * (size_t)ws->dims, *b = ws->yf + (size_t)s->col[e] * (size_t)ws->dims;
                double d2 = 0.0;
                int c;
                for (c = 0; c < ws->dims; ++c) { double t = (double)a[c] - (double)b[c]; d2 += t * t; }
                acc += (double)s->w[e] * log1p(d2);
            }
        ws->task_log[task] = acc;
    }
}

static void mossa__tsne_attraction(mossa__tsne_ws *ws, int want_log)
{
    size_t t;
    ws->want_log = want_log;
    mossa__parallel(ws->ctx, MOSSA__TSNE_ATTR_TASKS, mossa__tsne_attr_task, ws);
    ws->slog = 0.0;
    if (want_log) for (t = 0; t < MOSSA__TSNE_ATTR_TASKS; ++t) ws->slog += ws->task_log[t];
}

/* KL = sum P log P - sum P log q = H + 2 sum_e w_e log(1 + d_e^2) + log Z */
static double mossa__tsne_kl_value(const mossa__tsne_ws *ws)
{
    return ws->s->p_entropy + 2.0 * ws->slog + log(ws->Z);
}

typedef struct mossa__tsne_upd_job {
    mossa__tsne_ws *ws;
    double exag, mom, lr;
    double *grad;      /* gradient mode: write 4 * (attr - rep / Z) here, no update */
} mossa__tsne_upd_job;

static void mossa__tsne_upd_task(void *arg, size_t task, int worker)
{
    mossa__tsne_upd_job *J = (mossa__tsne_upd_job *)arg;
    mossa__tsne_ws *ws = J->ws;
    mossa_tsne_state *s = ws->s;
    size_t dims = (size_t)ws->dims, nd = ws->n * dims, i0 = task * MOSSA__TSNE_UPD_POINTS;
    size_t i1 = MOSSA__MIN(ws->n, i0 + MOSSA__TSNE_UPD_POINTS), i, c, t;
    double invZ = 1.0 / ws->Z;
    (void)worker;
    for (i = i0; i < i1; ++i) {
        double u[3], norm2 = 0.0;
        for (c = 0; c < dims; ++c) {
            size_t a = i * dims + c;
            double attr = 0.0, g, gain;
            for (t = 0; t < MOSSA__TSNE_ATTR_TASKS; ++t) attr += (double)ws->abuf[t * nd + a];
            g = J->exag * attr - (double)ws->rep[a] * invZ;
            if (J->grad) { J->grad[a] = 4.0 * g; continue; }
            gain = s->gains[a];
            gain = (g * s->update[a] < 0.0) ? gain + 0.2 : gain * 0.8;
            if (gain < 0.01) gain = 0.01;
            s->gains[a] = gain;
            u[c] = J->mom * s->update[a] - J->lr * gain * g;
            norm2 += u[c] * u[c];
        }
        if (J->grad) continue;
        /* openTSNE's max_step_norm: a point never jumps more than 5 units in
           one step (keeps tiny or degenerate inputs from oscillating out to
           infinity; normal runs take far smaller steps) */
        if (norm2 > MOSSA__TSNE_MAX_STEP * MOSSA__TSNE_MAX_STEP) {
            double f = MOSSA__TSNE_MAX_STEP / sqrt(norm2);
            for (c = 0; c < dims; ++c) u[c] *= f;
        }
        for (c = 0; c < dims; ++c) {
            size_t a = i * dims + c;
            s->update[a] = u[c];
            s->y[a] += u[c];
            ws->yf[a] = (float)s->y[a];
        }
    }
}

static void mossa__tsne_update(mossa__tsne_ws *ws, double exag, double mom, double *grad)
{
    mossa__tsne_upd_job J;
    J.ws = ws; J.exag = exag; J.mom = mom; J.lr = ws->s->lr; J.grad = grad;
    mossa__parallel(ws->ctx, (ws->n + MOSSA__TSNE_UPD_POINTS - 1) / MOSSA__TSNE_UPD_POINTS, mossa__tsne_upd_task, &J);
}

static double mossa__tsne_theta_or(const mossa_tsne_state *s, double theta)
{
    return theta == 0.0 ? s->opt.theta : theta;
}

/* KL at the current embedding (ws->yf current) */
static mossa_status mossa__tsne_kl_ws(mossa__tsne_ws *ws, double theta, double *kl)
{
    MOSSA__CHECK(mossa__tsne_repulsion(ws, theta));
    mossa__tsne_attraction(ws, 1);
    *kl = mossa__tsne_kl_value(ws);
    return MOSSA_OK;
}

static double mossa__tsne_final_theta(const mossa_tsne_state *s)
{
    /* exact normaliser when affordable, else a tight Barnes-Hut one */
    if (s->n <= MOSSA__TSNE_EXACT_Z_MAX) return -1.0;
    return s->opt.theta < 0.0 ? s->opt.theta : MOSSA__MIN(s->opt.theta, 0.25);
}

MOSSA_DEF mossa_status mossa_tsne_run(mossa_tsne_state *s, int iterations, mossa_tsne_result *result)
{
    mossa__ctx ctx;
    mossa__tsne_ws ws;
    mossa_status st;
    int it, cancelled = 0;
    if (!s || iterations < 0) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, s->opt.n_threads, s->opt.allocator);
    if (st != MOSSA_OK) return st;
    st = mossa__tsne_ws_init(&ws, s, &ctx);
    if (st != MOSSA_OK) { mossa__ctx_end(&ctx); return st; }
    for (it = s->iter; it < iterations; ++it) {
        int early = it < s->opt.exaggeration_iterations;
        int report = s->opt.progress && (it + 1) % 50 == 0;
        double kl = 0.0;
        st = mossa__tsne_repulsion(&ws, s->opt.theta);
        if (st != MOSSA_OK) break;
        mossa__tsne_attraction(&ws, report);
        if (report) kl = mossa__tsne_kl_value(&ws);
        mossa__tsne_update(&ws, early ? s->opt.exaggeration : 1.0, early ? 0.5 : 0.8, NULL);
        s->iter = it + 1;
        if (report && s->opt.progress(it + 1, kl, s->opt.progress_user)) { cancelled = 1; break; }
    }
    if (st == MOSSA_OK && result) {
        result->iterations = s->iter;
        result->neighbors = s->k;
        st = mossa__tsne_kl_ws(&ws, mossa__tsne_final_theta(s), &result->kl);
    }
    mossa__tsne_ws_free(&ws);
    mossa__ctx_end(&ctx);
    if (st == MOSSA_OK && cancelled) st = MOSSA_ERR_CANCELLED;
    return st;
}

MOSSA_DEF mossa_status mossa_tsne_kl(mossa_tsne_state *s, double theta, double *kl)
{
    mossa__ctx ctx;
    mossa__tsne_ws ws;
    mossa_status st;
    if (!s || !kl) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, s->opt.n_threads, s->opt.allocator);
    if (st != MOSSA_OK) return st;
    st = mossa__tsne_ws_init(&ws, s, &ctx);
    if (st == MOSSA_OK) {
        st = mossa__tsne_kl_ws(&ws, mossa__tsne_theta_or(s, theta), kl);
        mossa__tsne_ws_free(&ws);
    }
    mossa__ctx_end(&ctx);
    return st;
}

MOSSA_DEF mossa_status mossa_tsne_gradient(mossa_tsne_state *s, double theta, double *grad)
{
    mossa__ctx ctx;
    mossa__tsne_ws ws;
    mossa_status st;
    if (!s || !grad) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa__ctx_begin(&ctx, s->opt.n_threads, s->opt.allocator);
    if (st != MOSSA_OK) return st;
    st = mossa__tsne_ws_init(&ws, s, &ctx);
    if (st == MOSSA_OK) {
        st = mossa__tsne_repulsion(&ws, mossa__tsne_theta_or(s, theta));
        if (st == MOSSA_OK) {
            mossa__tsne_attraction(&ws, 0);
            mossa__tsne_update(&ws, 1.0, 0.0, grad);
        }
        mossa__tsne_ws_free(&ws);
    }
    mossa__ctx_end(&ctx);
    return st;
}

MOSSA_DEF mossa_status mossa_tsne(const float *x, size_t n, size_t d, const mossa_tsne_options *options,
                                  float *y, mossa_tsne_result *result)
{
    mossa_tsne_state *s = NULL;
    mossa_tsne_result r;
    mossa_status st;
    if (!y) return MOSSA_ERR_INVALID_ARGUMENT;
    st = mossa_tsne_begin(x, n, d, options, &s);
    if (st != MOSSA_OK) return st;
    memset(&r, 0, sizeof(r));
    st = mossa_tsne_run(s, s->opt.iterations, &r);
    if (st == MOSSA_OK || st == MOSSA_ERR_CANCELLED) {
        mossa_tsne_get_embedding(s, y);
    }
    if (result && (st == MOSSA_OK || st == MOSSA_ERR_CANCELLED)) *result = r;
    mossa_tsne_end(s);
    return st;
}
