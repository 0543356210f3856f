// The teacher store's HDF5 side: reading what h5py (or our writer) wrote, with each shape checked
// against the others before any value is used, and writing atomically.
#include <cmath>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "store/hdf5.hpp"
#include "store/teacher_store.hpp"

namespace chorus::store {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void bad(const fs::path& file, const std::string& what) {
  throw InputError("teacher store " + file.string() + ": " + what);
}

std::vector<hsize_t> shapeOf(hid_t file, const char* name, const fs::path& path) {
  h5::Handle set(h5::check(H5Dopen2(file, name, H5P_DEFAULT), (std::string("H5Dopen2 ") + name).c_str(), path));
  h5::Handle space(h5::check(H5Dget_space(set), "H5Dget_space", path));
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(size_t(rank < 0 ? 0 : rank));
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

std::string shapeText(const std::vector<hsize_t>& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) text += (i ? ", " : "") + std::to_string(dims[i]);
  return text + "]";
}

void requireShape(hid_t file, const char* name, const std::vector<hsize_t>& want, const fs::path& path) {
  const auto got = shapeOf(file, name, path);
  if (got != want) bad(path, std::string(name) + " has shape " + shapeText(got) + ", expected " + shapeText(want));
}

h5::Handle typeOf(hid_t file, const char* name, const fs::path& path) {
  h5::Handle set(h5::check(H5Dopen2(file, name, H5P_DEFAULT), (std::string("H5Dopen2 ") + name).c_str(), path));
  return h5::Handle(h5::check(H5Dget_type(set), "H5Dget_type", path));
}

// Variable-length strings through the store's reader; fixed-length ones (numpy "S") read here.
std::vector<std::string> readStringColumn(hid_t file, const char* name, const fs::path& path) {
  h5::Handle type = typeOf(file, name, path);
  if (H5Tget_class(type) != H5T_STRING) bad(path, std::string(name) + " must hold strings");
  if (H5Tis_variable_str(type) > 0) return h5::readStrings(file, name, path);
  const size_t width = H5Tget_size(type);
  const auto dims = shapeOf(file, name, path);
  const size_t n = dims.empty() ? 1 : size_t(dims[0]);
  std::vector<char> raw(n * width + 1, '\0');
  h5::Handle set(h5::check(H5Dopen2(file, name, H5P_DEFAULT), "H5Dopen2", path));
  if (n) h5::checkStatus(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "H5Dread(fixed strings)", path);
  std::vector<std::string> values;
  for (size_t i = 0; i < n; ++i) {
    std::string v(raw.data() + i * width, width);
    v.resize(v.find('\0') == std::string::npos ? width : v.find('\0'));
    while (!v.empty() && v.back() == ' ') v.pop_back();  // space-padded strings
    values.push_back(v);
  }
  return values;
}

// covered: any integer type, or numpy's bool (an HDF5 enum over int8). Values above 1 stay above 1
// (as 2) so that validation names them.
std::vector<uint8_t> readFlags(hid_t file, const char* name, const fs::path& path) {
  h5::Handle type = typeOf(file, name, path);
  std::vector<int64_t> values;
  if (H5Tget_class(type) == H5T_ENUM) {
    if (H5Tget_size(type) != 1) bad(path, std::string(name) + " is an enum wider than numpy's bool");
    const auto dims = shapeOf(file, name, path);
    std::vector<int8_t> raw(dims.empty() ? 1 : size_t(dims[0]));
    h5::Handle memory(h5::check(H5Tget_native_type(type, H5T_DIR_ASCEND), "H5Tget_native_type", path));
    h5::Handle set(h5::check(H5Dopen2(file, name, H5P_DEFAULT), "H5Dopen2", path));
    if (!raw.empty()) h5::checkStatus(H5Dread(set, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data()), "H5Dread(enum)", path);
    values.assign(raw.begin(), raw.end());
  } else if (H5Tget_class(type) == H5T_INTEGER) {
    values = h5::readArray<int64_t>(file, name, path);
  } else {
    bad(path, std::string(name) + " must hold 0/1 integers or booleans");
  }
  std::vector<uint8_t> flags;
  for (int64_t v : values) flags.push_back(v == 0 ? 0 : v == 1 ? 1 : 2);
  return flags;
}

double readNumberAttribute(hid_t obj, const char* name, const fs::path& path) {
  if (h5::isStringAttribute(obj, name, path)) bad(path, std::string("attribute ") + name + " must be a number, not a string");
  h5::Handle attr(h5::check(H5Aopen(obj, name, H5P_DEFAULT), "H5Aopen", path));
  double value = 0;
  h5::checkStatus(H5Aread(attr, H5T_NATIVE_DOUBLE, &value), "H5Aread", path);
  return value;
}

void writeNumberAttribute(hid_t obj, const char* name, double value, const fs::path& path) {
  h5::Handle space(h5::check(H5Screate(H5S_SCALAR), "H5Screate", path));
  h5::Handle attr(h5::check(H5Acreate2(obj, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2", path));
  h5::checkStatus(H5Awrite(attr, H5T_NATIVE_DOUBLE, &value), "H5Awrite", path);
}

// Always 2-D (h5::writeArray writes a one-column matrix as 1-D): [rows, cols] float32.
void writeMatrix(hid_t file, const char* name, const std::vector<float>& values, hsize_t rows, hsize_t cols,
                 const fs::path& path) {
  hsize_t dims[2] = {rows, cols};
  h5::Handle space(h5::check(H5Screate_simple(2, dims, nullptr), "H5Screate_simple", path));
  h5::Handle set(h5::check(H5Dcreate2(file, name, H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                           "H5Dcreate2", path));
  if (!values.empty())
    h5::checkStatus(H5Dwrite(set, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "H5Dwrite", path);
}

bool hasAttribute(hid_t obj, const char* name) { return H5Aexists(obj, name) > 0; }

std::string optionalString(hid_t obj, const char* name, const fs::path& path) {
  return hasAttribute(obj, name) ? h5::readStringAttribute(obj, name, path) : std::string();
}

void readAttributes(hid_t file, TeacherStore& s) {
  const fs::path& path = s.path;
  if (hasAttribute(file, "store_format") && h5::readStringAttribute(file, "store_format", path) != kTeacherStoreFormat)
    bad(path, "store_format is '" + h5::readStringAttribute(file, "store_format", path) + "', not " + kTeacherStoreFormat);
  if (hasAttribute(file, "store_version") && readNumberAttribute(file, "store_version", path) > kTeacherStoreVersion)
    bad(path, "store_version " + std::to_string(readNumberAttribute(file, "store_version", path)) +
                  " is newer than this chorus reads (" + std::to_string(kTeacherStoreVersion) + ")");
  for (const char* required : {"teacher_name", "window_seconds"})
    if (!hasAttribute(file, required)) bad(path, std::string("attribute ") + required + " is missing");
  s.name = h5::readStringAttribute(file, "teacher_name", path);
  s.version = optionalString(file, "teacher_version", path);
  s.mapping = optionalString(file, "class_mapping", path);
  s.windowSeconds = readNumberAttribute(file, "window_seconds", path);
}

void readDatasets(hid_t file, TeacherStore& s) {
  const fs::path& path = s.path;
  for (const char* required : {"item_id", "start_s", "end_s", "probs", "class", "covered"})
    if (!h5::exists(file, required))
      bad(path, std::string("no dataset ") + required + " (a teacher store has item_id, start_s, end_s, probs, class, covered)");
  s.itemIds = readStringColumn(file, "item_id", path);
  s.classes = readStringColumn(file, "class", path);
  const hsize_t N = s.itemIds.size(), K = s.classes.size();
  requireShape(file, "item_id", {N}, path);
  requireShape(file, "start_s", {N}, path);
  requireShape(file, "end_s", {N}, path);
  requireShape(file, "class", {K}, path);
  requireShape(file, "covered", {K}, path);
  requireShape(file, "probs", {N, K}, path);
  s.startSeconds = h5::readArray<double>(file, "start_s", path);
  s.endSeconds = h5::readArray<double>(file, "end_s", path);
  s.probs = h5::readArray<float>(file, "probs", path);
  s.covered = readFlags(file, "covered", path);
  if (h5::exists(file, "embedding")) {
    const auto dims = shapeOf(file, "embedding", path);
    if (dims.size() != 2 || dims[0] != N)
      bad(path, "embedding has shape " + shapeText(dims) + ", expected [" + std::to_string(N) + ", D]");
    s.embeddingDim = size_t(dims[1]);
    s.embeddings = h5::readArray<float>(file, "embedding", path);
  }
  if (h5::exists(file, "class_source")) {
    requireShape(file, "class_source", {K}, path);
    s.classSource = readStringColumn(file, "class_source", path);
  }
  if (h5::exists(file, "teacher_class")) s.teacherClasses = readStringColumn(file, "teacher_class", path);
  if (h5::exists(file, "unmapped_class")) s.unmappedClasses = readStringColumn(file, "unmapped_class", path);
  if (h5::exists(file, "failed_item")) s.failedItems = readStringColumn(file, "failed_item", path);
  if (h5::exists(file, "failed_reason")) s.failedReasons = readStringColumn(file, "failed_reason", path);
}

}  // namespace

TeacherStore readTeacherStore(const fs::path& file) {
  std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
  if (!fs::exists(file)) throw InputError("teacher store " + file.string() + " does not exist");
  if (H5Fis_hdf5(file.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    bad(file, "not an HDF5 file (truncated, or not a teacher store)");
  }
  h5::Handle f = h5::openFile(file);
  TeacherStore s;
  s.path = file;
  readAttributes(f, s);
  readDatasets(f, s);
  s.validate();
  return s;
}

void writeTeacherStore(const fs::path& target, const TeacherStore& store) {
  store.validate();
  std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
  const fs::path temp = temporaryPathFor(target);
  try {
    h5::Handle f = h5::createFile(temp);
    const hsize_t N = store.rows(), K = store.classCount();
    h5::writeStrings(f, "item_id", store.itemIds, temp);
    h5::writeArray(f, "start_s", store.startSeconds, temp);
    h5::writeArray(f, "end_s", store.endSeconds, temp);
    h5::writeStrings(f, "class", store.classes, temp);
    h5::writeArray(f, "covered", std::vector<int8_t>(store.covered.begin(), store.covered.end()), temp);
    writeMatrix(f, "probs", store.probs, N, K, temp);
    if (store.embeddingDim) writeMatrix(f, "embedding", store.embeddings, N, store.embeddingDim, temp);
    if (!store.classSource.empty()) h5::writeStrings(f, "class_source", store.classSource, temp);
    if (!store.teacherClasses.empty()) h5::writeStrings(f, "teacher_class", store.teacherClasses, temp);
    if (!store.unmappedClasses.empty()) h5::writeStrings(f, "unmapped_class", store.unmappedClasses, temp);
    if (!store.failedItems.empty()) h5::writeStrings(f, "failed_item", store.failedItems, temp);
    if (!store.failedReasons.empty()) h5::writeStrings(f, "failed_reason", store.failedReasons, temp);
    h5::writeAttribute(f, "store_format", std::string(kTeacherStoreFormat), temp);
    h5::writeAttribute(f, "store_version", kTeacherStoreVersion, temp);
    h5::writeAttribute(f, "teacher_name", store.name, temp);
    h5::writeAttribute(f, "teacher_version", store.version, temp);
    h5::writeAttribute(f, "class_mapping", store.mapping, temp);
    writeNumberAttribute(f, "window_seconds", store.windowSeconds, temp);
    h5::closeWritten(f, temp);
    publishFile(temp, target);
  } catch (...) {
    std::error_code ec;
    fs::remove(temp, ec);
    throw;
  }
}

}  // namespace chorus::store
