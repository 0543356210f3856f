// A full disk: `features`, `train` and `infer` writing into a small tmpfs end with exit 1 and a message that
// says the device is full and names the file (no crash, no abort from a destructor), leave nothing a
// rerun trusts, and the rerun with space completes. Needs mount(8) of a tmpfs (root); skipped
// with the reason where that fails.
#include <gtest/gtest.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <string>

#include "run_util.hpp"
#include "tiny_train_run.hpp"

namespace chorus {
namespace {
namespace fs = std::filesystem;
using testing::chorusBinary;
using testing::run;

// A tmpfs of `megabytes` at DIR, unmounted by the destructor.
class Tmpfs {
 public:
  Tmpfs(fs::path dir, int megabytes) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    const auto r = run("mount -t tmpfs -o size=" + std::to_string(megabytes) + "m tmpfs " + dir_.string());
    mounted_ = r.code == 0;
    why_ = r.output;
  }
  ~Tmpfs() {
    if (mounted_) run("umount " + dir_.string());
  }
  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }
  void resize(int megabytes) {
    ASSERT_EQ(run("mount -o remount,size=" + std::to_string(megabytes) + "m " + dir_.string()).code, 0);
  }
  // Fills the tmpfs up to `leftBytes` free (a disk that is nearly full when the stage starts).
  void fillLeaving(size_t leftBytes) {
    struct statvfs s {};
    ASSERT_EQ(::statvfs(dir_.c_str(), &s), 0);
    const size_t free = size_t(s.f_bavail) * s.f_frsize;
    ASSERT_GT(free, leftBytes);
    std::ofstream out(dir_ / "filler", std::ios::binary);
    const std::string block(1 << 16, 'x');
    for (size_t n = free - leftBytes; n > 0;) {
      const size_t k = std::min(n, block.size());
      out.write(block.data(), std::streamsize(k));
      n -= k;
    }
  }
  void removeFiller() { fs::remove(dir_ / "filler"); }

 private:
  fs::path dir_;
  bool mounted_ = false;
  std::string why_;
};

// What a full disk must look like: exit 1, "no space left on device: <a file in the tmpfs>", no crash.
void expectDiskFullFailure(const testing::RunResult& r, const fs::path& mount) {
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("no space left on device: " + mount.string()), std::string::npos) << r.output;
  for (const char* crash : {"terminate called", "Segmentation fault", "Aborted", "core dumped", "signal"})
    EXPECT_EQ(r.output.find(crash), std::string::npos) << crash << "\n" << r.output;
  const size_t at = r.output.find("ERROR");
  if (at != std::string::npos) std::cout << "[ message  ] " << r.output.substr(at, r.output.find('\n', at) - at) << "\n";
}

fs::path scratch(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / "chorus-tests" / (name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(DiskFull, FeaturesEndsNamingTheFileAndTheRerunCompletes) {
  const fs::path data = testing::tinyTrainRunData(), dir = scratch("disk-full-features");
  Tmpfs tmpfs(dir / "work", 64);
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << tmpfs.why();
  const fs::path work = dir / "work";
  fs::create_directory_symlink(data / "work" / "meta", work / "meta");
  tmpfs.fillLeaving(300 << 10);  // 300 KB: a part or two of train_audio, not all of them
  const std::string cmd = chorusBinary() + " features --data " + (data / "data").string() + " --work " +
                          work.string() + " --set train_audio --part-files 2 --threads 1";
  expectDiskFullFailure(run(cmd), work);
  EXPECT_FALSE(fs::exists(work / "features" / "train_audio.h5")) << "a store published from a full disk";

  tmpfs.removeFiller();
  const auto again = run(cmd);
  ASSERT_EQ(again.code, 0) << again.output;
  // The same items as the run that had space all along (the tiny data's own store).
  const auto reference = run(chorusBinary() + " features --data " + (data / "data").string() + " --work " +
                             (data / "work").string() + " --set train_audio");
  ASSERT_EQ(reference.code, 0) << reference.output;
  auto count = [](const std::string& out) {  // "train_audio: N items stored, ..."
    std::smatch m;
    return std::regex_search(out, m, std::regex("train_audio: ([0-9]+) items stored")) ? m[1].str() : "?";
  };
  EXPECT_EQ(count(again.output), count(reference.output)) << again.output << "\n" << reference.output;
}

TEST(DiskFull, TrainEndsNamingTheFileAndTheRerunCompletes) {
  const fs::path dir = scratch("disk-full-train");
  const fs::path work = testing::tinyTrainRunWork(dir / "run");
  Tmpfs tmpfs(work / "models", 30);  // a checkpoint of convnext_atto is about 60 MB
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << tmpfs.why();
  const std::string cmd = chorusBinary() + testing::tinyTrainArgs(work, 1, 2);
  expectDiskFullFailure(run(cmd), work / "models");
  EXPECT_FALSE(fs::exists(work / "models" / "convnext_atto-f0" / "last.json")) << "a checkpoint from a full disk";

  tmpfs.resize(400);
  const auto again = run(cmd);
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_TRUE(fs::exists(work / "models" / "convnext_atto-f0" / "last.json"));
}

TEST(DiskFull, InferEndsNamingTheFileAndTheRerunCompletes) {
  const fs::path dir = scratch("disk-full-infer");
  const fs::path work = testing::tinyTrainRunWork(dir / "run");
  const auto trained = run(chorusBinary() + testing::tinyTrainArgs(work, 1, 2));
  ASSERT_EQ(trained.code, 0) << trained.output;
  Tmpfs tmpfs(work / "infer", 8);
  if (!tmpfs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << tmpfs.why();
  tmpfs.fillLeaving(4 << 10);  // 4 KB: less than the logits file and the submission need
  const std::string cmd = chorusBinary() + " infer --data " + (testing::tinyTrainRunData() / "data").string() +
                          " --work " + work.string() + " --out " + (work / "infer" / "submission.csv").string() +
                          " --threads 1 --time-budget 0";
  expectDiskFullFailure(run(cmd), work / "infer");
  EXPECT_FALSE(fs::exists(work / "infer" / "submission.csv")) << "a submission from a full disk";

  tmpfs.removeFiller();
  const auto again = run(cmd);
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_TRUE(fs::exists(work / "infer" / "submission.csv"));
}

}  // namespace
}  // namespace chorus
