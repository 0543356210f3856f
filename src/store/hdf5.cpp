#include "store/hdf5.hpp"

#include <unistd.h>

#include <cerrno>

#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace chorus::store::h5 {
namespace {

// HDF5 prints its error stack to stderr by default; we turn that off and put the stack's
// descriptions into the exception instead, so the message lands in the log and the report.
struct Stack {
  std::string text;  // the outermost few frames: what failed
  bool diskFull = false;  // any frame: the failed write's errno (the innermost frame says it)
};

herr_t collect(unsigned n, const H5E_error2_t* e, void* data) {
  auto* stack = static_cast<Stack*>(data);
  const std::string desc = e->desc ? e->desc : "";
  if (desc.find("errno = 28,") != std::string::npos || desc.find("No space left on device") != std::string::npos)
    stack->diskFull = true;
  if (n >= 3) return 0;
  if (!stack->text.empty()) stack->text += "; ";
  stack->text += std::string(e->func_name) + ": " + desc;
  return 0;
}

Stack errorStack() {
  Stack stack;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect, &stack);
  H5Eclear2(H5E_DEFAULT);
  if (stack.text.empty()) stack.text = "no detail from HDF5";
  return stack;
}

// The message of a failed call, from HDF5's error stack (which it clears).
std::string failure(const char* call, const std::filesystem::path& file) {
  const Stack stack = errorStack();
  // A full disk says so first (HDF5 words it as a failed write with errno 28).
  if (stack.diskFull) return writeFailure(file, ENOSPC) + " (HDF5 " + call + ": " + stack.text + ")";
  return std::string("HDF5 ") + call + " failed for " + file.string() + ": " + stack.text;
}

[[noreturn]] void fail(const char* call, const std::filesystem::path& file) { throw Error(failure(call, file)); }

// The file name of a file open for writing ("" for one open read-only).
std::string writtenName(hid_t file) {
  unsigned intent = 0;
  if (H5Fget_intent(file, &intent) < 0 || !(intent & H5F_ACC_RDWR)) return {};
  const ssize_t n = H5Fget_name(file, nullptr, 0);
  if (n <= 0) return {};
  std::string name(size_t(n) + 1, '\0');
  H5Fget_name(file, name.data(), name.size());
  name.resize(size_t(n));
  return name;
}

// Closes a file, unchecked. A written file whose data does not fit (a full disk) must not reach
// H5Fclose with it: the close fails, HDF5 keeps half the file's state and crashes on it (in the
// close, or at exit inside MPI_Finalize). Such a file is broken anyway (every written file is a
// temporary one, published only after a checked close): emptied first, which frees the space its
// metadata needs, it closes cleanly.
void closeFile(hid_t id) {
  const std::string name = writtenName(id);
  if (!name.empty() && H5Fflush(id, H5F_SCOPE_LOCAL) < 0) {
    if (::truncate(name.c_str(), 0) == 0) H5Fflush(id, H5F_SCOPE_LOCAL);  // now it fits
  }
  H5Fclose(id);
  H5Eclear2(H5E_DEFAULT);
}

void quietLibrary() {
  static bool done = false;
  if (done) return;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  done = true;
}

// Shared-filesystem friendly: use flock where it works, carry on where the filesystem lacks it.
Handle fileAccess(const std::filesystem::path& file) {
  Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate(FILE_ACCESS)", file));
  checkStatus(H5Pset_file_locking(fapl, 1, 1), "H5Pset_file_locking", file);
  return fapl;
}

}  // namespace

std::recursive_mutex& libraryMutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

void Handle::reset() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: closeFile(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: break;
  }
  id_ = H5I_INVALID_HID;
}

void closeWritten(Handle& file, const std::filesystem::path& path) {
  if (H5Fflush(file, H5F_SCOPE_LOCAL) < 0) {
    const std::string why = failure("H5Fflush", path);
    // Emptied at once (a second failed flush leaves HDF5 in a state its close crashes on), then
    // closed: the flush inside the close now fits. The caller removes the file.
    [[maybe_unused]] const int rc = ::truncate(path.c_str(), 0);
    file.reset();
    throw Error(why);
  }
  checkStatus(H5Fclose(file.release()), "H5Fclose", path);
}

hid_t check(hid_t id, const char* call, const std::filesystem::path& file) {
  if (id < 0) fail(call, file);
  return id;
}

void checkStatus(herr_t rc, const char* call, const std::filesystem::path& file) {
  if (rc < 0) fail(call, file);
}

