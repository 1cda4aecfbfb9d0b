/* The per-step loops of the CPU GRU layer (sklearn_seq/nn/_gru.py), compiled.

   _gru.py does the products over many steps with torch (the input part of the
   gates, the weight gradients) and calls these loops for the part that is
   sequential: per step, one matrix product with the hidden weights and the gates of
   that step. In eager PyTorch each of those is a call of several microseconds,
   which at small sizes is the whole cost. The gate derivatives of the backward pass
   (elementwise over many steps) are one pass here too, instead of about ten torch
   operations.

   The matrix product is the BLAS gemm whose address Python passes (torch's own:
   the same library that computes torch's matrix products). Buffers are the
   contiguous, time-major tensors of _gru.py, passed as addresses; the loops hold
   no Python object and run without the GIL. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define INLINE static inline __attribute__((always_inline))
#else
#define INLINE static inline
#endif
#if defined(_MSC_VER) && !defined(__clang__)
#define restrict __restrict
#endif
/* Elementwise loops compiled for AVX-512 and AVX2 too, the version chosen when the
   module loads (GCC's function multiversioning, where the C library supports it). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

/* The Fortran BLAS interface (sgemm_, dgemm_): column-major, every argument by
   address. A row-major (rows x cols) matrix is its column-major transpose, so a
   row-major product C += A B is the column-major C' += B' A'. */
typedef void (*sgemm_t)(const char *, const char *, const int *, const int *, const int *,
                        const float *, const float *, const int *, const float *,
                        const int *, const float *, float *, const int *);
typedef void (*dgemm_t)(const char *, const char *, const int *, const int *, const int *,
                        const double *, const double *, const int *, const double *,
                        const int *, const double *, double *, const int *);

/* exp(x) in float32 by range reduction and a polynomial (the classic Cephes expf
   scheme), with no call or branch, so that the loops below vectorise; about one
   unit in the last place from expf. */
INLINE float exp_f(float x) {
    x = x > 88.0f ? 88.0f : (x < -87.0f ? -87.0f : x);
    const float shift = 12582912.0f; /* 1.5 * 2^23: adding it rounds to an integer */
    float k = (x * 1.44269504088896341f + shift) - shift;
    float r = x - k * 0.693359375f + k * 2.12194440e-4f; /* x - k ln 2, in two parts */
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    union { int32_t i; float f; } scale; /* 2^k */
    scale.i = ((int32_t)k + 127) << 23;
    return p * scale.f;
}

INLINE float sigmoid_f(float x) { return 1.0f / (1.0f + exp_f(-x)); }

INLINE float tanh_f(float x) {
    float t = exp_f(-2.0f * fabsf(x));
    return copysignf((1.0f - t) / (1.0f + t), x);
}

INLINE double sigmoid_d(double x) { return 1.0 / (1.0 + exp(-x)); }

/* One row of one step. g: the reset and update pre-activations, then the hidden
   part of the new gate; n: the input part of the new gate; h: the previous state
   (NULL for a zero state). Leaves sigmoid(r), sigmoid(z) in g, the new gate
   tanh(n + r * h_n) in n and the state n + z (h - n) in out. */
#define GATES_BODY(SIGMOID, TANH)                                                       \
    for (int i = 0; i < 2 * hidden; i++) g[i] = SIGMOID(g[i]);                            \
    for (int i = 0; i < hidden; i++) n[i] = TANH(n[i] + g[i] * g[2 * hidden + i]);        \
    if (h)                                                                                 \
        for (int i = 0; i < hidden; i++) out[i] = n[i] + g[hidden + i] * (h[i] - n[i]);   \
    else                                                                                   \
        for (int i = 0; i < hidden; i++) out[i] = n[i] - g[hidden + i] * n[i];

INLINE void
gates_f_body(float *restrict g, float *restrict n, float *restrict out,
             const float *restrict h, int hidden) {
    GATES_BODY(sigmoid_f, tanh_f)
}

typedef void (*gates_f_t)(float *restrict, float *restrict, float *restrict,
                          const float *restrict, int);

static void gates_f_base(float *restrict g, float *restrict n, float *restrict out,
                         const float *restrict h, int hidden) {
    gates_f_body(g, n, out, h, hidden);
}

/* The same compiled for AVX2 and FMA (eight floats an operation instead of four),
   chosen when the module loads on a processor that has them. */
#if defined(__GNUC__) && defined(__x86_64__)
#define HAVE_AVX2_GATES 1
__attribute__((target("avx2,fma"))) static void
gates_f_avx2(float *restrict g, float *restrict n, float *restrict out,
             const float *restrict h, int hidden) {
    gates_f_body(g, n, out, h, hidden);
}
#endif

