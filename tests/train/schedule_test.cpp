// The learning-rate schedule against values worked out by hand (schedule.hpp's formula).
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "train/schedule.hpp"

namespace chorus::train {

TEST(LrSchedule, WarmupThenCosineMatchesHandComputedValues) {
  LrSchedule s{1e-3, 1e-5, 4, 20};
  EXPECT_DOUBLE_EQ(s.at(0), 2.5e-4);  // 1e-3 * 1/4
  EXPECT_DOUBLE_EQ(s.at(1), 5.0e-4);
  EXPECT_DOUBLE_EQ(s.at(3), 1e-3);    // warmup reaches the peak on its last step
  EXPECT_DOUBLE_EQ(s.at(4), 1e-3);    // cosine starts at the peak (t = 0)
  EXPECT_NEAR(s.at(12), 5.05e-4, 1e-15);  // t = 8/16: floor + (peak - floor) / 2
  // t = 15/16: (1 + cos(15 pi / 16)) / 2 = 0.0096073598; 1e-5 + 0.99e-3 * that
  EXPECT_NEAR(s.at(19), 1.9511286e-5, 1e-12);
  EXPECT_DOUBLE_EQ(s.at(40), 1e-5);   // past the end: the floor
}

TEST(LrSchedule, NoWarmupStartsAtPeak) {
  LrSchedule s{2e-3, 0, 0, 10};
  EXPECT_DOUBLE_EQ(s.at(0), 2e-3);
  EXPECT_NEAR(s.at(5), 1e-3, 1e-15);  // t = 1/2
}

TEST(LrSchedule, RejectsImpossibleSettings) {
  EXPECT_THROW((LrSchedule{1e-3, 1e-2, 0, 10}.validate()), UsageError);  // floor above peak
  EXPECT_THROW((LrSchedule{1e-3, 0, 10, 10}.validate()), UsageError);    // warmup is the whole run
  EXPECT_THROW((LrSchedule{0, 0, 0, 10}.validate()), UsageError);
  EXPECT_NO_THROW((LrSchedule{1e-3, 0, 2, 10}.validate()));
}

}  // namespace chorus::train
