#include "core/parse_number.hpp"

#include <charconv>

#include "core/error.hpp"

namespace chorus {
namespace {

std::string_view withoutPlus(std::string_view text) {
  // from_chars takes no '+'; "+-1" and a lone "+" stay invalid.
  if (text.size() > 1 && text[0] == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
  return text;
}

template <class T>
std::optional<T> parseWhole(std::string_view text) {
  text = withoutPlus(text);
  T value{};
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> toDouble(std::string_view text) { return parseWhole<double>(text); }
std::optional<long long> toInteger(std::string_view text) { return parseWhole<long long>(text); }

double parseDouble(std::string_view text, const std::string& what) {
  if (auto v = toDouble(text)) return *v;
  throw InputError(what + ": '" + std::string(text) + "' is not a number");
}

long long parseInteger(std::string_view text, const std::string& what) {
  if (auto v = toInteger(text)) return *v;
  throw InputError(what + ": '" + std::string(text) + "' is not an integer");
}

}  // namespace chorus
