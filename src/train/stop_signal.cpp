#include "train/stop_signal.hpp"

#include <csignal>

namespace chorus::train {
namespace {

volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_oldTerm, g_oldUsr1;

extern "C" void onStop(int sig) { g_signal = sig; }

}  // namespace

StopSignals::StopSignals() {
  g_signal = 0;
  struct sigaction action {};
  action.sa_handler = onStop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // reads and writes in flight carry on; the loop checks between steps
  sigaction(SIGTERM, &action, &g_oldTerm);
  sigaction(SIGUSR1, &action, &g_oldUsr1);
}

StopSignals::~StopSignals() {
  sigaction(SIGTERM, &g_oldTerm, nullptr);
  sigaction(SIGUSR1, &g_oldUsr1, nullptr);
}

int StopSignals::received() { return int(g_signal); }

}  // namespace chorus::train