static gates_f_t gates_f = gates_f_base;

static void gates_d(double *restrict g, double *restrict n, double *restrict out,
                    const double *restrict h, int hidden) {
    GATES_BODY(sigmoid_d, tanh)
}

/* forward: steps t0 .. t1 - 1 of g (time, batch, 3 hidden), n and out (time,
   batch, hidden); w is w_hh' (hidden, 3 hidden), row-major. The state before step
   t is out[t - 1], zero before step 0.
   backward: steps k - 1 .. 0 of a chunk. a and d are (k [+ 1], batch, 4, hidden):
   d[j] += a[j] * dh where dh = d[j + 1][:, 3] (each of the four blocks), then,
   unless this is the first step of the sequence, d[j][:, 3] += d[j][:, :3] w_hh
   with w_hh (3 hidden, hidden), row-major. */
#define DEFINE_LOOPS(T, S, GEMM_T)                                                        \
    static void forward_##S(GEMM_T gemm, int t0, int t1, int batch, int hidden, T *g,      \
                            T *n, T *out, const T *w) {                                    \
        const int h3 = 3 * hidden;                                                         \
        const T one = 1;                                                                   \
        const size_t gs = (size_t)batch * h3, hs = (size_t)batch * hidden;                 \
        for (int t = t0; t < t1; t++) {                                                    \
            T *g_t = g + t * gs, *n_t = n + t * hs, *o_t = out + t * hs;                   \
            const T *h = t ? out + (t - 1) * hs : NULL;                                    \
            if (h)                                                                         \
                gemm("N", "N", &h3, &batch, &hidden, &one, w, &h3, h, &hidden, &one, g_t,  \
                     &h3);                                                                 \
            for (int b = 0; b < batch; b++)                                                \
                gates_##S(g_t + b * h3, n_t + b * hidden, o_t + b * hidden,               \
                          h ? h + b * hidden : NULL, hidden);                              \
        }                                                                                  \
    }                                                                                      \
    CLONES static void backward_##S(GEMM_T gemm, int k, int batch, int hidden, int first, \
                             const T *a, T *d, const T *w_hh) {                            \
        const int h3 = 3 * hidden, h4 = 4 * hidden;                                        \
        const T one = 1;                                                                   \
        const size_t ds = (size_t)batch * h4;                                              \
        for (int j = k - 1; j >= 0; j--) {                                                 \
            T *d_j = d + j * ds;                                                           \
            const T *a_j = a + j * ds, *next = d + (j + 1) * ds;                           \
            for (int b = 0; b < batch; b++) {                                              \
                T *db = d_j + b * h4;                                                      \
                const T *ab = a_j + b * h4, *dh = next + b * h4 + h3;                      \
                for (int q = 0; q < h4; q += hidden)                                       \
                    for (int i = 0; i < hidden; i++) db[q + i] += ab[q + i] * dh[i];       \
            }                                                                              \
            if (j || !first)                                                               \
                gemm("N", "N", &hidden, &batch, &h3, &one, w_hh, &hidden, d_j, &h4, &one,  \
                     d_j + h3, &h4);                                                       \
        }                                                                                  \
    }

DEFINE_LOOPS(float, f, sgemm_t)
DEFINE_LOOPS(double, d, dgemm_t)

/* The gate derivatives of a chunk's k steps t0 .. t0 + k - 1, in one pass (what
   _gru.py's Python fallback computes with torch operations): from the saved gates
   r, z (sigmoids), h_n (g: time, batch, 3 hidden), the new gate n and the states
   (out: time, batch, hidden; zero before step 0), with dn = (1 - z)(1 - n^2),
   a[j] (batch, 4, hidden) = [dn h_n r (1 - r), (h_prev - n) z (1 - z), dn r, z]
   and dn[j] (batch, hidden). */
