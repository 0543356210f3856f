// The few HDF5 C calls the stores need, wrapped so that every failure throws chorus::Error naming
// the call, the file and HDF5's own reason. Private to the store layer: no other layer sees hdf5.h.
//
// HDF5 as Debian builds it (parallel, not thread-safe) must not be entered by two threads at once,
// not even on different files, so every public store function holds libraryMutex().
#pragma once
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace chorus::store::h5 {

std::recursive_mutex& libraryMutex();

// An hid_t closed by its matching H5?close when it goes out of scope.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  void reset();
  hid_t release() {  // hands the id over (to a close whose status must be checked)
    hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// Throws Error("HDF5 <call> failed for <file>: <HDF5's messages>") when id/rc is negative.
hid_t check(hid_t id, const char* call, const std::filesystem::path& file);
void checkStatus(herr_t rc, const char* call, const std::filesystem::path& file);

Handle createFile(const std::filesystem::path& file);  // truncates
// A file built in memory (HDF5's core driver; `file` only names it in messages) and written out
// whole by saveInMemory with writeFileAtomic: for small files, whose write then fails as plain
// write(2) does ("no space left on device: PATH"), never inside HDF5, which cannot recover from a
// failed flush (its close fails and it crashes at exit).
Handle createInMemory(const std::filesystem::path& file);
void saveInMemory(Handle& file, const std::filesystem::path& target);
// Closes a file written to, checked: flushed first; a file whose data does not fit (a full disk) is
// emptied and closed (HDF5 crashes on a failed close) and Error names it ("no space left on device:
// PATH"). Handle's own close of a written file does the same, unchecked.
void closeWritten(Handle& file, const std::filesystem::path& path);
Handle openFile(const std::filesystem::path& file);    // read-only; throws InputError if it is not HDF5
bool exists(hid_t loc, const char* name);

// numpy's '<f2' as an HDF5 type (h5py maps it back to float16).
Handle float16Type();
Handle utf8StringType();  // variable-length UTF-8 (h5py: str via .asstr())

template <class T>
hid_t nativeType();  // int8_t int32_t int64_t double float

// 1-D (or [n, width]) contiguous datasets, written whole.
template <class T>
void writeArray(hid_t file, const char* name, const std::vector<T>& values, const std::filesystem::path& path,
                hsize_t width = 1);
template <class T>
std::vector<T> readArray(hid_t file, const char* name, const std::filesystem::path& path);
void writeStrings(hid_t file, const char* name, const std::vector<std::string>& values,
                  const std::filesystem::path& path);
std::vector<std::string> readStrings(hid_t file, const char* name, const std::filesystem::path& path);

// Scalar attributes on an object (the file's root group for store attributes).
void writeAttribute(hid_t obj, const std::string& name, const std::string& value, const std::filesystem::path& path);
void writeAttribute(hid_t obj, const std::string& name, int64_t value, const std::filesystem::path& path);
std::string readStringAttribute(hid_t obj, const std::string& name, const std::filesystem::path& path);
int64_t readIntAttribute(hid_t obj, const std::string& name, const std::filesystem::path& path);
std::vector<std::string> attributeNames(hid_t obj, const std::filesystem::path& path);
bool isStringAttribute(hid_t obj, const std::string& name, const std::filesystem::path& path);

}  // namespace chorus::store::h5
