// Work that rank 0 alone does on shared files (listing a folder, preparing a resume, writing the
// master), with its result or its error handed to every rank, so that all ranks stay in step.
#pragma once
#include <functional>
#include <string>

namespace chorus::dist {
class MpiContext;
}

namespace chorus::stages::features {

// Collective. Rank 0 runs `work`; every rank returns its result, or throws its error with the same
// message and type (InputError, UsageError, Error with the same exit code).
std::string onRoot(const dist::MpiContext& mpi, const std::function<std::string()>& work);

}  // namespace chorus::stages::features
