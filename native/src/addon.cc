// Native kernels for sigprop-stream, on the caller's memory (zero copy: the typed arrays may be
// views of a WebAssembly heap or of tfjs cpu tensors): float32 matrix products through OpenBLAS,
// the optimizers' parameter updates in one pass, and LayerNorm with its gradients.
#include <napi.h>
#include <cblas.h>

#include <atomic>
#include <cstdlib>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace {

Napi::Value Fail(Napi::Env env, const std::string& message) {
  Napi::RangeError::New(env, "sigprop-native: " + message).ThrowAsJavaScriptException();
  return env.Undefined();
}

// Flushes denormal floats to zero (inputs and results) on this thread while in scope, as
// TensorFlow does in its CPU kernels. Saturated softmaxes give gradients around 1e-20..1e-45
// (17% of them in batch-1 steps of the reference MLP), whose squares and products are denormal:
// x86 handles those in microcode, ~100x slower, which made the batch-1 optimizer update 3-10x
// slower. Flushed values are below 1.2e-38 and change no result that matters.
class FlushDenormals {
 public:
#if defined(__SSE2__)
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | 0x8040); }  // FTZ | DAZ
  ~FlushDenormals() { _mm_setcsr(saved_); }

 private:
  unsigned int saved_;
#endif
};

bool IsFloat32Array(const Napi::Value& v) {
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array;
}

// Products below this many multiply-adds (about 5 ms of one core) run on the calling thread
// alone: splitting them costs more in waking and waiting for OpenBLAS's workers than it saves,
// and much more when the other cores are busy. Measured on the 2-core project machine under
// load (median of 30): 32x1024x1024 1.0 ms on one thread vs 7.9 ms on two; 128x1024x1024 6.0 vs
// 8.3 ms; batch-1 training steps 2-4x faster. So every product of the reference MLP runs on one.
double ThreadedMinWork() {
  static const double work = [] {
    const char* text = std::getenv("SIGPROP_BLAS_THREADED_MIN_WORK");
    const double value = text == nullptr ? 0 : std::atof(text);
    return value > 0 ? value : 2.7e8;
  }();
  return work;
}

// OpenBLAS's own thread count (all cores, or OPENBLAS_NUM_THREADS): read once per process, when
// the module first loads (worker threads load it again), before any product changed it.
int AllThreads() {
  static const int all = openblas_get_num_threads();
  return all;
}

// The count last set by ThreadsFor (0: not yet). Atomic: worker threads and the main thread may
// multiply at the same time; OpenBLAS serves concurrent calls, a race here only costs speed.
std::atomic<int> current_threads{0};

// Sets OpenBLAS's thread count for a product of `work` multiply-adds (all threads or one).
void ThreadsFor(double work) {
  const int wanted = work < ThreadedMinWork() ? 1 : AllThreads();
  if (current_threads.exchange(wanted) != wanted) openblas_set_num_threads(wanted);
}

