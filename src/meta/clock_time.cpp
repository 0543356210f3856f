#include "meta/clock_time.hpp"

#include <charconv>

#include "core/error.hpp"

namespace chorus::meta {
namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

double parseClockTime(const std::string& text) {
  auto bad = [&](const std::string& why) { return InputError("bad time \"" + text + "\": " + why + " (expected HH:MM:SS)"); };
  std::size_t i = 0;
  long hours = 0;
  while (i < text.size() && isDigit(text[i])) {
    if (i >= 6) throw bad("hours too long");
    hours = hours * 10 + (text[i++] - '0');
  }
  if (i == 0) throw bad("no hours");
  int parts[2] = {0, 0};
  for (int& part : parts) {
    if (i + 3 > text.size() || text[i] != ':' || !isDigit(text[i + 1]) || !isDigit(text[i + 2]))
      throw bad("minutes and seconds take two digits each");
    part = (text[i + 1] - '0') * 10 + (text[i + 2] - '0');
    if (part >= 60) throw bad("minutes and seconds must be below 60");
    i += 3;
  }
  std::string fraction;
  if (i < text.size() && text[i] == '.') {
    std::size_t start = ++i;
    while (i < text.size() && isDigit(text[i])) ++i;
    if (i == start) throw bad("empty fraction");
    fraction = text.substr(start - 1, i - start + 1);
  }
  if (i != text.size()) throw bad("unexpected characters");
  // Read the total as one decimal so that the double is the correctly rounded one ("…:00.3" is 0.3).
  const std::string total = std::to_string(hours * 3600 + parts[0] * 60 + parts[1]) + fraction;
  double seconds = 0;
  std::from_chars(total.data(), total.data() + total.size(), seconds);
  return seconds;
}

std::string formatSeconds(double seconds) {
  char buf[32];
  auto result = std::to_chars(buf, buf + sizeof buf, seconds);
  return std::string(buf, result.ptr);
}

}  // namespace chorus::meta
