// The [teachers] section of a config: the teacher stores (README "Teachers") that `chorus run` hands
// to its stages, as the stages' own options: pseudo --teacher/--teacher-weight, train (every round)
// --distil/--distil-weight/--distil-temperature, infer --teacher/--teacher-weight. A value left out
// is left to the stage (its own [section] or default). Not a command: `chorus teachers --help` lists
// the keys.
#pragma once
#include <CLI/CLI.hpp>
#include <memory>
#include <cmath>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace chorus::cli {

struct TeacherArgs {
  std::string pseudo, distil, infer;  // store paths; "" none
  // NaN: not given (the stage's own setting applies)
  double pseudoWeight = NAN, distilWeight = NAN, distilTemperature = NAN, inferWeight = NAN;

  // The stage arguments these give (empty when the store is not set).
  std::vector<std::string> pseudoArgs() const;
  std::vector<std::string> trainArgs() const;
  std::vector<std::string> inferArgs() const;
};

// Declares the section on the top-level app; its values land in *args while parsing.
Command addTeachers(CLI::App& parent, const std::shared_ptr<TeacherArgs>& args);

}  // namespace chorus::cli