// batchMatMul(a, b, c, batch, m, n, k, transposeA, transposeB, broadcastA, broadcastB):
// for each i < batch, C_i[m×n] = op(A_i)·op(B_i), row-major, where op(A_i) is A_i[m×k] or, with
// transposeA, A_i[k×m] transposed (same for B with k×n / n×k). A batch operand with broadcastX set
// holds one matrix used for every i. C is overwritten. Throws RangeError on bad arguments.
Napi::Value BatchMatMul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 11) return Fail(env, "batchMatMul expects 11 arguments");
  for (int i = 0; i < 3; i++) {
    if (!IsFloat32Array(info[i])) return Fail(env, "a, b and c must be Float32Arrays");
  }
  for (int i = 3; i < 7; i++) {
    if (!info[i].IsNumber()) return Fail(env, "batch, m, n and k must be numbers");
  }
  const int64_t batch = info[3].As<Napi::Number>().Int64Value();
  const int64_t m = info[4].As<Napi::Number>().Int64Value();
  const int64_t n = info[5].As<Napi::Number>().Int64Value();
  const int64_t k = info[6].As<Napi::Number>().Int64Value();
  const bool ta = info[7].ToBoolean(), tb = info[8].ToBoolean();
  const bool ba = info[9].ToBoolean(), bb = info[10].ToBoolean();
  if (batch < 0 || m < 0 || n < 0 || k < 0 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) {
    return Fail(env, "dimensions must be in [0, 2^31)");
  }
  auto a = info[0].As<Napi::Float32Array>();
  auto b = info[1].As<Napi::Float32Array>();
  auto c = info[2].As<Napi::Float32Array>();
  const int64_t strideA = ba ? 0 : m * k, strideB = bb ? 0 : k * n;
  if (static_cast<int64_t>(a.ElementLength()) < (ba ? 1 : batch) * m * k ||
      static_cast<int64_t>(b.ElementLength()) < (bb ? 1 : batch) * k * n ||
      static_cast<int64_t>(c.ElementLength()) < batch * m * n) {
    return Fail(env, "an array is shorter than its matrices");
  }
  const int lda = static_cast<int>(ta ? m : k), ldb = static_cast<int>(tb ? k : n);
  ThreadsFor(static_cast<double>(m) * static_cast<double>(n) * static_cast<double>(k));
  FlushDenormals flush;
  for (int64_t i = 0; i < batch; i++) {
    if (m == 1 && n > 0 && k > 0) {
      // One row (batch-1 predictions and updates): a matrix-vector product reads B once, where
      // sgemm packs it first; measured 0.17 vs 0.50 ms for 1x1024x1024 on the project machine.
      // The row of op(A) is contiguous whether A is stored 1xk or (transposed) kx1.
      cblas_sgemv(CblasRowMajor, tb ? CblasNoTrans : CblasTrans, static_cast<int>(tb ? n : k),
                  static_cast<int>(tb ? k : n), 1.0f, b.Data() + i * strideB, ldb,
                  a.Data() + i * strideA, 1, 0.0f, c.Data() + i * n, 1);
      continue;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f,
                a.Data() + i * strideA, lda, b.Data() + i * strideB, ldb, 0.0f,
                c.Data() + i * m * n, static_cast<int>(n));
  }
  return env.Undefined();
}

// The Float32Array arguments [from, to) of `info`, all of length `n`, or an empty vector after
// throwing a RangeError.
std::vector<float*> Arrays(const Napi::CallbackInfo& info, size_t from, size_t to, size_t* n) {
  std::vector<float*> out;
  for (size_t i = from; i < to; i++) {
    if (!IsFloat32Array(info[i])) {
      Fail(info.Env(), "the arrays must be Float32Arrays");
      return {};
    }
    auto a = info[i].As<Napi::Float32Array>();
    if (i == from) *n = a.ElementLength();
    if (a.ElementLength() != *n) {
      Fail(info.Env(), "the arrays must have equal lengths");
      return {};
    }
    out.push_back(a.Data());
  }
  return out;
}

// The number arguments [from, to) of `info`, or an empty vector after throwing a RangeError.
std::vector<double> Numbers(const Napi::CallbackInfo& info, size_t from, size_t to) {
  std::vector<double> out;
  for (size_t i = from; i < to; i++) {
    if (!info[i].IsNumber()) {
      Fail(info.Env(), "the coefficients must be numbers");
      return {};
    }
    out.push_back(info[i].As<Napi::Number>().DoubleValue());
  }
  return out;
}

// The update rules of src/sigprop/optim/update-rules.ts in float32, op for op as PyTorch's
// optimizers compute them (scalars cast to float as ATen casts them; -ffp-contract=off, so no
// multiply-add is fused): they agree with that file's double-precision fallback to float32
// rounding. Float rather than double: twice as fast, and PyTorch's own arithmetic. Outputs may
// alias inputs: element i is read before it is written. Plain loops, vectorized by -O3: builds for
// AVX2 and AVX-512 measured no faster (the loops are bound by memory traffic).

inline float Decay(float g, float p, float wd) { return wd == 0.0f ? g : g + wd * p; }