Handle createInMemory(const std::filesystem::path& file) {
  quietLibrary();
  Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate(FILE_ACCESS)", file));
  checkStatus(H5Pset_fapl_core(fapl, size_t(1) << 20, /*backing_store=*/0), "H5Pset_fapl_core", file);
  return Handle(check(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), "H5Fcreate (in memory)", file));
}

void saveInMemory(Handle& file, const std::filesystem::path& target) {
  checkStatus(H5Fflush(file, H5F_SCOPE_LOCAL), "H5Fflush (in memory)", target);
  const ssize_t size = H5Fget_file_image(file, nullptr, 0);
  if (size < 0) fail("H5Fget_file_image", target);
  std::string image(size_t(size), '\0');
  if (H5Fget_file_image(file, image.data(), image.size()) < 0) fail("H5Fget_file_image", target);
  checkStatus(H5Fclose(file.release()), "H5Fclose (in memory)", target);
  writeFileAtomic(target, image);
}

Handle createFile(const std::filesystem::path& file) {
  quietLibrary();
  Handle fapl = fileAccess(file);
  return Handle(check(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), "H5Fcreate", file));
}

Handle openFile(const std::filesystem::path& file) {
  quietLibrary();
  if (!std::filesystem::exists(file)) throw InputError("feature store " + file.string() + " does not exist");
  if (H5Fis_hdf5(file.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw InputError(file.string() + " is not an HDF5 file (truncated or not a feature store)");
  }
  Handle fapl = fileAccess(file);
  hid_t id = H5Fopen(file.c_str(), H5F_ACC_RDONLY, fapl);
  if (id < 0) throw InputError("cannot open feature store " + file.string() + ": " + errorStack().text);
  return Handle(id);
}

bool exists(hid_t loc, const char* name) {
  htri_t rc = H5Lexists(loc, name, H5P_DEFAULT);
  H5Eclear2(H5E_DEFAULT);
  return rc > 0;
}

Handle float16Type() {
  // IEEE binary16: sign bit 15, exponent bits 10..14 (bias 15), mantissa bits 0..9; h5py's layout.
  Handle t(H5Tcopy(H5T_IEEE_F32LE));
  const std::filesystem::path none("(float16 type)");
  checkStatus(H5Tset_fields(t, 15, 10, 5, 0, 10), "H5Tset_fields", none);
  checkStatus(H5Tset_size(t, 2), "H5Tset_size", none);
  checkStatus(H5Tset_ebias(t, 15), "H5Tset_ebias", none);
  checkStatus(H5Tset_precision(t, 16), "H5Tset_precision", none);
  return t;
}

Handle utf8StringType() {
  Handle t(H5Tcopy(H5T_C_S1));
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

template <> hid_t nativeType<int8_t>() { return H5T_NATIVE_INT8; }
template <> hid_t nativeType<int32_t>() { return H5T_NATIVE_INT32; }
template <> hid_t nativeType<int64_t>() { return H5T_NATIVE_INT64; }
template <> hid_t nativeType<double>() { return H5T_NATIVE_DOUBLE; }
template <> hid_t nativeType<float>() { return H5T_NATIVE_FLOAT; }

template <class T>
void writeArray(hid_t file, const char* name, const std::vector<T>& values, const std::filesystem::path& path,
                hsize_t width) {
  hsize_t dims[2] = {values.size() / width, width};
  Handle space(check(H5Screate_simple(width == 1 ? 1 : 2, dims, nullptr), "H5Screate_simple", path));
  Handle set(check(H5Dcreate2(file, name, nativeType<T>(), space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                   "H5Dcreate2", path));
  if (!values.empty())
    checkStatus(H5Dwrite(set, nativeType<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "H5Dwrite", path);
}

template <class T>
std::vector<T> readArray(hid_t file, const char* name, const std::filesystem::path& path) {
  Handle set(check(H5Dopen2(file, name, H5P_DEFAULT), (std::string("H5Dopen2 ") + name).c_str(), path));
  Handle space(check(H5Dget_space(set), "H5Dget_space", path));
  hssize_t n = H5Sget_simple_extent_npoints(space);
  std::vector<T> values(static_cast<size_t>(n < 0 ? 0 : n));
  if (!values.empty())
    checkStatus(H5Dread(set, nativeType<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()),
                (std::string("H5Dread ") + name).c_str(), path);
  return values;
}

#define CHORUS_H5_ARRAY(T)                                                                                     \
  template void writeArray<T>(hid_t, const char*, const std::vector<T>&, const std::filesystem::path&, hsize_t); \
  template std::vector<T> readArray<T>(hid_t, const char*, const std::filesystem::path&);
CHORUS_H5_ARRAY(int8_t)
CHORUS_H5_ARRAY(int32_t)
CHORUS_H5_ARRAY(int64_t)
CHORUS_H5_ARRAY(double)
CHORUS_H5_ARRAY(float)
#undef CHORUS_H5_ARRAY

void writeStrings(hid_t file, const char* name, const std::vector<std::string>& values,
                  const std::filesystem::path& path) {
  std::vector<const char*> pointers;
  for (const auto& v : values) pointers.push_back(v.c_str());
  hsize_t dims[1] = {values.size()};
  Handle type = utf8StringType();
  Handle space(check(H5Screate_simple(1, dims, nullptr), "H5Screate_simple", path));
  Handle set(check(H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "H5Dcreate2", path));
  if (!values.empty())
    checkStatus(H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), "H5Dwrite(strings)", path);
}

std::vector<std::string> readStrings(hid_t file, const char* name, const std::filesystem::path& path) {
  Handle set(check(H5Dopen2(file, name, H5P_DEFAULT), (std::string("H5Dopen2 ") + name).c_str(), path));
  Handle space(check(H5Dget_space(set), "H5Dget_space", path));
  hssize_t n = H5Sget_simple_extent_npoints(space);
  std::vector<char*> pointers(static_cast<size_t>(n < 0 ? 0 : n), nullptr);
  Handle type = utf8StringType();
  if (!pointers.empty())
    checkStatus(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), "H5Dread(strings)", path);
  std::vector<std::string> values;
  for (char* p : pointers) values.emplace_back(p ? p : "");
  if (!pointers.empty()) H5Dvlen_reclaim(type, space, H5P_DEFAULT, pointers.data());
  return values;
}

void writeAttribute(hid_t obj, const std::string& name, const std::string& value, const std::filesystem::path& path) {
  // Fixed-length UTF-8 scalar: h5py returns it as str.
  Handle type(H5Tcopy(H5T_C_S1));
  H5Tset_size(type, value.empty() ? 1 : value.size());
  H5Tset_cset(type, H5T_CSET_UTF8);
  Handle space(check(H5Screate(H5S_SCALAR), "H5Screate", path));
  Handle attr(check(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2", path));
  checkStatus(H5Awrite(attr, type, value.c_str()), "H5Awrite", path);
}

void writeAttribute(hid_t obj, const std::string& name, int64_t value, const std::filesystem::path& path) {
  Handle space(check(H5Screate(H5S_SCALAR), "H5Screate", path));
  Handle attr(check(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), "H5Acreate2", path));
  checkStatus(H5Awrite(attr, H5T_NATIVE_INT64, &value), "H5Awrite", path);
}

std::string readStringAttribute(hid_t obj, const std::string& name, const std::filesystem::path& path) {
  Handle attr(check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), ("H5Aopen " + name).c_str(), path));
  Handle type(check(H5Aget_type(attr), "H5Aget_type", path));
  if (H5Tget_class(type) != H5T_STRING) throw InputError(path.string() + ": attribute " + name + " is not a string");
  if (H5Tis_variable_str(type) > 0) {
    char* p = nullptr;
    Handle mem = utf8StringType();
    checkStatus(H5Aread(attr, mem, &p), "H5Aread", path);
    std::string value = p ? p : "";
    H5free_memory(p);
    return value;
  }
  size_t size = H5Tget_size(type);
  std::string value(size, '\0');
  checkStatus(H5Aread(attr, type, value.data()), "H5Aread", path);
  value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
  return value;
}

int64_t readIntAttribute(hid_t obj, const std::string& name, const std::filesystem::path& path) {
  Handle attr(check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), ("H5Aopen " + name).c_str(), path));
  int64_t value = 0;
  checkStatus(H5Aread(attr, H5T_NATIVE_INT64, &value), "H5Aread", path);
  return value;
}

std::vector<std::string> attributeNames(hid_t obj, const std::filesystem::path& path) {
  H5O_info_t info;
  checkStatus(H5Oget_info2(obj, &info, H5O_INFO_NUM_ATTRS), "H5Oget_info2", path);
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    Handle attr(check(H5Aopen_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT),
                      "H5Aopen_by_idx", path));
    ssize_t len = H5Aget_name(attr, 0, nullptr);
    std::string name(static_cast<size_t>(len), '\0');
    H5Aget_name(attr, name.size() + 1, name.data());
    names.push_back(name);
  }
  return names;
}

bool isStringAttribute(hid_t obj, const std::string& name, const std::filesystem::path& path) {
  Handle attr(check(H5Aopen(obj, name.c_str(), H5P_DEFAULT), ("H5Aopen " + name).c_str(), path));
  Handle type(check(H5Aget_type(attr), "H5Aget_type", path));
  return H5Tget_class(type) == H5T_STRING;
}

}  // namespace chorus::store::h5
