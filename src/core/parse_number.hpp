// Numbers from text, one rule for the whole program: the entire text must be the number (no leading
// spaces, no trailing junk: "3x" and "1.5 " are not numbers, where std::stod would take 3 and 1.5);
// a leading '+' is allowed. Decimal; "inf" and "nan" parse as doubles (callers that need finite
// values check). std::from_chars underneath: locale-independent and exact (round-trips what
// printf("%.17g") wrote).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace chorus {

std::optional<double> toDouble(std::string_view text);
std::optional<long long> toInteger(std::string_view text);  // also refuses "3.0" and out-of-range values

// The same, throwing InputError "<what>: '<text>' is not a number" (an integer) when it is not.
// `what` names the place: "train.csv:17: rating", "WORK/models/x/metrics.csv:3: clip_auc".
double parseDouble(std::string_view text, const std::string& what);
long long parseInteger(std::string_view text, const std::string& what);

}  // namespace chorus
