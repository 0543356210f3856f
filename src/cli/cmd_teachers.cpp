// [teachers]: see teachers.hpp.
#include <cmath>
#include <sstream>

#include "cli/teachers.hpp"
#include "core/error.hpp"

namespace chorus::cli {
namespace {

std::string number(double v) {
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

std::vector<std::string> storeArgs(const std::string& store, const char* storeFlag,
                                   const std::vector<std::pair<const char*, double>>& values) {
  if (store.empty()) return {};
  std::vector<std::string> args = {storeFlag, store};
  for (const auto& [flag, v] : values)
    if (!std::isnan(v)) args.insert(args.end(), {std::string(flag), number(v)});
  return args;
}

}  // namespace

std::vector<std::string> TeacherArgs::pseudoArgs() const {
  return storeArgs(pseudo, "--teacher", {{"--teacher-weight", pseudoWeight}});
}
std::vector<std::string> TeacherArgs::trainArgs() const {
  return storeArgs(distil, "--distil", {{"--distil-weight", distilWeight}, {"--distil-temperature", distilTemperature}});
}
std::vector<std::string> TeacherArgs::inferArgs() const {
  return storeArgs(infer, "--teacher", {{"--teacher-weight", inferWeight}});
}

Command addTeachers(CLI::App& parent, const std::shared_ptr<TeacherArgs>& a) {
  CLI::App* app = parent.add_subcommand(
      "teachers",
      "Not a command: the [teachers] section of chorus run's --config, teacher stores (README \"Teachers\")\n"
      "handed to the stages: pseudo = STORE (chorus pseudo --teacher), distil = STORE (chorus train --distil,\n"
      "every round), infer = STORE (chorus infer --teacher), with their weights. Keys left out are the stage's.");
  app->add_option("--pseudo", a->pseudo, "Teacher store over train_soundscapes for chorus pseudo --teacher");
  app->add_option("--pseudo-weight", a->pseudoWeight, "chorus pseudo --teacher-weight (1: the teacher alone)");
  app->add_option("--distil", a->distil, "Teacher store for chorus train --distil (train_soundscapes and/or train_audio)");
  app->add_option("--distil-weight", a->distilWeight, "chorus train --distil-weight");
  app->add_option("--distil-temperature", a->distilTemperature, "chorus train --distil-temperature");
  app->add_option("--infer", a->infer, "Teacher store over test_soundscapes for chorus infer --teacher");
  app->add_option("--infer-weight", a->inferWeight, "chorus infer --teacher-weight");
  return {app, [] () -> int {
            throw UsageError("teachers is a section of chorus run's config ([teachers]), not a command: "
                             "see chorus teachers --help");
          }};
}

}  // namespace chorus::cli
