#include "meta/job_name.hpp"

#include <regex>

#include "core/error.hpp"
#include "core/parse_number.hpp"

namespace chorus::meta {

std::string Job::name() const {
  return backbone + "-f" + std::to_string(fold) + (round > 0 ? "-r" + std::to_string(round) : "");
}

std::optional<Job> parseJobName(const std::string& name) {
  static const std::regex pattern(R"((.+)-f([0-9]{1,6})(-r([0-9]{1,6}))?)");
  std::smatch m;
  if (!std::regex_match(name, m, pattern)) return std::nullopt;
  Job job;
  job.backbone = m[1].str();
  job.fold = int(*toInteger(m[2].str()));
  job.round = m[4].matched ? int(*toInteger(m[4].str())) : 0;
  if (m[4].matched && job.round == 0) return std::nullopt;  // "-r0" is never written: round 0 has no suffix
  return job;
}

Job parseJobSpec(const std::string& text, const std::string& option) {
  const auto slash = text.rfind('/');
  const auto fold = slash == std::string::npos ? std::nullopt : toInteger(text.substr(slash + 1));
  if (!fold || *fold < 0 || *fold > 999999 || slash == 0)
    throw UsageError(option + " must be BACKBONE/FOLD (e.g. efficientnet_b0/0), got '" + text + "'");
  return Job{text.substr(0, slash), int(*fold), 0};
}

}  // namespace chorus::meta
