// The one number rule: the whole text or nothing.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.hpp"
#include "core/parse_number.hpp"

using namespace chorus;

TEST(ParseNumber, TakesWholeNumbersOnly) {
  EXPECT_EQ(toDouble("1.5"), 1.5);
  EXPECT_EQ(toDouble("+2"), 2.0);
  EXPECT_EQ(toDouble("-0.25e-3"), -0.25e-3);
  EXPECT_EQ(toDouble("0.30000000000000004"), 0.30000000000000004);  // exact, as printed with %.17g
  EXPECT_TRUE(std::isinf(*toDouble("inf")));
  EXPECT_TRUE(std::isnan(*toDouble("nan")));
  for (const char* bad : {"", " 1", "1 ", "3x", "1.5.2", "+", "+-1", "++1", "0x10", "1,5", "e5"})
    EXPECT_FALSE(toDouble(bad).has_value()) << "'" << bad << "'";
  EXPECT_EQ(toInteger("42"), 42);
  EXPECT_EQ(toInteger("+7"), 7);
  EXPECT_EQ(toInteger("-3"), -3);
  for (const char* bad : {"", "3.0", "1e3", " 4", "4 ", "99999999999999999999", "12a"})
    EXPECT_FALSE(toInteger(bad).has_value()) << "'" << bad << "'";
}

TEST(ParseNumber, ThrowingFormsNameThePlace) {
  EXPECT_EQ(parseDouble("0.5", "x"), 0.5);
  EXPECT_EQ(parseInteger("12", "x"), 12);
  try {
    parseDouble("0.5x", "train.csv:17: rating");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "train.csv:17: rating: '0.5x' is not a number");
  }
  EXPECT_THROW(parseInteger("1.0", "f"), InputError);
}
