// train.csv's secondary_labels hold a Python list literal written by pandas: "['a', 'b']" or "[]".
// What ast.literal_eval accepts for a flat list of strings: either quote style, backslash escapes
// (\\ \' \" \n \t \r \xhh \uhhhh \Uhhhhhhhh and friends), a trailing comma, any spacing. Bare
// integers (an iNat id written without quotes) are taken as their digits.
#pragma once
#include <string>
#include <vector>

namespace chorus::meta {

// Throws InputError (no file or line: the caller adds them) on anything else.
// An empty or all-blank field is an empty list (pandas writes a missing value that way).
std::vector<std::string> parsePythonStringList(const std::string& text);

// repr(list_of_str) as Python writes it: "['a', 'b']", double quotes for an item holding a
// single quote and no double quote, control characters escaped.
std::string formatPythonStringList(const std::vector<std::string>& items);

}  // namespace chorus::meta