void AdamLoop(size_t n, const float* p, const float* g, const float* m, const float* v, float* p_out,
              float* m_out, float* v_out, double step_size, double correction2, double weight_decay,
              double beta1, double beta2, double epsilon) {
  const float wd = static_cast<float>(weight_decay), b1 = static_cast<float>(beta1);
  const float a1 = static_cast<float>(1 - beta1), b2 = static_cast<float>(beta2);
  const float a2 = static_cast<float>(1 - beta2), minus_step = static_cast<float>(-step_size);
  const float c2 = static_cast<float>(correction2), eps = static_cast<float>(epsilon);
  for (size_t i = 0; i < n; i++) {
    const float pi = p[i];
    const float d = Decay(g[i], pi, wd);
    const float mi = b1 * m[i] + a1 * d;
    const float vi = b2 * v[i] + (a2 * d) * d;
    m_out[i] = mi;
    v_out[i] = vi;
    p_out[i] = pi + (minus_step * mi) / (std::sqrt(vi) / c2 + eps);
  }
}

void MomentumLoop(size_t n, const float* p, const float* g, const float* b, float* p_out, float* b_out,
                  double lr, double weight_decay, double momentum) {
  const float minus_lr = static_cast<float>(-lr), wd = static_cast<float>(weight_decay);
  const float mu = static_cast<float>(momentum);
  for (size_t i = 0; i < n; i++) {
    const float pi = p[i];
    const float bi = mu * b[i] + Decay(g[i], pi, wd);
    b_out[i] = bi;
    p_out[i] = pi + minus_lr * bi;
  }
}

void SgdLoop(size_t n, const float* p, const float* g, float* p_out, double lr, double weight_decay) {
  const float minus_lr = static_cast<float>(-lr), wd = static_cast<float>(weight_decay);
  for (size_t i = 0; i < n; i++) {
    const float pi = p[i];
    p_out[i] = pi + minus_lr * Decay(g[i], pi, wd);
  }
}

// adamUpdate(p, g, m, v, pOut, mOut, vOut, stepSize, correction2, weightDecay, beta1, beta2,
// epsilon) with stepSize = lr / (1 − β1ᵗ) and correction2 = √(1 − β2ᵗ) computed by the caller.
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  if (info.Length() != 13) return Fail(info.Env(), "adamUpdate expects 13 arguments");
  size_t n = 0;
  auto a = Arrays(info, 0, 7, &n);
  auto c = Numbers(info, 7, 13);
  if (a.empty() || c.empty()) return info.Env().Undefined();
  FlushDenormals flush;
  AdamLoop(n, a[0], a[1], a[2], a[3], a[4], a[5], a[6], c[0], c[1], c[2], c[3], c[4], c[5]);
  return info.Env().Undefined();
}

// momentumUpdate(p, g, b, pOut, bOut, lr, weightDecay, momentum)
Napi::Value MomentumUpdate(const Napi::CallbackInfo& info) {
  if (info.Length() != 8) return Fail(info.Env(), "momentumUpdate expects 8 arguments");
  size_t n = 0;
  auto a = Arrays(info, 0, 5, &n);
  auto c = Numbers(info, 5, 8);
  if (a.empty() || c.empty()) return info.Env().Undefined();
  FlushDenormals flush;
  MomentumLoop(n, a[0], a[1], a[2], a[3], a[4], c[0], c[1], c[2]);
  return info.Env().Undefined();
}

// sgdUpdate(p, g, pOut, lr, weightDecay)
Napi::Value SgdUpdate(const Napi::CallbackInfo& info) {
  if (info.Length() != 5) return Fail(info.Env(), "sgdUpdate expects 5 arguments");
  size_t n = 0;
  auto a = Arrays(info, 0, 3, &n);
  auto c = Numbers(info, 3, 5);
  if (a.empty() || c.empty()) return info.Env().Undefined();
  FlushDenormals flush;
  SgdLoop(n, a[0], a[1], a[2], c[0], c[1]);
  return info.Env().Undefined();
}

// Argument `i` of `info` as a float pointer when it is a Float32Array of at least `length`
// elements; else throws a RangeError and returns nullptr.
float* Floats(const Napi::CallbackInfo& info, size_t i, size_t length) {
  if (!IsFloat32Array(info[i]) || info[i].As<Napi::Float32Array>().ElementLength() < length) {
    Fail(info.Env(), "argument " + std::to_string(i) + " must be a Float32Array of at least " + std::to_string(length) + " elements");
    return nullptr;
  }
  return info[i].As<Napi::Float32Array>().Data();
}

