// Teacher stores on real HDF5 files, both ways: written by h5py (the README's own example, and
// malformed files one fault at a time) and read by ours; written by ours and read by h5py
// (tools/teacher_store.py). Then the joins the stages use: classes aligned to a species list,
// the 5 s grid, windows by end and by time, rows gathered for a batch.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "core/error.hpp"
#include "run_util.hpp"
#include "store/teacher_store.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using chorus::InputError;
using namespace chorus::store;

namespace {

bool havePythonH5py() { return chorus::testing::run("python3 -c 'import h5py, numpy'").code == 0; }

// Runs a Python program in `dir` (h5py, numpy imported as np); true when it exited 0.
void runPython(const fs::path& dir, const std::string& code) {
  const fs::path script = dir / "write.py";
  std::ofstream(script) << "import h5py, numpy as np\n" << code;
  auto r = chorus::testing::run("cd " + dir.string() + " && python3 " + script.string());
  ASSERT_EQ(r.code, 0) << r.output;
}

// A small valid store written by h5py; `change` is Python run inside the `with` block, after the
// valid datasets are in place, to break one thing.
fs::path writeWithH5py(const fs::path& dir, const std::string& change = "") {
  runPython(dir, R"(
s = h5py.string_dtype()
with h5py.File("t.h5", "w") as f:
    f["item_id"] = np.array(["a.ogg", "a.ogg", "b.ogg"], dtype=s)
    f["start_s"] = [0.0, 5.0, 0.0]
    f["end_s"] = [5.0, 10.0, 5.0]
    f["probs"] = np.array([[0.5, np.nan, 0.0], [0.25, np.nan, 1.0], [0.125, np.nan, 0.75]], np.float32)
    f["class"] = np.array(["x", "y", "z"], dtype=s)
    f["covered"] = np.array([1, 0, 1], np.uint8)
    f.attrs["teacher_name"] = "T"
    f.attrs["window_seconds"] = 5.0
)" + change);
  return dir / "t.h5";
}

std::string errorOf(const fs::path& file) {
  try {
    readTeacherStore(file);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// An in-memory store: two soundscapes, 3 classes, one uncovered, 2-d embeddings.
TeacherStore smallStore() {
  TeacherStore s;
  s.name = "chorus-ensemble";
  s.version = "r1";
  s.mapping = "same class list";
  s.classes = {"x", "y", "z"};
  s.covered = {1, 0, 1};
  s.itemIds = {"a.ogg", "a.ogg", "b.ogg"};
  s.startSeconds = {0, 5, 0};
  s.endSeconds = {5, 10, 5};
  const float nan = std::nanf("");
  s.probs = {0.5f, nan, 0.0f, 0.25f, nan, 1.0f, 0.125f, nan, 0.75f};
  s.embeddingDim = 2;
  s.embeddings = {1, 2, 3, 4, 5, 6};
  s.classSource = {"X teacher", "", "Z teacher"};
  s.teacherClasses = {"X teacher", "Z teacher", "W teacher"};
  s.unmappedClasses = {"W teacher"};
  return s;
}

// The ```python block of README.md that starts with the notebook example's comment.
std::string readmeExample() {
  const std::string readme = chorus::testing::readAll(fs::path(CHORUS_SOURCE_DIR) / "README.md");
  const std::string open = "```python\n# A teacher store from your own notebook";
  const auto a = readme.find(open);
  if (a == std::string::npos) return "";
  const auto body = a + std::string("```python\n").size();
  return readme.substr(body, readme.find("```", body) - body);
}

}  // namespace

TEST(TeacherStore, TheReadmeExampleIsReadAsItIs) {
  if (!havePythonH5py()) GTEST_SKIP() << "python3 with h5py and numpy is not available";
  const std::string example = readmeExample();
  ASSERT_FALSE(example.empty()) << "README.md lost its teacher store example";
  const fs::path dir = chorus::testing::scratchDir();
  runPython(dir, example);
  const TeacherStore s = readTeacherStore(dir / "perch_v2.teacher.h5");
  EXPECT_EQ(s.name, "Perch");
  EXPECT_EQ(s.version, "v2");
  EXPECT_EQ(s.mapping, "Perch eBird codes = primary_label");
  EXPECT_EQ(s.windowSeconds, 5.0);
  EXPECT_EQ(s.classes, (std::vector<std::string>{"1139490", "ashgre1", "comkin1"}));
  EXPECT_EQ(s.covered, (std::vector<uint8_t>{0, 1, 1}));
  ASSERT_EQ(s.rows(), 2u);
  EXPECT_EQ(s.itemIds[1], "S01.ogg");
  EXPECT_EQ(s.startSeconds[1], 5.0);
  EXPECT_EQ(s.endSeconds[1], 10.0);
  EXPECT_TRUE(std::isnan(s.prob(0, 0)));
  EXPECT_EQ(s.prob(0, 1), 0.91f);
  EXPECT_EQ(s.prob(1, 2), 0.75f);
  EXPECT_EQ(s.embeddingDim, 1536u);
  requireScoredWindows(s);
}

TEST(TeacherStore, H5pyVariantsReadTheSame) {
  if (!havePythonH5py()) GTEST_SKIP() << "python3 with h5py and numpy is not available";
  const fs::path dir = chorus::testing::scratchDir();
  // numpy bool for covered, fixed-length byte strings, float64 probs, an integer window length.
  writeWithH5py(dir, R"(
    for name in ("covered", "item_id", "class", "probs"): del f[name]
    f["covered"] = np.array([True, False, True])
    f["item_id"] = np.array([b"a.ogg", b"a.ogg", b"b.ogg"])
    f["class"] = np.array([b"x", b"y", b"z"])
    f["probs"] = np.array([[0.5, np.nan, 0.0], [0.25, np.nan, 1.0], [0.125, np.nan, 0.75]], np.float64)
    f.attrs["window_seconds"] = 5
)");
  const TeacherStore s = readTeacherStore(dir / "t.h5");
  EXPECT_EQ(s.covered, (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(s.itemIds, (std::vector<std::string>{"a.ogg", "a.ogg", "b.ogg"}));
  EXPECT_EQ(s.classes, (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_EQ(s.prob(2, 0), 0.125f);
  EXPECT_EQ(s.prob(0, 2), 0.0f);  // a zero stays a zero, apart from the NaN of "no such class"
  EXPECT_TRUE(std::isnan(s.prob(0, 1)));
  EXPECT_EQ(s.windowSeconds, 5.0);
  EXPECT_EQ(s.embeddingDim, 0u);
}

TEST(TeacherStore, OursRoundTripsAndH5pySeesTheSame) {
  const fs::path dir = chorus::testing::scratchDir();
  const TeacherStore written = smallStore();
  writeTeacherStore(dir / "ours.h5", written);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);  // no temporary left
  const TeacherStore s = readTeacherStore(dir / "ours.h5");
  EXPECT_EQ(s.name, written.name);
  EXPECT_EQ(s.version, written.version);
  EXPECT_EQ(s.mapping, written.mapping);
  EXPECT_EQ(s.classes, written.classes);
  EXPECT_EQ(s.covered, written.covered);
  EXPECT_EQ(s.itemIds, written.itemIds);
  EXPECT_EQ(s.startSeconds, written.startSeconds);
  EXPECT_EQ(s.endSeconds, written.endSeconds);
  EXPECT_EQ(s.embeddings, written.embeddings);
  EXPECT_EQ(s.classSource, written.classSource);
  EXPECT_EQ(s.teacherClasses, written.teacherClasses);
  EXPECT_EQ(s.unmappedClasses, written.unmappedClasses);
  for (size_t i = 0; i < s.probs.size(); ++i)
    EXPECT_TRUE(s.probs[i] == written.probs[i] || (std::isnan(s.probs[i]) && std::isnan(written.probs[i]))) << i;

  if (!havePythonH5py()) GTEST_SKIP() << "python3 with h5py and numpy is not available";
  auto r = chorus::testing::run("python3 " + std::string(CHORUS_SOURCE_DIR) + "/tools/teacher_store.py --values " +
                                (dir / "ours.h5").string() + " 2>/dev/null");
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["attributes"]["teacher_name"], "chorus-ensemble");
  EXPECT_EQ(j["attributes"]["store_format"], "chorus-teacher-store");
  EXPECT_EQ(j["attributes"]["store_version"], 1);
  EXPECT_EQ(j["attributes"]["window_seconds"], 5.0);
  EXPECT_EQ(j["item_id"], nlohmann::json({"a.ogg", "a.ogg", "b.ogg"}));
  EXPECT_EQ(j["class"], nlohmann::json({"x", "y", "z"}));
  EXPECT_EQ(j["covered"], nlohmann::json({1, 0, 1}));
  EXPECT_EQ(j["probs_dtype"], "float32");
  EXPECT_EQ(j["nan_columns"], nlohmann::json({false, true, false}));
  EXPECT_EQ(j["probs"][1], nlohmann::json({0.25, nullptr, 1.0}));
  EXPECT_EQ(j["embedding_shape"], nlohmann::json({3, 2}));
  EXPECT_EQ(j["unmapped_class"], nlohmann::json({"W teacher"}));
}

TEST(TeacherStore, OneClassAndOneEmbeddingValueStayMatrices) {
  const fs::path dir = chorus::testing::scratchDir();
  TeacherStore s = smallStore();
  s.classes = {"x"};
  s.covered = {1};
  s.probs = {0.5f, 0.25f, 0.125f};
  s.classSource.clear();
  s.embeddingDim = 1;
  s.embeddings = {1, 2, 3};
  writeTeacherStore(dir / "one.h5", s);
  const TeacherStore back = readTeacherStore(dir / "one.h5");
  EXPECT_EQ(back.probs, s.probs);
  EXPECT_EQ(back.embeddings, s.embeddings);
}

TEST(TeacherStore, MalformedFilesNameTheFileAndTheFault) {
  if (!havePythonH5py()) GTEST_SKIP() << "python3 with h5py and numpy is not available";
  const fs::path dir = chorus::testing::scratchDir();
  const std::string file = (dir / "t.h5").string();
  struct Case {
    std::string change, expected;
  };
  const std::vector<Case> cases = {
      {"    del f['probs']; f['probs'] = np.zeros((3, 3), np.float32).T[:2]\n", "probs has shape [2, 3], expected [3, 3]"},
      {"    del f['covered']; f['covered'] = np.array([1, 0], np.uint8)\n", "covered has shape [2], expected [3]"},
      {"    f['probs'][1, 1] = 0.0\n", "a.ogg 5-10 s (row 1), class y holds 0 but the class is not covered"},
      {"    f['probs'][2, 2] = np.nan\n", "b.ogg 0-5 s (row 2), class z: nan is not a probability in [0, 1]"},
      {"    f['probs'][0, 0] = 1.5\n", "a.ogg 0-5 s (row 0), class x: 1.5 is not a probability"},
      {"    f['start_s'][2] = 5.0; f['end_s'][2] = 10.0; f['item_id'][2] = 'a.ogg'\n",
       "rows 1 and 2 are both a.ogg 5-10 s (row 2)"},
      {"    f['class'][2] = 'x'\n", "class x is listed twice"},
      {"    f['end_s'][1] = 8.0\n", "a.ogg 5-8 s (row 1): the window lasts 3 s, but window_seconds is 5"},
      {"    del f.attrs['teacher_name']\n", "attribute teacher_name is missing"},
      {"    f.attrs['window_seconds'] = 'five'\n", "attribute window_seconds must be a number"},
      {"    del f['class']\n", "no dataset class"},
      {"    f['covered'][1] = 2\n", "covered[1] (class y) is 2, not 0 or 1"},
      {"    f['embedding'] = np.zeros((2, 4), np.float32)\n",
       "embedding has shape [2, 4], expected [3, D]"},
      {"    f.attrs['store_format'] = 'chorus-feature-store'\n", "store_format is 'chorus-feature-store'"},
  };
  for (const auto& c : cases) {
    writeWithH5py(dir, c.change);
    const std::string message = errorOf(dir / "t.h5");
    EXPECT_NE(message.find("teacher store " + file), std::string::npos) << c.change << " -> " << message;
    EXPECT_NE(message.find(c.expected), std::string::npos) << c.change << " -> " << message;
  }
  std::ofstream(dir / "not.h5") << "plain text";
  EXPECT_NE(errorOf(dir / "not.h5").find("not an HDF5 file"), std::string::npos);
  EXPECT_NE(errorOf(dir / "missing.h5").find("missing.h5 does not exist"), std::string::npos);
}

TEST(TeacherStore, TheWriterRefusesWhatTheReaderWould) {
  const fs::path dir = chorus::testing::scratchDir();
  TeacherStore s = smallStore();
  s.probs[1] = 0.0f;  // an uncovered class holding a number
  EXPECT_THROW(writeTeacherStore(dir / "bad.h5", s), InputError);
  EXPECT_FALSE(fs::exists(dir / "bad.h5"));
  s = smallStore();
  s.embeddings.pop_back();
  EXPECT_THROW(writeTeacherStore(dir / "bad.h5", s), InputError);
  s = smallStore();
  s.name.clear();
  EXPECT_THROW(writeTeacherStore(dir / "bad.h5", s), InputError);
}

TEST(TeacherStore, AlignsClassesToTheSpeciesList) {
  const TeacherStore s = smallStore();
  const TeacherStore a = alignClasses(s, {"z", "w", "x", "y"});
  EXPECT_EQ(a.classes, (std::vector<std::string>{"z", "w", "x", "y"}));
  EXPECT_EQ(a.covered, (std::vector<uint8_t>{1, 0, 1, 0}));
  EXPECT_EQ(a.classSource, (std::vector<std::string>{"Z teacher", "", "X teacher", ""}));
  EXPECT_EQ(a.prob(1, 0), 1.0f);
  EXPECT_EQ(a.prob(1, 2), 0.25f);
  EXPECT_TRUE(std::isnan(a.prob(1, 1)));  // a class the store lacks: uncovered
  EXPECT_TRUE(std::isnan(a.prob(1, 3)));
  a.validate();
  try {
    alignClasses(s, {"x", "z"});
    FAIL() << "class y is not in the list";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("1 classes are not in the species list (y)"), std::string::npos) << e.what();
  }
}

TEST(TeacherStore, ScoredWindowsAreTheFiveSecondGrid) {
  TeacherStore s = smallStore();
  requireScoredWindows(s);
  s.windowSeconds = 3;
  s.startSeconds = {0, 3, 0};
  s.endSeconds = {3, 6, 3};
  s.validate();  // a valid store of 3 s windows ...
  try {
    requireScoredWindows(s);  // ... that a stage joining scored windows cannot use
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("a.ogg 0-3 s (row 0) is not a scored window"), std::string::npos) << e.what();
  }
  s = smallStore();
  s.startSeconds = {0, 5.5, 0};
  s.endSeconds = {5, 10.5, 5};
  EXPECT_THROW(requireScoredWindows(s), InputError);
}

TEST(TeacherStore, WindowsByEndAndByTime) {
  const TeacherStore s = smallStore();
  const TeacherWindows w(s);
  EXPECT_EQ(w.find("a.ogg", 10.0).value(), 1u);
  EXPECT_EQ(w.find("a.ogg", 10.0004).value(), 1u);  // to the millisecond
  EXPECT_FALSE(w.find("a.ogg", 15.0).has_value());
  EXPECT_FALSE(w.find("c.ogg", 5.0).has_value());
  EXPECT_EQ(w.containing("a.ogg", 2.5).value(), 0u);
  EXPECT_EQ(w.containing("a.ogg", 5.0).value(), 1u);  // [start, end)
  EXPECT_EQ(w.containing("b.ogg", 4.99).value(), 2u);
  EXPECT_FALSE(w.containing("b.ogg", 5.0).has_value());

  const TeacherBatch b = gatherTeacherRows(s, {std::optional<size_t>(2), std::nullopt, std::optional<size_t>(0)});
  ASSERT_EQ(b.probs.size(), 9u);
  EXPECT_EQ(b.probs[0], 0.125f);
  EXPECT_EQ(b.probs[2], 0.75f);
  EXPECT_TRUE(std::isnan(b.probs[3]) && std::isnan(b.probs[4]) && std::isnan(b.probs[5]));  // no row
  EXPECT_EQ(b.probs[6], 0.5f);
  EXPECT_EQ(b.embeddings, (std::vector<float>{5, 6, 0, 0, 1, 2}));
  EXPECT_EQ(b.hasRow, (std::vector<uint8_t>{1, 0, 1}));
}

TEST(TeacherStore, TheToolsWriterIsReadByOurs) {
  // tools/teacher_store.py's write_teacher_store: what tools/teacher_birdnet.py writes with.
  if (!havePythonH5py()) GTEST_SKIP() << "python3 with h5py and numpy is not available";
  const fs::path dir = chorus::testing::scratchDir();
  runPython(dir, "import sys; sys.path.insert(0, '" + std::string(CHORUS_SOURCE_DIR) + "/tools')\n" + R"(
from teacher_store import write_teacher_store
write_teacher_store("py.h5", item_ids=["s.ogg", "s.ogg"], start_s=[0, 5], end_s=[5, 10],
                    probs=[[0.25, np.nan], [1.0, np.nan]], classes=["a", "b"], covered=[1, 0],
                    teacher_name="BirdNET", teacher_version="V2.4", class_mapping="by scientific name",
                    embedding=np.ones((2, 3)), class_source=["A a_Aa", ""], teacher_classes=["A a_Aa", "C c_Cc"],
                    unmapped_classes=["C c_Cc"], failed_items=["bad.ogg"], failed_reasons=["no audio samples"])
)");
  const TeacherStore s = readTeacherStore(dir / "py.h5");
  EXPECT_EQ(s.name, "BirdNET");
  EXPECT_EQ(s.version, "V2.4");
  EXPECT_EQ(s.mapping, "by scientific name");
  EXPECT_EQ(s.classes, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.covered, (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(s.prob(0, 0), 0.25f);
  EXPECT_EQ(s.prob(1, 0), 1.0f);
  EXPECT_TRUE(std::isnan(s.prob(1, 1)));
  EXPECT_EQ(s.embeddingDim, 3u);
  EXPECT_EQ(s.classSource, (std::vector<std::string>{"A a_Aa", ""}));
  EXPECT_EQ(s.unmappedClasses, (std::vector<std::string>{"C c_Cc"}));
  EXPECT_EQ(s.failedItems, (std::vector<std::string>{"bad.ogg"}));
  EXPECT_EQ(s.failedReasons, (std::vector<std::string>{"no audio samples"}));
  requireScoredWindows(s);
}
