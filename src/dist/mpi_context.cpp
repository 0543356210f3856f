#include "dist/mpi_context.hpp"

#include <exception>

#include "core/error.hpp"
#include "core/log.hpp"
#include "dist/liveness.hpp"
#include "dist/mpi_group.hpp"
#include "dist/polled_wait.hpp"

namespace chorus::dist {

void checkMpi(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw Error(std::string(call) + " failed on rank " + std::to_string(log::rank()) + ": " + std::string(text, len));
}

Group groupOf(MPI_Comm comm) {
  if (comm == MPI_COMM_NULL) return Group();
  return Group(std::make_shared<const GroupHandle>(GroupHandle{comm}));
}

MPI_Comm commOf(const Group& group) { return group.alone() ? MPI_COMM_NULL : group.handle()->comm; }

Group MpiContext::group() const { return groupOf(MPI_COMM_WORLD); }

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
  if (size_ > 1) startHeartbeat(rank_);
}

// The end of the run is a collective too: MPI_Finalize waits for every rank, without a deadline. So
// the ranks meet first in a barrier that has one (a rank still working is waited for).
MpiContext::~MpiContext() {
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (!ownsInit_ || finalised) return;
  if (size_ > 1 && heartbeatsOn()) {
    const std::string stage = currentWatch().stage.empty() ? "" : " (" + currentWatch().stage + ")";
    const std::string leaving = std::uncaught_exceptions() > 0 ? ", this rank leaving with an error" : "";
    MPI_Request request;
    if (MPI_Ibarrier(MPI_COMM_WORLD, &request) == MPI_SUCCESS) try {
        waitWithDeadline(request, {"the end of the run" + stage + leaving, currentWatch().timeoutSeconds, peers(), true});
      } catch (const std::exception&) {  // MPI_Test failed: finalising is all that is left to do
      }
  }
  MPI_Finalize();
  stopHeartbeat();
}

std::vector<int> MpiContext::peers() const {
  std::vector<int> out;
  for (int r = 0; r < size_; ++r)
    if (r != rank_) out.push_back(r);
  return out;
}

void MpiContext::wait(MPI_Request& request, const std::string& what, bool quiet) const {
  const Watch& watch = currentWatch();
  waitWithDeadline(request, {watch.stage.empty() ? what : watch.stage + ": " + what, watch.timeoutSeconds, peers(), quiet});
}

void MpiContext::barrier() const {
  MPI_Request request;
  checkMpi(MPI_Ibarrier(MPI_COMM_WORLD, &request), "MPI_Ibarrier");
  wait(request, "barrier");
}

bool MpiContext::allTrue(bool mine) const {
  int in = mine ? 1 : 0, out = 0;
  MPI_Request request;
  checkMpi(MPI_Iallreduce(&in, &out, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD, &request), "MPI_Iallreduce(LAND)");
  wait(request, "all-reduce (AND)");
  return out != 0;
}

long MpiContext::sum(long mine) const {
  long out = 0;
  MPI_Request request;
  checkMpi(MPI_Iallreduce(&mine, &out, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD, &request), "MPI_Iallreduce(SUM)");
  wait(request, "all-reduce (SUM)");
  return out;
}

std::string MpiContext::broadcast(const std::string& fromRoot) const {
  long n = static_cast<long>(fromRoot.size());
  MPI_Request request;
  checkMpi(MPI_Ibcast(&n, 1, MPI_LONG, 0, MPI_COMM_WORLD, &request), "MPI_Ibcast(size)");
  wait(request, "broadcast from rank 0");
  std::string out = rank_ == 0 ? fromRoot : std::string(static_cast<size_t>(n), '\0');
  if (n > 0) {
    checkMpi(MPI_Ibcast(out.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD, &request), "MPI_Ibcast(data)");
    wait(request, "broadcast from rank 0");
  }
  return out;
}

std::vector<std::string> MpiContext::gatherToRoot(const std::string& mine) const {
  int n = static_cast<int>(mine.size());
  std::vector<int> sizes(rank_ == 0 ? size_ : 0), offsets(sizes.size());
  MPI_Request request;
  checkMpi(MPI_Igather(&n, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD, &request), "MPI_Igather(size)");
  wait(request, "gather to rank 0");
  std::string all;
  if (rank_ == 0) {
    int total = 0;
    for (int r = 0; r < size_; ++r) {
      offsets[r] = total;
      total += sizes[r];
    }
    all.resize(static_cast<size_t>(total));
  }
  checkMpi(MPI_Igatherv(mine.data(), n, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, 0,
                        MPI_COMM_WORLD, &request),
           "MPI_Igatherv");
  wait(request, "gather to rank 0");
  std::vector<std::string> out;
  for (int r = 0; rank_ == 0 && r < size_; ++r) out.push_back(all.substr(offsets[r], sizes[r]));
  return out;
}

}  // namespace chorus::dist
