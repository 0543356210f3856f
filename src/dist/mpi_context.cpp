#include "dist/mpi_context.hpp"

#include "core/error.hpp"
#include "core/log.hpp"

namespace chorus::dist {

void checkMpi(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw Error(std::string(call) + " failed on rank " + std::to_string(log::rank()) + ": " + std::string(text, len));
}

MpiContext::MpiContext(int* argc, char*** argv) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    int provided = 0;
    checkMpi(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    ownsInit_ = true;
    // Errors come back as return codes, which checkMpi turns into exceptions naming the call.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  }
  checkMpi(MPI_Comm_rank(MPI_COMM_WORLD, &rank_), "MPI_Comm_rank");
  checkMpi(MPI_Comm_size(MPI_COMM_WORLD, &size_), "MPI_Comm_size");
  log::setRank(rank_);
}

MpiContext::~MpiContext() {
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (ownsInit_ && !finalised) MPI_Finalize();
}

void MpiContext::barrier() const { checkMpi(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

bool MpiContext::allTrue(bool mine) const {
  int in = mine ? 1 : 0, out = 0;
  checkMpi(MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD), "MPI_Allreduce(LAND)");
  return out != 0;
}

long MpiContext::sum(long mine) const {
  long out = 0;
  checkMpi(MPI_Allreduce(&mine, &out, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce(SUM)");
  return out;
}

std::string MpiContext::broadcast(const std::string& fromRoot) const {
  long n = static_cast<long>(fromRoot.size());
  checkMpi(MPI_Bcast(&n, 1, MPI_LONG, 0, MPI_COMM_WORLD), "MPI_Bcast(size)");
  std::string out = rank_ == 0 ? fromRoot : std::string(static_cast<size_t>(n), '\0');
  if (n > 0) checkMpi(MPI_Bcast(out.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD), "MPI_Bcast(data)");
  return out;
}

std::vector<std::string> MpiContext::gatherToRoot(const std::string& mine) const {
  int n = static_cast<int>(mine.size());
  std::vector<int> sizes(rank_ == 0 ? size_ : 0), offsets(sizes.size());
  checkMpi(MPI_Gather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "MPI_Gather(size)");
  std::string all;
  if (rank_ == 0) {
    int total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[r] = total;
      total += sizes[r];
    }
    all.resize(static_cast<size_t>(total));
  }
  checkMpi(MPI_Gatherv(mine.data(), n, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, 0,
                       MPI_COMM_WORLD),
           "MPI_Gatherv");
  std::vector<std::string> out;
  for (int r = 0; rank_ == 0 && r < size_; ++r) out.push_back(all.substr(offsets[r], sizes[r]));
  return out;
}

}  // namespace chorus::dist
