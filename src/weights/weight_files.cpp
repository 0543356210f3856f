#include "weights/weight_files.hpp"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <vector>

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/sha256.hpp"

namespace chorus::weights {
namespace fs = std::filesystem;
namespace {

// The names a folder's weights go by, in the order timm's hub loader tries them.
constexpr const char* kFileNames[] = {"model.safetensors", "pytorch_model.bin", "open_clip_pytorch_model.bin"};

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<std::string> subfolders(const fs::path& dir, const std::string& prefix = "") {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind(prefix, 0) == 0) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string listed(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// A hub repository folder models--ORG--NAME: the snapshot refs/main points at, else the only one.
fs::path snapshotOf(const fs::path& repo) {
  const fs::path main = repo / "refs" / "main";
  if (fs::exists(main)) {
    const fs::path snapshot = repo / "snapshots" / trimmed(readTextFile(main));
    if (!fs::is_directory(snapshot))
      throw InputError(main.string() + ": names snapshot " + snapshot.filename().string() + ", which is not in " +
                       (repo / "snapshots").string());
    return snapshot;
  }
  const auto snapshots = subfolders(repo / "snapshots");
  if (snapshots.size() != 1)
    throw InputError((repo / "snapshots").string() + ": " +
                     (snapshots.empty() ? std::string("no snapshot") : "several snapshots (" + listed(snapshots) + ")") +
                     " and no refs/main to choose one: give the snapshot folder itself");
  return repo / "snapshots" / snapshots.front();
}

fs::path found(const fs::path& file) { return fs::absolute(file).lexically_normal(); }

fs::path weightsIn(const fs::path& folder) {
  for (const char* name : kFileNames)
    if (fs::exists(folder / name)) return folder / name;
  return {};
}

}  // namespace

fs::path locateWeightsFile(const fs::path& given) {
  if (!fs::exists(given)) throw InputError(given.string() + ": no such weights file or folder");
  if (!fs::is_directory(given)) return found(given);
  if (auto file = weightsIn(given); !file.empty()) return found(file);
  if (fs::is_directory(given / "snapshots")) {
    const fs::path snapshot = snapshotOf(given);
    if (auto file = weightsIn(snapshot); !file.empty()) return found(file);
    throw InputError(snapshot.string() + ": a hub snapshot without model.safetensors or pytorch_model.bin");
  }
  const auto repos = subfolders(given, "models--");
  if (!repos.empty())
    throw InputError(given.string() + ": a Hugging Face hub cache with several models; give one of its repository "
                     "folders: " + listed(repos));
  throw InputError(given.string() + ": no model.safetensors, pytorch_model.bin or hub snapshots/ in this folder");
}

WeightsFormat sniffWeightsFormat(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError(file.string() + ": cannot open weights file");
  unsigned char head[9] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  const auto got = in.gcount();
  if (got >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return WeightsFormat::TorchSave;
  if (got >= 2 && head[0] == 0x80 && head[1] <= 5)
    throw InputError(file.string() + ": a legacy (pre-zip) torch.save pickle; load it in Python and save it again with "
                     "torch.save(state_dict, path) or safetensors.torch.save_file");
  uint64_t headerBytes = 0;
  for (int i = 7; i >= 0; --i) headerBytes = (headerBytes << 8) | head[i];
  if (got == 9 && head[8] == '{' && headerBytes > 1) return WeightsFormat::SafeTensors;
  throw InputError(file.string() + ": neither safetensors nor a torch.save (zip) file");
}

WeightsFile identifyWeights(const fs::path& fileOrFolder) {
  WeightsFile w;
  w.path = locateWeightsFile(fileOrFolder);
  w.format = sniffWeightsFormat(w.path);
  w.sha256 = sha256File(w.path);
  return w;
}

}  // namespace chorus::weights
