// CsvTable on the shapes Kaggle's tables take: quoting, doubled quotes, newlines inside fields
// (line numbers must still point at the row's first line), CRLF, a byte order mark, UTF-8.
#include "meta/csv.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "test_util.hpp"

namespace chorus::meta {
namespace {

std::string errorOf(const std::string& text, const std::string& file = "train.csv") {
  try {
    CsvTable::parse(text, file);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Csv, QuotedCommasStayInOneField) {
  auto t = CsvTable::parse("primary_label,common_name\nabc,\"Flycatcher, Acadian\"\n", "taxonomy.csv");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t.at(0, "common_name"), "Flycatcher, Acadian");
}

TEST(Csv, DoubledQuotesAreOneQuote) {
  auto t = CsvTable::parse("a,b\n\"say \"\"hi\"\"\",\"['x', \"\"y\"\"]\"\n", "f.csv");
  EXPECT_EQ(t.at(0, "a"), "say \"hi\"");
  EXPECT_EQ(t.at(0, "b"), "['x', \"y\"]");
}

TEST(Csv, EmbeddedNewlinesKeepLineNumbersOfRowStarts) {
  auto t = CsvTable::parse("a,b\n1,\"two\nlines\"\n2,x\n3,\"three\n\nlines\"\n4,y\n", "f.csv");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t.rows()[0].line, 2);
  EXPECT_EQ(t.at(0, "b"), "two\nlines");
  EXPECT_EQ(t.rows()[1].line, 4);
  EXPECT_EQ(t.rows()[2].line, 5);
  EXPECT_EQ(t.at(2, "b"), "three\n\nlines");
  EXPECT_EQ(t.rows()[3].line, 8);
  // A broken row after a multi-line field is named by its own line.
  EXPECT_EQ(errorOf("a,b\n1,\"x\ny\"\n2\n"), "train.csv:4: expected 2 fields, found 1");
}

TEST(Csv, CrlfLineEndingsAreNotPartOfFields) {
  auto t = CsvTable::parse("a,b\r\n1,2\r\n3,\"x\r\ny\"\r\n", "f.csv");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.header()[1], "b");
  EXPECT_EQ(t.at(0, "b"), "2");
  EXPECT_EQ(t.at(1, "b"), "x\r\ny");  // inside quotes the bytes are the field's
  EXPECT_EQ(t.rows()[1].line, 3);
}

TEST(Csv, ByteOrderMarkIsSkipped) {
  auto t = CsvTable::parse("\xEF\xBB\xBFprimary_label,x\nabc,1\n", "f.csv");
  EXPECT_TRUE(t.hasColumn("primary_label"));
  EXPECT_EQ(t.at(0, "primary_label"), "abc");
}

TEST(Csv, Utf8PassesThroughUntouched) {
  auto t = CsvTable::parse("label,name\n\xC3\xBC\xC3\xB1\xC3\xAF,\"\xE9\xB3\xA5, \xF0\x9F\x90\xA6\"\n", "f.csv");
  EXPECT_EQ(t.at(0, "label"), "üñï");
  EXPECT_EQ(t.at(0, "name"), "鳥, 🐦");
}

TEST(Csv, WrongFieldCountNamesFileAndLine) {
  EXPECT_EQ(errorOf("a,b,c\n1,2,3\n4,5\n"), "train.csv:3: expected 3 fields, found 2");
  EXPECT_EQ(errorOf("a,b\n1,2\n3,4,5\n"), "train.csv:3: expected 2 fields, found 3");
  try {
    CsvTable::parse("a,b\n1,2,3\n", "x.csv");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.code(), ExitCode::BadInput);
  }
}

TEST(Csv, WrongFieldCountRowsCanBeSetAsideByLine) {
  const auto t = CsvTable::parse("a,b\n1,2\n3,4,5\n6\n7,8\n", "train.csv", BadRows::SetAside);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.rows()[1].fields, (std::vector<std::string>{"7", "8"}));
  EXPECT_EQ(t.rows()[1].line, 5);
  ASSERT_EQ(t.rejected().size(), 2u);
  EXPECT_EQ(t.rejected()[0].line, 3);
  EXPECT_EQ(t.rejected()[0].reason, "expected 2 fields, found 3");
  EXPECT_EQ(t.rejected()[1].line, 4);
}

TEST(Csv, UnclosedQuoteNamesTheRowWhereItOpened) {
  EXPECT_EQ(errorOf("a,b\n1,2\n3,\"open\n4,5\n"), "train.csv:3: unclosed quote");
}

TEST(Csv, BlankLinesAndMissingFinalNewlineAreFine) {
  auto t = CsvTable::parse("a,b\n\n1,2\n\n3,4", "f.csv");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.rows()[1].line, 5);
  EXPECT_EQ(t.at(1, "b"), "4");
}

TEST(Csv, MissingColumnNamesFile) {
  auto t = CsvTable::parse("a,b\n1,2\n", "train.csv");
  EXPECT_THROW(t.column("filename"), InputError);
  EXPECT_EQ(errorOf(""), "train.csv:1: empty file: no header row");
}

TEST(Csv, ReadNamesAMissingFile) {
  try {
    CsvTable::read(testing::scratchDir() / "absent.csv");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("absent.csv"), std::string::npos);
  }
}

TEST(Csv, WrittenFieldsReadBackIdentically) {
  const std::vector<std::string> fields = {"plain", "with, comma", "with \"quote\"", "two\nlines", "", "üñï", "['a', 'b']"};
  std::ostringstream out;
  writeCsvRow(out, fields);
  writeCsvRow(out, fields);
  EXPECT_EQ(csvField("a,b"), "\"a,b\"");
  EXPECT_EQ(csvField("plain"), "plain");
  auto t = CsvTable::parse(out.str(), "round.csv");
  EXPECT_EQ(t.header(), fields);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t.rows()[0].fields, fields);
}

}  // namespace
}  // namespace chorus::meta