// Sum of a[i]·b[i] (b may be null: sum of a[i]) in double with four partial sums, so that the
// additions do not wait for each other.
double Dot(const float* a, const float* b, size_t n) {
  double s[4] = {0, 0, 0, 0};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (size_t k = 0; k < 4; k++) s[k] += b ? static_cast<double>(a[i + k]) * b[i + k] : a[i + k];
  }
  for (; i < n; i++) s[0] += b ? static_cast<double>(a[i]) * b[i] : a[i];
  return (s[0] + s[1]) + (s[2] + s[3]);
}

// leakyRelu(x, y, n, slope): y = x > 0 ? x : slope·x over n elements (PyTorch's LeakyReLU).
Napi::Value LeakyRelu(const Napi::CallbackInfo& info) {
  if (info.Length() != 4) return Fail(info.Env(), "leakyRelu expects 4 arguments");
  auto c = Numbers(info, 2, 4);
  if (c.empty()) return info.Env().Undefined();
  const size_t n = static_cast<size_t>(c[0]);
  const float slope = static_cast<float>(c[1]);
  const float* x = Floats(info, 0, n);
  float* y = Floats(info, 1, n);
  if (!x || !y) return info.Env().Undefined();
  FlushDenormals flush;
  // A factor looked up by the sign, not a branch: the signs of activations are random, and
  // a mispredicted branch per element cost ~7 ns (measured 1.0 ms for 131,072 elements).
  const float factor[2] = {slope, 1.0f};
  for (size_t i = 0; i < n; i++) y[i] = x[i] * factor[x[i] > 0];
  return info.Env().Undefined();
}

// leakyReluGrad(dy, x, dx, n, slope): dx = x > 0 ? dy : slope·dy (PyTorch's gradient: slope at 0).
Napi::Value LeakyReluGrad(const Napi::CallbackInfo& info) {
  if (info.Length() != 5) return Fail(info.Env(), "leakyReluGrad expects 5 arguments");
  auto c = Numbers(info, 3, 5);
  if (c.empty()) return info.Env().Undefined();
  const size_t n = static_cast<size_t>(c[0]);
  const float slope = static_cast<float>(c[1]);
  const float *dy = Floats(info, 0, n), *x = Floats(info, 1, n);
  float* dx = Floats(info, 2, n);
  if (!dy || !x || !dx) return info.Env().Undefined();
  FlushDenormals flush;
  const float factor[2] = {slope, 1.0f};  // as in LeakyRelu: no branch on the sign
  for (size_t i = 0; i < n; i++) dx[i] = dy[i] * factor[x[i] > 0];
  return info.Env().Undefined();
}

// layerNorm(x, gamma, beta, y, mean, rstd, n, d, eps): PyTorch's LayerNorm over the last d
// elements of each of the n rows of x: mean, biased variance, rstd = 1/sqrt(var + eps),
// y = (x - mean)·rstd·gamma + beta; mean and rstd (n each) are kept for the gradient.
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  if (info.Length() != 9) return Fail(info.Env(), "layerNorm expects 9 arguments");
  auto c = Numbers(info, 6, 9);
  if (c.empty()) return info.Env().Undefined();
  const size_t n = static_cast<size_t>(c[0]), d = static_cast<size_t>(c[1]);
  const float *x = Floats(info, 0, n * d), *g = Floats(info, 1, d), *b = Floats(info, 2, d);
  float *y = Floats(info, 3, n * d), *mean = Floats(info, 4, n), *rstd = Floats(info, 5, n);
  if (!x || !g || !b || !y || !mean || !rstd) return info.Env().Undefined();
  FlushDenormals flush;
  std::vector<float> centred(d);
  for (size_t r = 0; r < n; r++) {
    const float* xr = x + r * d;
    const double mu = Dot(xr, nullptr, d) / d;
    for (size_t j = 0; j < d; j++) centred[j] = static_cast<float>(xr[j] - mu);
    const double s = 1 / std::sqrt(Dot(centred.data(), centred.data(), d) / d + c[2]);
    const float sf = static_cast<float>(s);
    float* yr = y + r * d;
    for (size_t j = 0; j < d; j++) yr[j] = centred[j] * sf * g[j] + b[j];
    mean[r] = static_cast<float>(mu);
    rstd[r] = sf;
  }
  return info.Env().Undefined();
}

