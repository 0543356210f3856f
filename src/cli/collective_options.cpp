// --collective-timeout, the one option of every subcommand that runs under MPI, and the watch it sets.
#include "cli/commands.hpp"
#include "dist/liveness.hpp"

namespace chorus::cli {

void addCollectiveTimeout(CLI::App& app, double& seconds) {
  app.add_option("--collective-timeout", seconds,
                 "Seconds a rank waits for another that stopped answering (no heartbeat: stopped, frozen, its node "
                 "gone) in any collective, or for ranks that all wait in different ones, before the run is aborted "
                 "with a message naming the rank; a rank that is alive and working is waited for")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

double watchRanks(const CLI::App& app, const std::filesystem::path& work, double seconds, const std::string& stage) {
  dist::Watch watch = dist::currentWatch();
  // Inside `chorus run` a stage keeps the run's timeout unless its own section sets one.
  if (watch.heartbeats.empty() || app.get_option("--collective-timeout")->count() > 0) watch.timeoutSeconds = seconds;
  watch.heartbeats = work / "logs" / "heartbeats";
  watch.stage = stage;
  dist::setWatch(watch);
  return watch.timeoutSeconds;
}

}  // namespace chorus::cli
