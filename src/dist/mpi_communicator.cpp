// The MPI backend: non-blocking collectives polled against a deadline (MPI has no timeout of its
// own, and a blocking MPI_Allreduce waits forever on a rank that died without closing its socket).
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"
#include "dist/communicator.hpp"
#include "dist/mpi_context.hpp"
#include "dist/mpi_group.hpp"
#include "dist/polled_wait.hpp"

namespace chorus::dist {
namespace {

MPI_Datatype mpiType(DType dtype) {
  switch (dtype) {
    case DType::Float32: return MPI_FLOAT;
    case DType::Float64: return MPI_DOUBLE;
    case DType::Int64: return MPI_INT64_T;
  }
  return MPI_BYTE;
}

template <class T>
void divide(void* data, size_t count, T by) {
  T* p = static_cast<T*>(data);
  for (size_t i = 0; i < count; ++i) p[i] /= by;
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator(MPI_Comm group, const CommOptions& options) : options_(options) {
    MPI_Request request;  // duplicating is collective too: the same deadline
    checkMpi(MPI_Comm_idup(group, &comm_, &request), "MPI_Comm_idup");
    waitWithDeadline(request, {"train (" + options.name + "): forming the group", options.timeoutSeconds,
                               peersIn(group), false});
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
    checkMpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    checkMpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
    peers_ = peersIn(comm_);
  }
  ~MpiCommunicator() override {
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (!finalised) MPI_Comm_free(&comm_);  // never throws: teardown must not
  }

  Backend backend() const override { return Backend::Mpi; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void allReduceSum(void* data, size_t count, DType dtype, void*) override {
    if (size_ == 1 || count == 0) return;
    for (size_t done = 0; done < count;) {  // MPI counts are int
      const int n = int(std::min(count - done, size_t(1) << 30));
      void* at = static_cast<char*>(data) + done * dtypeBytes(dtype);
      MPI_Request request;
      checkMpi(MPI_Iallreduce(MPI_IN_PLACE, at, n, mpiType(dtype), MPI_SUM, comm_, &request), "MPI_Iallreduce");
      wait(request, "all-reduce");
      done += size_t(n);
    }
  }

  void allReduceMean(void* data, size_t count, DType dtype, void* stream) override {
    if (dtype == DType::Int64) throw Error("all-reduce mean needs a float buffer");
    allReduceSum(data, count, dtype, stream);
    if (dtype == DType::Float32) divide(data, count, float(size_));
    else divide(data, count, double(size_));
  }

  void broadcast(void* data, size_t count, DType dtype, int root, void*) override {
    if (size_ == 1 || count == 0) return;
    for (size_t done = 0; done < count;) {
      const int n = int(std::min(count - done, size_t(1) << 30));
      void* at = static_cast<char*>(data) + done * dtypeBytes(dtype);
      MPI_Request request;
      checkMpi(MPI_Ibcast(at, n, mpiType(dtype), root, comm_, &request), "MPI_Ibcast");
      wait(request, "broadcast");
      done += size_t(n);
    }
  }

  void barrier() override {
    if (size_ == 1) return;
    MPI_Request request;
    checkMpi(MPI_Ibarrier(comm_, &request), "MPI_Ibarrier");
    wait(request, "barrier");
  }

 private:
  void wait(MPI_Request& request, const char* what) {
    waitWithDeadline(request, {"train (" + (options_.name.empty() ? std::string("?") : options_.name) + "): " + what,
                               options_.timeoutSeconds, peers_, false});
  }

  CommOptions options_;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  std::vector<int> peers_;  // world ranks of the others
};

class LocalCommunicator final : public Communicator {
 public:
  Backend backend() const override { return Backend::Local; }
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void allReduceSum(void*, size_t, DType, void*) override {}
  void allReduceMean(void*, size_t, DType, void*) override {}
  void broadcast(void*, size_t, DType, int, void*) override {}
  void barrier() override {}
};

}  // namespace

std::unique_ptr<Communicator> makeMpiCommunicator(const Group& group, const CommOptions& options) {
  if (group.alone()) return makeLocalCommunicator();
  return std::make_unique<MpiCommunicator>(commOf(group), options);
}

std::unique_ptr<Communicator> makeLocalCommunicator() { return std::make_unique<LocalCommunicator>(); }

}  // namespace chorus::dist
