#include "dist/polled_wait.hpp"

#include <chrono>
#include <numeric>
#include <thread>

#include "core/log.hpp"
#include "dist/communicator.hpp"
#include "dist/liveness.hpp"
#include "dist/mpi_context.hpp"

namespace chorus::dist {
namespace {

using Clock = std::chrono::steady_clock;

std::string seconds(double s) { return std::to_string(long(s + 0.5)) + " s"; }

// The verdict on the peers after `waited` seconds in this wait: empty while someone works.
std::string verdict(const WaitSpec& spec, double waited) {
  const double t = spec.timeoutSeconds;
  bool allWaiting = waited > t && !spec.peers.empty();
  std::string others;
  for (int peer : spec.peers) {
    const PeerView view = observePeer(peer);
    if (view.silentSeconds > t)
      return "rank " + std::to_string(peer) + " stopped answering (no reply in " + seconds(t) + ") during " +
             spec.what + " (rank " + std::to_string(log::rank()) + " waited " + seconds(waited) + ")";
    allWaiting = allWaiting && view.waiting && view.waitingSeconds > t;
    others += ", rank " + std::to_string(peer) + " in " + (view.what.empty() ? "?" : view.what);
  }
  if (!allWaiting) return {};
  return "no rank of the group works and none arrives: rank " + std::to_string(log::rank()) + " waits in " +
         spec.what + others + ", each for more than " + seconds(t) + " (they took different paths)";
}

}  // namespace

// Open MPI moves a non-blocking collective forward only inside MPI calls (no progress thread): a
// 14 MB gradient bucket is hundreds of fragments, each waiting for the next MPI_Test. So this polls
// back to back (as a blocking call would, yielding the core to a busy neighbour) for the first
// seconds, and only a long wait (the root writing a checkpoint) sleeps between polls.
void waitWithDeadline(MPI_Request& request, const WaitSpec& spec) {
  const auto start = Clock::now();
  const auto spinUntil = spec.quiet ? start : start + std::chrono::seconds(2);
  auto nextLook = start + std::chrono::seconds(1);
  std::unique_ptr<WaitingIn> waiting;
  bool warned = false;
  for (;;) {
    int done = 0;
    checkMpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done) return;
    const auto now = Clock::now();
    if (now >= nextLook) {
      if (!waiting) waiting = std::make_unique<WaitingIn>(spec.what);  // only waits longer than a second show
      nextLook = now + std::chrono::seconds(1);
      const double waited = std::chrono::duration<double>(now - start).count();
      if (!heartbeatsOn() && waited > spec.timeoutSeconds)
        abortRun("rank " + std::to_string(log::rank()) + ": " + spec.what + " timed out after " +
                 seconds(spec.timeoutSeconds) + ": another rank of the group died, hangs or took another path");
      if (heartbeatsOn()) {
        const std::string why = verdict(spec, waited);
        if (!why.empty()) abortRun(why + "; aborting the run");
        if (waited > spec.timeoutSeconds && !warned)
          CHORUS_LOG(Info) << "rank " << log::rank() << " has waited " << seconds(waited) << " in " << spec.what
                           << ": the other ranks are alive and working";
        warned = warned || waited > spec.timeoutSeconds;
      }
    }
    if (now < spinUntil) std::this_thread::yield();
    else std::this_thread::sleep_for(std::chrono::milliseconds(spec.quiet ? 20 : 1));
  }
}

std::vector<int> peersIn(MPI_Comm comm) {
  int size = 1, me = 0;
  checkMpi(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  checkMpi(MPI_Comm_rank(comm, &me), "MPI_Comm_rank");
  MPI_Group group, world;
  checkMpi(MPI_Comm_group(comm, &group), "MPI_Comm_group");
  checkMpi(MPI_Comm_group(MPI_COMM_WORLD, &world), "MPI_Comm_group");
  std::vector<int> in(static_cast<size_t>(size)), out(static_cast<size_t>(size));
  std::iota(in.begin(), in.end(), 0);
  checkMpi(MPI_Group_translate_ranks(group, size, in.data(), world, out.data()), "MPI_Group_translate_ranks");
  MPI_Group_free(&group);
  MPI_Group_free(&world);
  out.erase(out.begin() + me);
  return out;
}

}  // namespace chorus::dist
