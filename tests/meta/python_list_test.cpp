// secondary_labels: Python list literals as pandas writes them and as ast.literal_eval reads them.
// Each expected value below is what Python 3.11's ast.literal_eval / repr gives for the input.
#include "meta/python_list.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace chorus::meta {
namespace {

using List = std::vector<std::string>;

TEST(PythonList, EmptyListsAndBlankFields) {
  EXPECT_EQ(parsePythonStringList("[]"), List{});
  EXPECT_EQ(parsePythonStringList(" [ ] "), List{});
  EXPECT_EQ(parsePythonStringList(""), List{});
  EXPECT_EQ(parsePythonStringList("  "), List{});
}

TEST(PythonList, BothQuoteStylesAndSpacing) {
  EXPECT_EQ(parsePythonStringList("['a', 'b']"), (List{"a", "b"}));
  EXPECT_EQ(parsePythonStringList("[\"a\",\"b\"]"), (List{"a", "b"}));
  EXPECT_EQ(parsePythonStringList("[ 'amakin1' ,\"1139490\" , '47158son16' ]"), (List{"amakin1", "1139490", "47158son16"}));
  EXPECT_EQ(parsePythonStringList("['x',]"), List{"x"});  // trailing comma
  EXPECT_EQ(parsePythonStringList("['a' 'b']"), List{"ab"});  // adjacent literals concatenate
}

TEST(PythonList, QuotesAndCommasInsideItems) {
  EXPECT_EQ(parsePythonStringList("[\"it's\", 'a,b', 'say \"hi\"']"), (List{"it's", "a,b", "say \"hi\""}));
  EXPECT_EQ(parsePythonStringList("['it\\'s', \"q\\\"\"]"), (List{"it's", "q\""}));
}

TEST(PythonList, Escapes) {
  EXPECT_EQ(parsePythonStringList("['a\\\\b', 'tab\\there', 'nl\\n']"), (List{"a\\b", "tab\there", "nl\n"}));
  EXPECT_EQ(parsePythonStringList("['\\x41\\u00e9\\U0001F426']"), List{"A\xC3\xA9\xF0\x9F\x90\xA6"});  // 'Aé🐦'
  EXPECT_EQ(parsePythonStringList("['\\101\\0']"), List{std::string("A\0", 2)});                   // octal
  EXPECT_EQ(parsePythonStringList("['\\d']"), List{"\\d"});  // unknown escapes stay as written
}

TEST(PythonList, Utf8ItemsPassThrough) {
  EXPECT_EQ(parsePythonStringList("['üñï', '鳥の歌']"), (List{"üñï", "鳥の歌"}));
}

TEST(PythonList, BareIntegersAreTheirDigits) {
  EXPECT_EQ(parsePythonStringList("[1139490, 'a', -3]"), (List{"1139490", "a", "-3"}));
}

TEST(PythonList, MalformedLiteralsThrowInputError) {
  for (const char* bad : {"['a'", "['a', 'b'", "[a]", "['a' 'b", "'a'", "['a'] x", "['a'; 'b']", "[,]", "['\\x4']",
                          "['a\nb']", "['\\N{DASH}']", "[-]", "{'a'}"}) {
    EXPECT_THROW(parsePythonStringList(bad), InputError) << bad;
  }
  try {
    parsePythonStringList("['a', b]");
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), "bad list literal \"['a', b]\": expected a quoted string at character 7");
  }
}

TEST(PythonList, FormatIsPythonsRepr) {
  EXPECT_EQ(formatPythonStringList({}), "[]");
  EXPECT_EQ(formatPythonStringList({"a", "1139490"}), "['a', '1139490']");
  // repr(["it's", 'a"b', 'both\'"', 'tab\t', 'ü\x7f', 'x\\y'])
  EXPECT_EQ(formatPythonStringList({"it's", "a\"b", "both'\"", "tab\t", "ü\x7f", "x\\y"}),
            "[\"it's\", 'a\"b', 'both\\'\"', 'tab\\t', 'ü\\x7f', 'x\\\\y']");
}

TEST(PythonList, FormatThenParseRoundTrips) {
  const List items = {"it's", "a\"b", "both'\"", "new\nline", "üñï", "", "x\\y"};
  EXPECT_EQ(parsePythonStringList(formatPythonStringList(items)), items);
}

}  // namespace
}  // namespace chorus::meta
