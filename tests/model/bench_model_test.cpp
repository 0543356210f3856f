// CPU forward time of each backbone (and of the whole model with the SED head, 234 classes) on
// 5 s windows, 1×1×128×313 and 16×1×128×313, eval mode, no autograd. A benchmark, not a test:
// disabled by default, it asserts nothing about time. Run it next to the reference figures:
//   build/tests/test_model --gtest_also_run_disabled_tests --gtest_filter='ModelBench.*'
//   python3 tools/bench_model.py
#include "model/classifier.hpp"
#include "model_test_util.hpp"

#include <algorithm>
#include <chrono>
#include <functional>

using namespace chorus::model;

namespace {

double medianMs(const std::function<void()>& run, int repeats) {
  for (int i = 0; i < 3; ++i) run();  // warm-up: oneDNN picks and caches its kernels
  std::vector<double> ms;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    run();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

TEST(ModelBench, DISABLED_CpuForwardTimes) {
  torch::InferenceMode inference;
  std::cout << "threads " << torch::get_num_threads() << "\n";
  for (const auto& name : nativeBackbones()) {
    ModelOptions o;
    o.backbone = name;
    auto model = makeModel(o);
    model->eval();
    int64_t params = 0;
    for (const auto& p : model->backbone().parameters()) params += p.numel();
    for (int64_t batch : {1, 16}) {
      const auto mel = torch::randn({batch, 1, 128, 313});
      const int repeats = batch == 1 ? 30 : 7;
      const double backboneMs = medianMs([&] { model->backbone().forward(mel); }, repeats);
      const double modelMs = medianMs([&] { model->forward(mel); }, repeats);
      std::cout << name << " (" << params << " backbone parameters) batch " << batch << ": backbone " << backboneMs
                << " ms, with SED head " << modelMs << " ms\n";
    }
  }
}
