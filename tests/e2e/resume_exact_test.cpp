// Exact resume from any signal instant: SIGUSR1 after step 1 and after step 2 of epoch 1 and in the
// middle of epoch 2 (delivered by gdb at the k-th optimizer step, so the instant is exact), then
// --resume: the weights and every metrics.csv value (the text, but the wall times)
// equal the uninterrupted run's. The epoch's partial loss sum is checkpointed in double.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <vector>

#include "run_util.hpp"
#include "test_util.hpp"
#include "tiny_train_run.hpp"

namespace chorus {
namespace {
namespace fs = std::filesystem;
using testing::readAll;

const char* const kJob = "models/convnext_atto-f0";
constexpr int kEpochs = 2, kSteps = 4;

// A gdb script that runs chorus and sends it SIGUSR1 as it enters its k-th optimizer step (the
// step finishes, then training stops with a checkpoint); exits with chorus's exit code.
fs::path gdbScript(const fs::path& dir, int k) {
  const fs::path file = dir / ("stop-at-" + std::to_string(k) + ".gdb");
  std::ofstream(file) << "set pagination off\nset confirm off\nset breakpoint pending on\n"
                         "handle SIGUSR1 nostop noprint pass\nset $steps = 0\n"
                         "break torch::optim::AdamW::step\ncommands\nsilent\nset $steps = $steps + 1\n"
                         "if $steps == "
                      << k << "\nsignal SIGUSR1\nend\ncontinue\nend\nrun\nquit $_exitcode\n";
  return file;
}

std::string pointed(const fs::path& job, const char* pointer) {
  const std::string text = readAll(job / (std::string(pointer) + ".json"));
  const auto at = text.find("epoch-");
  return at == std::string::npos ? "" : text.substr(at, text.find('"', at) - at);
}

// The uninterrupted run, then a stop by SIGUSR1 at each step of `stops` and a resume: the same
// metrics, pointers, kept weights (`more`: options of both runs).
void expectExactResume(const fs::path& dir, const std::vector<int>& stops, const std::string& more) {
  const fs::path straight = testing::tinyTrainRunWork(dir / "straight");
  auto ref = testing::run(testing::chorusBinary() + testing::tinyTrainArgs(straight, kEpochs, kSteps) + more);
  ASSERT_EQ(ref.code, 0) << ref.output;
  const fs::path refJob = straight / kJob;
  const std::string refMetrics = testing::metricsWithoutSeconds(refJob / "metrics.csv");
  ASSERT_EQ(std::count(refMetrics.begin(), refMetrics.end(), '\n'), 1 + kEpochs) << refMetrics;

  for (int k : stops) {
    SCOPED_TRACE("SIGUSR1 at step " + std::to_string(k));
    const fs::path work = testing::tinyTrainRunWork(dir / ("at" + std::to_string(k)));
    const std::string args = testing::tinyTrainArgs(work, kEpochs, kSteps) + more;
    auto stopped = testing::run("gdb -batch -nx -x " + gdbScript(dir, k).string() + " --args " +
                                testing::chorusBinary() + args);
    ASSERT_EQ(stopped.code, 138) << stopped.output;
    const fs::path job = work / kJob;
    char partial[64];
    std::snprintf(partial, sizeof partial, "epoch-%04d-step-%d", (k - 1) / kSteps, k);
    ASSERT_EQ(pointed(job, "last"), partial) << "the stop was not mid-epoch after step " << k;

    auto resumed = testing::run(testing::chorusBinary() + args + " --resume");
    ASSERT_EQ(resumed.code, 0) << resumed.output;
    EXPECT_EQ(testing::metricsWithoutSeconds(job / "metrics.csv"), refMetrics);
    for (const char* pointer : {"best", "last"}) {
      ASSERT_EQ(pointed(job, pointer), pointed(refJob, pointer)) << pointer;
      // weights.pt: the bytes (optimizer.pt's differ between any two processes: libtorch keys its
      // state by tensor addresses).
      EXPECT_TRUE(readAll(job / pointed(job, pointer) / "weights.pt") == readAll(refJob / pointed(refJob, pointer) / "weights.pt"))
          << pointer << " weights.pt differs";
    }
    EXPECT_TRUE(readAll(job / "oof.csv") == readAll(refJob / "oof.csv"));
    if (!more.empty()) {  // the moving average's training weights as well
      EXPECT_TRUE(readAll(job / pointed(job, "last") / "train_weights.pt") ==
                  readAll(refJob / pointed(refJob, "last") / "train_weights.pt"));
    }
  }
}

bool haveGdb() { return std::system("gdb --version > /dev/null 2>&1") == 0; }

TEST(ResumeExact, SigusrAtAnyStepThenResumeEqualsTheUninterruptedRun) {
  if (!haveGdb()) GTEST_SKIP() << "gdb is not installed (tools/setup.sh installs it)";
  expectExactResume(testing::scratchDir(), {1, 2, kSteps + 2}, "");
}

// With --ema-decay the average is checkpointed too: mid-epoch 1 and mid-epoch 2 (after an epoch's
// checkpoint of the average).
TEST(ResumeExact, WithAWeightAverageTheResumeIsExactToo) {
  if (!haveGdb()) GTEST_SKIP() << "gdb is not installed (tools/setup.sh installs it)";
  expectExactResume(testing::scratchDir(), {2, kSteps + 2}, " --ema-decay 0.7");
}

}  // namespace
}  // namespace chorus
