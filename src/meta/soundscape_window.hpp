// The competition's rule for soundscapes, in one place: each file is scored in consecutive 5 s
// windows; window w covers [5w, 5w + 5) s and its submission row id is "<file stem>_<5(w + 1)>",
// the window's end second. Every stage that cuts, names or parses a window goes through here.
#pragma once
#include <string>

namespace chorus::meta {

inline constexpr int kWindowSeconds = 5;

// The row id of window `window` of a soundscape file ("a.ogg", 0 -> "a_5").
std::string windowRowId(const std::string& soundscapeFile, int window);

// The window whose [start, end) begins at `startSeconds` (rounded to the nearest window).
int windowAtStart(double startSeconds);

// The window that ends at `endSeconds` (rounded to the nearest window end).
int windowEndingAt(double endSeconds);

// Windows in a file of `seconds`: every started window counts, but a file a hair longer than a whole
// number of windows (resampling, container rounding) does not get one more. At least one.
int windowCount(double seconds);

// The end second of a row id "<stem>_<end>"; InputError naming the row id when it has no such end.
double rowEndSeconds(const std::string& rowId);

}  // namespace chorus::meta
