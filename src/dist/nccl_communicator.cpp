// The NCCL backend (the Horovod/Flashlight pattern): the group root makes a unique id, MPI carries
// it to the group, every rank joins the clique on its own GPU. The only file that includes NCCL
// and CUDA headers. Communicators are non-blocking, so that initialisation and every collective
// can be polled against a deadline; a timeout or an asynchronous NCCL error aborts the
// communicator (freeing the GPU from a kernel that would never finish) and then the run.
#include "dist/communicator.hpp"

#include "core/error.hpp"
#include "dist/mpi_group.hpp"

#ifdef CHORUS_HAVE_NCCL
#include <cuda_runtime.h>
#include <nccl.h>

#include <chrono>
#include <thread>

#include "core/log.hpp"

namespace chorus::dist {
namespace {

ncclDataType_t ncclType(DType dtype) {
  switch (dtype) {
    case DType::Float32: return ncclFloat32;
    case DType::Float64: return ncclFloat64;
    case DType::Int64: return ncclInt64;
  }
  return ncclFloat32;
}

void checkCuda(cudaError_t rc, const char* call) {
  if (rc != cudaSuccess)
    throw Error(std::string(call) + " failed on rank " + std::to_string(log::rank()) + ": " + cudaGetErrorString(rc));
}

class NcclCommunicator final : public Communicator {
 public:
  NcclCommunicator(const Group& group, const CommOptions& options)
      : options_(options), host_(makeMpiCommunicator(group, options)) {
    if (options.device < 0) throw UsageError("NCCL needs a CUDA device for rank " + std::to_string(log::rank()));
    checkCuda(cudaSetDevice(options.device), "cudaSetDevice");
    ncclUniqueId id;
    if (host_->isRoot()) check(ncclGetUniqueId(&id), "ncclGetUniqueId");
    static_assert(sizeof id % sizeof(float) == 0, "the id travels as floats (bit copies)");
    host_->broadcast(&id, sizeof id / sizeof(float), DType::Float32, 0);
    ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
    config.blocking = 0;
    check(ncclCommInitRankConfig(&comm_, host_->size(), id, host_->rank(), &config), "ncclCommInitRankConfig");
    settle("ncclCommInitRankConfig");
  }
  ~NcclCommunicator() override {
    if (comm_) ncclCommDestroy(comm_);  // teardown must not throw; the result is ignored on purpose
  }

  Backend backend() const override { return Backend::Nccl; }
  int rank() const override { return host_->rank(); }
  int size() const override { return host_->size(); }

  void allReduceSum(void* data, size_t count, DType dtype, void* stream) override {
    reduce(data, count, dtype, ncclSum, stream);
  }
  void allReduceMean(void* data, size_t count, DType dtype, void* stream) override {
    if (dtype == DType::Int64) throw Error("all-reduce mean needs a float buffer");
    reduce(data, count, dtype, ncclAvg, stream);
  }
  void broadcast(void* data, size_t count, DType dtype, int root, void* stream) override {
    if (count == 0) return;
    checkCuda(cudaSetDevice(options_.device), "cudaSetDevice");
    auto s = static_cast<cudaStream_t>(stream);
    check(ncclBroadcast(data, data, count, ncclType(dtype), root, comm_, s), "ncclBroadcast");
    finish(s, "ncclBroadcast");
  }
  void barrier() override { host_->barrier(); }

 private:
  void reduce(void* data, size_t count, DType dtype, ncclRedOp_t op, void* stream) {
    if (count == 0) return;
    checkCuda(cudaSetDevice(options_.device), "cudaSetDevice");
    auto s = static_cast<cudaStream_t>(stream);
    check(ncclAllReduce(data, data, count, ncclType(dtype), op, comm_, s), "ncclAllReduce");
    finish(s, "ncclAllReduce");
  }

  void check(ncclResult_t rc, const char* call) {
    if (rc == ncclSuccess || rc == ncclInProgress) return;
    throw Error(std::string(call) + " failed on rank " + std::to_string(log::rank()) + " (group of " + options_.name +
                "): " + ncclGetErrorString(rc) + (comm_ ? std::string(": ") + ncclGetLastError(comm_) : ""));
  }

  [[noreturn]] void timedOut(const char* call) {
    if (comm_) ncclCommAbort(comm_);
    comm_ = nullptr;
    abortRun("rank " + std::to_string(log::rank()) + " (rank " + std::to_string(rank()) + " of " +
             std::to_string(size()) + " in the group of " + options_.name + "): " + call + " timed out after " +
             std::to_string(int(options_.timeoutSeconds)) + " s: another rank of the group died or hangs; aborting the run");
  }

  std::chrono::steady_clock::time_point deadline() const {
    return std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                  std::chrono::duration<double>(options_.timeoutSeconds));
  }

  // A non-blocking call has returned; waits until NCCL has really enqueued or set it up.
  void settle(const char* call) {
    const auto until = deadline();
    for (;;) {
      ncclResult_t state = ncclSuccess;
      check(ncclCommGetAsyncError(comm_, &state), "ncclCommGetAsyncError");
      if (state == ncclSuccess) return;
      if (state != ncclInProgress) check(state, call);
      if (std::chrono::steady_clock::now() > until) timedOut(call);
      std::this_thread::yield();
    }
  }

  // Waits for the collective's kernel on `stream`, watching for NCCL errors and the deadline.
  void finish(cudaStream_t stream, const char* call) {
    settle(call);
    const auto until = deadline();
    for (;;) {
      const cudaError_t q = cudaStreamQuery(stream);
      if (q == cudaSuccess) return;
      if (q != cudaErrorNotReady) checkCuda(q, "cudaStreamQuery");
      ncclResult_t state = ncclSuccess;
      check(ncclCommGetAsyncError(comm_, &state), "ncclCommGetAsyncError");
      if (state != ncclSuccess && state != ncclInProgress) {
        ncclCommAbort(comm_);
        comm_ = nullptr;
        abortRun("rank " + std::to_string(log::rank()) + " (group of " + options_.name + "): " + call +
                 " failed asynchronously: " + ncclGetErrorString(state));
      }
      if (std::chrono::steady_clock::now() > until) timedOut(call);
      std::this_thread::yield();
    }
  }

  CommOptions options_;
  std::unique_ptr<Communicator> host_;  // MPI over the same group: the unique id, barriers
  ncclComm_t comm_ = nullptr;
};

}  // namespace

bool ncclCompiled() { return true; }

std::unique_ptr<Communicator> makeNcclCommunicator(const Group& group, const CommOptions& options) {
  return std::make_unique<NcclCommunicator>(group, options);
}

}  // namespace chorus::dist

#else

namespace chorus::dist {

bool ncclCompiled() { return false; }

std::unique_ptr<Communicator> makeNcclCommunicator(const Group&, const CommOptions&) {
  throw UsageError("this chorus was built without NCCL (torch without CUDA): data-parallel training on CUDA needs it");
}

}  // namespace chorus::dist

#endif
