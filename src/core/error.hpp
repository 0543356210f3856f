// Errors that carry the process exit code they should end in, so that `cli` can map any failure
// to a distinct, documented status (scripts and SLURM dependencies read it).
#pragma once
#include <stdexcept>
#include <string>

namespace chorus {

enum class ExitCode : int {
  Ok = 0,
  Failure = 1,         // an internal error or an I/O failure we cannot work around
  Usage = 2,           // bad command line or config (CLI11 uses 2 as well)
  BadInput = 3,        // input data that cannot be used at all (a CSV row that does not parse)
  PartialFailure = 4,  // the stage finished, but some items failed (named in its report)
  // A signal after a clean save exits 128 + the signal number (set by the handler, not listed here).
};

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what, ExitCode code = ExitCode::Failure)
      : std::runtime_error(what), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

// A command line or config that cannot work ("--folds 0", an unknown backbone).
struct UsageError : Error {
  explicit UsageError(const std::string& what) : Error(what, ExitCode::Usage) {}
};

// Input data that cannot be used; the message names the file and, where there is one, the line.
struct InputError : Error {
  explicit InputError(const std::string& what) : Error(what, ExitCode::BadInput) {}
  InputError(const std::string& file, long line, const std::string& what)
      : Error(file + ":" + std::to_string(line) + ": " + what, ExitCode::BadInput) {}
};

}  // namespace chorus
