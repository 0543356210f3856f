// Window times in train_soundscapes_labels.csv: "HH:MM:SS" from the start of the soundscape.
#pragma once
#include <string>

namespace chorus::meta {

// "00:00:05" -> 5; "01:02:03.5" -> 3723.5. Hours take one or more digits, minutes and seconds
// exactly two (below 60), an optional decimal fraction. Throws InputError (the caller adds file
// and line) on anything else.
double parseClockTime(const std::string& text);

// Seconds as the shortest decimal that reads back to the same double: "5", "3723.5".
std::string formatSeconds(double seconds);

}  // namespace chorus::meta
