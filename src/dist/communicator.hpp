// Collectives of one rank group (a data-parallel job) behind a small interface, so the training
// loop is one code path for one process, MPI on CPU tensors and NCCL on CUDA tensors. Buffers are
// raw pointers + a dtype (no torch here: src/train holds the torch glue). Every collective has a
// deadline: a rank that died or hangs brings the whole run down with a message naming this rank,
// the group, the call and the wait, never a silent hang (MPI_Abort; NCCL: ncclCommAbort first).
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "dist/group.hpp"

namespace chorus::dist {

enum class DType { Float32, Float64, Int64 };
size_t dtypeBytes(DType dtype);

enum class Backend { Local, Mpi, Nccl };

struct CommOptions {
  double timeoutSeconds = 900;  // longest wait in one collective (covers the root writing a checkpoint)
  std::string name;             // for messages: the job this group trains ("efficientnet_b0-f0")
  int device = -1;              // NCCL: the CUDA device of this rank
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual Backend backend() const = 0;
  virtual int rank() const = 0;  // in the group
  virtual int size() const = 0;
  bool isRoot() const { return rank() == 0; }

  // In place, every rank ends with the element-wise sum (mean: divided by size(); float types).
  // `stream`: NCCL only, the cudaStream_t the buffer is ready on (nullptr: the default stream);
  // the call returns when the result is in the buffer.
  virtual void allReduceSum(void* data, size_t count, DType dtype, void* stream = nullptr) = 0;
  virtual void allReduceMean(void* data, size_t count, DType dtype, void* stream = nullptr) = 0;
  // The root's buffer on every rank.
  virtual void broadcast(void* data, size_t count, DType dtype, int root = 0, void* stream = nullptr) = 0;
  virtual void barrier() = 0;
};

// A group of one process: every collective is the identity (the stand-in without MPI groups).
std::unique_ptr<Communicator> makeLocalCommunicator();

// MPI on host memory over `group` (duplicated: the communicator owns its copy; a group of this
// process alone gives the local stand-in).
std::unique_ptr<Communicator> makeMpiCommunicator(const Group& group, const CommOptions& options);

// NCCL on device memory of options.device; the unique id travels over `group` (MPI). Throws
// chorus::Error when chorus was built without NCCL.
std::unique_ptr<Communicator> makeNcclCommunicator(const Group& group, const CommOptions& options);
bool ncclCompiled();

// Logs `why` as an error naming this world rank, then MPI_Abort(MPI_COMM_WORLD): mpirun/srun end
// every rank. For failures other ranks cannot learn about (a timeout, an exception on one rank).
[[noreturn]] void abortRun(const std::string& why, int exitCode = 1);

}  // namespace chorus::dist
