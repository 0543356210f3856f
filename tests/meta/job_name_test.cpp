// The job-name rule, both ways.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "meta/job_name.hpp"

using namespace chorus::meta;

TEST(JobName, BuildsAndParsesBackEveryForm) {
  for (const Job& j : {Job{"efficientnet_b0", 3, 0}, Job{"efficientnetv2_b0", 0, 2}, Job{"eca_nfnet_l0", 12, 1},
                       Job{"my-f1-net", 4, 0}}) {
    const auto back = parseJobName(j.name());
    ASSERT_TRUE(back.has_value()) << j.name();
    EXPECT_EQ(*back, j) << j.name();
  }
  EXPECT_EQ(Job({"efficientnet_b0", 3, 0}).name(), "efficientnet_b0-f3");
  EXPECT_EQ(Job({"efficientnet_b0", 3, 2}).name(), "efficientnet_b0-f3-r2");
  for (const char* no : {"efficientnet_b0", "efficientnet_b0-f", "-f3", "b0-fx", "b0-f3-r", "b0-f3-r0", "b0-f3x", "infer"})
    EXPECT_FALSE(parseJobName(no).has_value()) << no;
}

TEST(JobName, SpecIsBackboneSlashFold) {
  EXPECT_EQ(parseJobSpec("efficientnet_b0/3", "--job"), (Job{"efficientnet_b0", 3, 0}));
  EXPECT_EQ(parseJobSpec("torchscript:/m/x.ts/1", "--job"), (Job{"torchscript:/m/x.ts", 1, 0}));
  for (const char* bad : {"efficientnet_b0", "/3", "b0/", "b0/x", "b0/-1", "b0/1.0"}) {
    try {
      parseJobSpec(bad, "--job");
      ADD_FAILURE() << bad;
    } catch (const chorus::UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("got '") + bad + "'"), std::string::npos);
    }
  }
}
