// The HDF5 copy of the pseudo labels: what h5py will see, also when no window was kept.
#include <gtest/gtest.h>

#include "pseudo/pseudo.hpp"
#include "store/hdf5.hpp"
#include "test_util.hpp"

using namespace chorus;
namespace h5 = chorus::store::h5;

TEST(PseudoLabelsFile, RowsClassesAndLabelsRoundTrip) {
  const auto file = chorus::testing::scratchDir() / "r1" / "labels.h5";
  const std::vector<dataset::PseudoRow> rows = {{"X_1.ogg", 0, 5, {0.75f, 0}}, {"X_1.ogg", 55, 60, {0, 0.5f}}};
  pseudo::writePseudoH5(file, {"a", "b"}, rows, pseudo::SelectOptions{}, 3);
  std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
  h5::Handle f = h5::openFile(file);
  EXPECT_EQ(h5::readStrings(f, "row_id", file), (std::vector<std::string>{"X_1_5", "X_1_60"}));
  EXPECT_EQ(h5::readStrings(f, "filename", file), (std::vector<std::string>{"X_1.ogg", "X_1.ogg"}));
  EXPECT_EQ(h5::readArray<double>(f, "start_s", file), (std::vector<double>{0, 55}));
  EXPECT_EQ(h5::readArray<double>(f, "end_s", file), (std::vector<double>{5, 60}));
  EXPECT_EQ(h5::readStrings(f, "class", file), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(h5::readArray<float>(f, "labels", file), (std::vector<float>{0.75f, 0, 0, 0.5f}));
  EXPECT_EQ(h5::readIntAttribute(f, "round", file), 3);
}

TEST(PseudoLabelsFile, NoKeptWindowGivesEmptyDatasets) {
  const auto file = chorus::testing::scratchDir() / "labels.h5";
  pseudo::writePseudoH5(file, {"a", "b"}, {}, pseudo::SelectOptions{}, 1);
  std::lock_guard<std::recursive_mutex> lock(h5::libraryMutex());
  h5::Handle f = h5::openFile(file);
  EXPECT_TRUE(h5::readStrings(f, "row_id", file).empty());
  EXPECT_TRUE(h5::readArray<float>(f, "labels", file).empty());
  EXPECT_EQ(dataset::pseudoCsvText({"a", "b"}, {}), "row_id,filename,start_s,end_s,a,b\n");
}
