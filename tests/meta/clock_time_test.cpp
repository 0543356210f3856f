// Window times of train_soundscapes_labels.csv.
#include "meta/clock_time.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace chorus::meta {
namespace {

TEST(ClockTime, ParsesHoursMinutesSeconds) {
  EXPECT_EQ(parseClockTime("00:00:00"), 0.0);
  EXPECT_EQ(parseClockTime("00:00:05"), 5.0);
  EXPECT_EQ(parseClockTime("00:01:00"), 60.0);
  EXPECT_EQ(parseClockTime("01:02:03"), 3723.0);
  EXPECT_EQ(parseClockTime("0:00:55"), 55.0);
  EXPECT_EQ(parseClockTime("100:00:00"), 360000.0);
}

TEST(ClockTime, FractionsAreCorrectlyRounded) {
  EXPECT_EQ(parseClockTime("00:00:02.5"), 2.5);
  EXPECT_EQ(parseClockTime("00:00:00.3"), 0.3);  // not 0.30000000000000004
  EXPECT_EQ(parseClockTime("00:01:00.1"), 60.1);
}

TEST(ClockTime, RejectsWhatIsNotHHMMSS) {
  for (const char* bad : {"", "5", "00:05", "00:0:05", "00:00:5", "00:60:00", "00:00:60", "aa:bb:cc", "00:00:05 ",
                          " 00:00:05", "00:00:05.", "-1:00:00", "00:00:05s", "00-00-05"}) {
    EXPECT_THROW(parseClockTime(bad), InputError) << '"' << bad << '"';
  }
  try {
    parseClockTime("00:00:75");
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("00:00:75"), std::string::npos) << "the message quotes the value";
  }
}

TEST(ClockTime, FormatsSecondsShortest) {
  EXPECT_EQ(formatSeconds(5), "5");
  EXPECT_EQ(formatSeconds(0), "0");
  EXPECT_EQ(formatSeconds(3723.5), "3723.5");
  EXPECT_EQ(formatSeconds(0.3), "0.3");
}

}  // namespace
}  // namespace chorus::meta