// layerNormGrad(dy, x, gamma, mean, rstd, out, n, d, wrt): the gradient of layerNorm with
// respect to x (wrt 0; out n·d), gamma (1; out d) or beta (2; out d). With x̂ = (x − mean)·rstd
// and g = dy·gamma: dx = rstd·(g − mean(g) − x̂·mean(g·x̂)) per row; dgamma = Σ_rows dy·x̂;
// dbeta = Σ_rows dy.
Napi::Value LayerNormGrad(const Napi::CallbackInfo& info) {
  if (info.Length() != 9) return Fail(info.Env(), "layerNormGrad expects 9 arguments");
  auto c = Numbers(info, 6, 9);
  if (c.empty()) return info.Env().Undefined();
  const size_t n = static_cast<size_t>(c[0]), d = static_cast<size_t>(c[1]);
  const int wrt = static_cast<int>(c[2]);
  const float *dy = Floats(info, 0, n * d), *x = Floats(info, 1, n * d), *g = Floats(info, 2, d);
  const float *mean = Floats(info, 3, n), *rstd = Floats(info, 4, n);
  float* out = Floats(info, 5, wrt == 0 ? n * d : d);
  if (!dy || !x || !g || !mean || !rstd || !out) return info.Env().Undefined();
  FlushDenormals flush;
  std::vector<float> xhat(d), gy(d);
  std::vector<double> sums(wrt == 0 ? 0 : d, 0.0);
  for (size_t r = 0; r < n; r++) {
    const float *dyr = dy + r * d, *xr = x + r * d;
    const float mu = mean[r], s = rstd[r];
    for (size_t j = 0; j < d; j++) xhat[j] = (xr[j] - mu) * s;
    if (wrt == 0) {
      for (size_t j = 0; j < d; j++) gy[j] = dyr[j] * g[j];
      const float a = static_cast<float>(Dot(gy.data(), nullptr, d) / d);
      const float b = static_cast<float>(Dot(gy.data(), xhat.data(), d) / d);
      float* dx = out + r * d;
      for (size_t j = 0; j < d; j++) dx[j] = s * (gy[j] - a - xhat[j] * b);
    } else if (wrt == 1) {
      for (size_t j = 0; j < d; j++) sums[j] += static_cast<double>(dyr[j]) * xhat[j];
    } else {
      for (size_t j = 0; j < d; j++) sums[j] += dyr[j];
    }
  }
  for (size_t j = 0; j < sums.size(); j++) out[j] = static_cast<float>(sums[j]);
  return info.Env().Undefined();
}

// info(): {config, threads, threadedMinWork} — OpenBLAS's build string, its thread count for large
// products, and the size (multiply-adds) from which a product uses them.
Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("config", Napi::String::New(env, openblas_get_config()));
  out.Set("threads", Napi::Number::New(env, AllThreads()));
  out.Set("threadedMinWork", Napi::Number::New(env, ThreadedMinWork()));
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  AllThreads();
  exports.Set("batchMatMul", Napi::Function::New(env, BatchMatMul));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  exports.Set("momentumUpdate", Napi::Function::New(env, MomentumUpdate));
  exports.Set("sgdUpdate", Napi::Function::New(env, SgdUpdate));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm));
  exports.Set("layerNormGrad", Napi::Function::New(env, LayerNormGrad));
  exports.Set("leakyRelu", Napi::Function::New(env, LeakyRelu));
  exports.Set("leakyReluGrad", Napi::Function::New(env, LeakyReluGrad));
  exports.Set("info", Napi::Function::New(env, Info));
  return exports;
}

}  // namespace

NODE_API_MODULE(sigprop_native, Init)
