// Whether the other ranks are alive, so that a collective can wait as long as they work and no
// longer than --collective-timeout after one stops answering. Every rank rewrites a small file,
// HEARTBEATS/rank-<N>, about once a second from a thread of its own: SIGSTOP, a dead node or a
// frozen process stop it, a long step on the main thread (training the last job, the root writing a
// checkpoint) does not. The file also says whether the rank waits in a collective and in which, so
// that ranks which all wait, each in another collective, are told apart from ranks that work.
// Readers judge a heartbeat by their own clock (the file changed since they last looked), never by
// another node's mtime. No MPI here: the thread never calls MPI (the world is THREAD_FUNNELED).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace chorus::dist {

// Process-wide: how long a silent rank is waited for, where heartbeats go, what the run is called.
struct Watch {
  double timeoutSeconds = 900;
  std::filesystem::path heartbeats;  // a folder every rank sees (WORK/logs/heartbeats); empty: none
  std::string stage;                 // for messages: "features", "train", "run"
};

// Sets the watch of this process (a later call, e.g. a stage inside `chorus run`, replaces the
// timeout and stage; the heartbeat folder of a running heartbeat stays). Call before MPI starts.
void setWatch(const Watch& watch);
const Watch& currentWatch();

// Starts this rank's heartbeat thread when the watch names a folder (once; MpiContext does it).
void startHeartbeat(int worldRank);
void stopHeartbeat();
bool heartbeatsOn();

// While one lives, this rank's heartbeat says it waits in `what`.
class WaitingIn {
 public:
  explicit WaitingIn(const std::string& what);
  ~WaitingIn();
  WaitingIn(const WaitingIn&) = delete;
  WaitingIn& operator=(const WaitingIn&) = delete;
};

// Another rank as this process sees it now (main thread).
struct PeerView {
  double silentSeconds = 0;   // since its heartbeat last changed (or since this process first looked)
  bool waiting = false;       // in a collective, for waitingSeconds
  double waitingSeconds = 0;
  std::string what;           // the collective it waits in
};
PeerView observePeer(int worldRank);

}  // namespace chorus::dist
