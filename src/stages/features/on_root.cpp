#include "stages/features/on_root.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "dist/mpi_context.hpp"

namespace chorus::stages::features {

std::string onRoot(const dist::MpiContext& mpi, const std::function<std::string()>& work) {
  nlohmann::json outcome;
  if (mpi.isRoot()) {
    try {
      outcome = {{"value", work()}};
    } catch (const Error& e) {
      outcome = {{"error", e.what()}, {"code", static_cast<int>(e.code())}};
    } catch (const std::exception& e) {
      outcome = {{"error", e.what()}, {"code", static_cast<int>(ExitCode::Failure)}};
    }
  }
  outcome = nlohmann::json::parse(mpi.broadcast(mpi.isRoot() ? outcome.dump() : std::string()));
  if (outcome.contains("error")) {
    const std::string what = outcome["error"];
    const ExitCode code = ExitCode(outcome["code"].get<int>());
    if (code == ExitCode::BadInput) throw InputError(what);  // the same type on every rank, not just the code
    if (code == ExitCode::Usage) throw UsageError(what);
    throw Error(what, code);
  }
  return outcome["value"].get<std::string>();
}

}  // namespace chorus::stages::features