#define DEFINE_GATE_GRADS(T, S)                                                           \
    CLONES static void gate_grads_##S(int t0, int k, int batch, int hidden, const T *g,  \
                               const T *n, const T *out, T *a, T *dn) {                  \
        const size_t gs = (size_t)batch * 3 * hidden, hs = (size_t)batch * hidden;       \
        for (int j = 0; j < k; j++) {                                                      \
            const int t = t0 + j;                                                          \
            for (int b = 0; b < batch; b++) {                                              \
                const T *restrict r = g + t * gs + (size_t)b * 3 * hidden;                 \
                const T *restrict z = r + hidden, *restrict h_n = r + 2 * hidden;          \
                const T *restrict n_t = n + t * hs + (size_t)b * hidden;                   \
                const T *restrict prev = t ? out + (t - 1) * hs + (size_t)b * hidden      \
                                           : NULL;                                         \
                T *restrict a_t = a + (j * hs + (size_t)b * hidden) * 4;                   \
                T *restrict dn_t = dn + j * hs + (size_t)b * hidden;                       \
                for (int i = 0; i < hidden; i++) {                                         \
                    const T d = (1 - z[i]) * (1 - n_t[i] * n_t[i]);                       \
                    const T h = prev ? prev[i] : 0;                                        \
                    dn_t[i] = d;                                                           \
                    a_t[i] = d * h_n[i] * (r[i] * (1 - r[i]));                             \
                    a_t[hidden + i] = (h - n_t[i]) * (z[i] * (1 - z[i]));                  \
                    a_t[2 * hidden + i] = d * r[i];                                        \
                    a_t[3 * hidden + i] = z[i];                                            \
                }                                                                          \
            }                                                                              \
        }                                                                                  \
    }

DEFINE_GATE_GRADS(float, f)
DEFINE_GATE_GRADS(double, d)

static PyObject *py_gate_grads(PyObject *self, PyObject *args) {
    int dbl, t0, k, batch, hidden;
    unsigned long long g, n, out, a, dn;
    if (!PyArg_ParseTuple(args, "piiiiKKKKK", &dbl, &t0, &k, &batch, &hidden, &g, &n, &out,
                          &a, &dn))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    if (dbl)
        gate_grads_d(t0, k, batch, hidden, (const double *)(uintptr_t)g,
                     (const double *)(uintptr_t)n, (const double *)(uintptr_t)out,
                     (double *)(uintptr_t)a, (double *)(uintptr_t)dn);
    else
        gate_grads_f(t0, k, batch, hidden, (const float *)(uintptr_t)g,
                     (const float *)(uintptr_t)n, (const float *)(uintptr_t)out,
                     (float *)(uintptr_t)a, (float *)(uintptr_t)dn);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *py_forward(PyObject *self, PyObject *args) {
    int dbl, t0, t1, batch, hidden;
    unsigned long long gemm, g, n, out, w;
    if (!PyArg_ParseTuple(args, "piiiiKKKKK", &dbl, &t0, &t1, &batch, &hidden, &gemm, &g,
                          &n, &out, &w))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    if (dbl)
        forward_d((dgemm_t)(uintptr_t)gemm, t0, t1, batch, hidden, (double *)(uintptr_t)g,
                  (double *)(uintptr_t)n, (double *)(uintptr_t)out,
                  (const double *)(uintptr_t)w);
    else
        forward_f((sgemm_t)(uintptr_t)gemm, t0, t1, batch, hidden, (float *)(uintptr_t)g,
                  (float *)(uintptr_t)n, (float *)(uintptr_t)out,
                  (const float *)(uintptr_t)w);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyObject *py_backward(PyObject *self, PyObject *args) {
    int dbl, k, batch, hidden, first;
    unsigned long long gemm, a, d, w;
    if (!PyArg_ParseTuple(args, "piiipKKKK", &dbl, &k, &batch, &hidden, &first, &gemm, &a,
                          &d, &w))
        return NULL;
    Py_BEGIN_ALLOW_THREADS
    if (dbl)
        backward_d((dgemm_t)(uintptr_t)gemm, k, batch, hidden, first,
                   (const double *)(uintptr_t)a, (double *)(uintptr_t)d,
                   (const double *)(uintptr_t)w);
    else
        backward_f((sgemm_t)(uintptr_t)gemm, k, batch, hidden, first,
                   (const float *)(uintptr_t)a, (float *)(uintptr_t)d,
                   (const float *)(uintptr_t)w);
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"forward", py_forward, METH_VARARGS,
     "forward(double, t0, t1, batch, hidden, gemm, g, n, out, w): steps t0..t1-1."},
    {"backward", py_backward, METH_VARARGS,
     "backward(double, k, batch, hidden, first, gemm, a, d, w_hh): a chunk's k steps."},
    {"gate_grads", py_gate_grads, METH_VARARGS,
     "gate_grads(double, t0, k, batch, hidden, g, n, out, a, dn): a chunk's gate "
     "derivatives."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_gru_loops",
    "The per-step loops of the CPU GRU layer (see sklearn_seq/nn/_gru.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__gru_loops(void) {
#ifdef HAVE_AVX2_GATES
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) gates_f = gates_f_avx2;
#endif
    return PyModule_Create(&module);
}
