// The Kaggle tables row by row: parsed rows, rows set aside (with their lines), duplicates,
// the species order, and the cleaning rules, on small hand-written files in a scratch folder.
#include "meta/kaggle_tables.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "meta/cleaning.hpp"
#include "meta/species.hpp"
#include "test_util.hpp"

namespace chorus::meta {
namespace {

namespace fs = std::filesystem;

fs::path write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

std::vector<long> lines(const std::vector<RowIssue>& issues) {
  std::vector<long> out;
  for (const auto& i : issues) out.push_back(i.line);
  return out;
}

const char* kTrainHeader = "primary_label,secondary_labels,type,filename,collection,rating,common_name\n";

TEST(TrainTable, ParsesRowsAndSetsAsideTheOnesThatDoNotParse) {
  const auto dir = testing::scratchDir();
  const auto file = write(dir / "train.csv", std::string(kTrainHeader) +
                                                 "amakin1,\"['1139490', 'grekis']\",\"['song']\",amakin1/XC1.ogg,XC,4.5,\"Kingfisher, Amazon\"\n"
                                                 "1139490,[],[],1139490/iNat2.ogg,iNat,0,\"Frog \"\"big\"\"\"\n"
                                                 "grekis,\"['a'\",[],grekis/XC3.ogg,XC,3,x\n"       // line 4: bad list
                                                 ",[],[],x/XC4.ogg,XC,3,x\n"                        // line 5: no label
                                                 "47158son16,\"[\"\"it's\"\"]\",[],s/a.ogg,XC,3,\"two\nlines\"\n"
                                                 "grekis,[],[],grekis/XC9.ogg,XC,3,x\n");  // line 8
  const TrainTable t = readTrainTable(file);
  ASSERT_EQ(t.clips.size(), 4u);
  EXPECT_EQ(t.clips[0].primaryLabel, "amakin1");
  EXPECT_EQ(t.clips[0].secondaryLabels, (std::vector<std::string>{"1139490", "grekis"}));
  EXPECT_EQ(t.clips[0].filename, "amakin1/XC1.ogg");
  EXPECT_EQ(t.clips[0].fields[6], "Kingfisher, Amazon");
  EXPECT_EQ(t.clips[1].secondaryLabels.size(), 0u);
  EXPECT_EQ(t.clips[2].secondaryLabels, std::vector<std::string>{"it's"});
  EXPECT_EQ(t.clips[3].line, 8);
  ASSERT_EQ(lines(t.unparsed), (std::vector<long>{4, 5}));
  EXPECT_EQ(t.unparsed[0].kind, "parse_error");
  EXPECT_NE(t.unparsed[0].reason.find("bad list literal"), std::string::npos);
  EXPECT_EQ(t.unparsed[0].file, file.string());
  EXPECT_EQ(t.unparsed[1].reason, "empty primary_label");
}

TEST(TrainTable, MissingRequiredColumnIsAnInputError) {
  const auto file = write(testing::scratchDir() / "train.csv", "primary_label,filename\na,a/1.ogg\n");
  EXPECT_THROW(readTrainTable(file), InputError);
}

TEST(SoundscapeLabels, ExactDuplicatesDroppedAndCountedBadRowsSetAside) {
  const auto file = write(testing::scratchDir() / "labels.csv",
                          "filename,start,end,primary_label\n"
                          "S1.ogg,00:00:00,00:00:05,a;1139490\n"
                          "S1.ogg,00:00:00,00:00:05,a;1139490\n"   // 3: exact duplicate of 2
                          "S1.ogg,00:00:00,00:00:05,1139490;a\n"   // 4: same window, other order: not exact
                          "S1.ogg,00:00:05,00:00:10, b ; c ;\n"
                          "S2.ogg,00:00:5,00:00:10,a\n"            // 6: bad time
                          "S2.ogg,00:00:10,00:00:05,a\n"           // 7: end before start
                          "S2.ogg,00:00:10,00:00:15,\n"            // 8: no label
                          "S1.ogg,00:00:00,00:00:05,a;1139490\n"   // 9: exact duplicate of 2
                          "S2.ogg,00:00:55,00:01:00,47158son16\n");
  const SoundscapeLabels s = readSoundscapeLabels(file);
  ASSERT_EQ(s.windows.size(), 4u);
  EXPECT_EQ(s.windows[0].labels, (std::vector<std::string>{"a", "1139490"}));
  EXPECT_EQ(s.windows[2].labels, (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(s.windows[2].startSeconds, 5.0);
  EXPECT_EQ(s.windows[2].endSeconds, 10.0);
  EXPECT_EQ(s.windows[3].start, "00:00:55");
  EXPECT_EQ(s.windows[3].endSeconds, 60.0);
  EXPECT_EQ(lines(s.duplicates), (std::vector<long>{3, 9}));
  EXPECT_EQ(s.duplicates[1].reason, "exact duplicate of line 2");
  EXPECT_EQ(lines(s.unparsed), (std::vector<long>{6, 7, 8}));
  EXPECT_NE(s.unparsed[0].reason.find("bad time \"00:00:5\""), std::string::npos);
}

TEST(SpeciesTables, SubmissionColumnsGiveTheOrderAndMustBeUnique) {
  const auto dir = testing::scratchDir();
  EXPECT_EQ(readSubmissionClasses(write(dir / "s.csv", "row_id,grekis,1139490,47158son16,amakin1\r\nx_5,0,0,0,0\r\n")),
            (std::vector<std::string>{"grekis", "1139490", "47158son16", "amakin1"}));
  EXPECT_THROW(readSubmissionClasses(write(dir / "d.csv", "row_id,a,b,a\n")), InputError);
  EXPECT_THROW(readSubmissionClasses(write(dir / "r.csv", "a,b\n")), InputError);
  EXPECT_THROW(readSubmissionClasses(write(dir / "e.csv", "row_id\n")), InputError);
}

TEST(SpeciesTables, TaxonomyKeepsTheFirstOfARepeatedLabel) {
  const auto file = write(testing::scratchDir() / "taxonomy.csv",
                          "primary_label,inat_taxon_id,scientific_name,common_name,class_name\n"
                          "amakin1,1,Chloroceryle amazona,\"Kingfisher, Amazon\",Aves\n"
                          "amakin1,2,Other,Other,Aves\n"
                          "47158son16,47158,Insecta sp.,Son 16,Insecta\n");
  const Taxonomy t = readTaxonomy(file);
  ASSERT_EQ(t.taxa.size(), 2u);
  EXPECT_EQ(t.find("amakin1")->commonName, "Kingfisher, Amazon");
  EXPECT_EQ(t.find("amakin1")->inatTaxonId, "1");
  EXPECT_EQ(t.find("47158son16")->className, "Insecta");
  EXPECT_EQ(t.find("nope"), nullptr);
  ASSERT_EQ(t.issues.size(), 1u);
  EXPECT_EQ(t.issues[0].line, 3);
  EXPECT_EQ(t.issues[0].kind, "duplicate");
}

Taxonomy taxonomyOf(const std::vector<std::string>& labels) {
  Taxonomy t;
  for (const auto& l : labels) {
    t.index.emplace(l, t.taxa.size());
    Taxon taxon;
    taxon.label = l;
    t.taxa.push_back(taxon);
  }
  return t;
}

TEST(Cleaning, TrainRowsDroppedForDuplicatesUnknownLabelsAndMissingAudio) {
  const auto dir = testing::scratchDir();
  for (const char* f : {"a/1.ogg", "a/2.ogg", "b/3.ogg", "z/4.ogg"}) write(dir / "train_audio" / f, "OggS");
  const auto file = write(dir / "train.csv", std::string(kTrainHeader) +
                                                 "a,\"['b', 'zz']\",[],a/1.ogg,XC,1,x\n"  // 2 kept, 'zz' removed
                                                 "a,\"['b', 'zz']\",[],a/1.ogg,XC,1,x\n"  // 3 exact duplicate of 2
                                                 "b,[],[],a/1.ogg,XC,5,y\n"              // 4 same audio as 2
                                                 "z,[],[],z/4.ogg,XC,1,x\n"              // 5 unknown label
                                                 "b,[],[],b/gone.ogg,XC,1,x\n"           // 6 missing audio
                                                 "b,['a'],[],b/3.ogg,XC,1,x\n"           // 7 kept, unchanged
                                                 "a,[],[],/etc/passwd,XC,1,x\n"          // 8 outside train_audio
                                                 "a,[],[],a/2.ogg,XC,1,x\n");            // 9 kept
  TrainTable t = readTrainTable(file);
  const Cleaned c = cleanTrainClips(t, taxonomyOf({"a", "b"}), dir / "train_audio");
  EXPECT_EQ(c.kept, (std::vector<std::size_t>{0, 5, 7}));
  ASSERT_EQ(lines(c.dropped), (std::vector<long>{3, 4, 5, 6, 8}));
  EXPECT_EQ(c.dropped[0].kind, "duplicate");
  EXPECT_EQ(c.dropped[0].reason, "exact duplicate of line 2");
  EXPECT_EQ(c.dropped[1].kind, "duplicate");
  EXPECT_EQ(c.dropped[1].reason, "same audio file a/1.ogg as line 2");
  EXPECT_EQ(c.dropped[2].kind, "unknown_label");
  EXPECT_EQ(c.dropped[3].kind, "missing_audio");
  EXPECT_NE(c.dropped[3].reason.find("b/gone.ogg"), std::string::npos);
  EXPECT_EQ(c.dropped[4].kind, "missing_audio");
  ASSERT_EQ(lines(c.changed), std::vector<long>{2});
  EXPECT_EQ(c.changed[0].kind, "unknown_secondary_label");
  EXPECT_EQ(t.clips[0].secondaryLabels, std::vector<std::string>{"b"});
  EXPECT_EQ(t.clips[0].fields[t.secondaryColumn], "['b']");
  EXPECT_EQ(t.clips[5].fields[t.secondaryColumn], "['a']");  // untouched rows keep their text
}

TEST(Cleaning, SoundscapeWindowsLoseUnknownLabelsOrAreDropped) {
  const auto dir = testing::scratchDir();
  write(dir / "train_soundscapes" / "S1.ogg", "OggS");
  const auto file = write(dir / "labels.csv",
                          "filename,start,end,primary_label\n"
                          "S1.ogg,00:00:00,00:00:05,a;zz\n"  // 2 kept as 'a'
                          "S1.ogg,00:00:05,00:00:10,zz\n"    // 3 no known label left
                          "S9.ogg,00:00:00,00:00:05,a\n"     // 4 missing soundscape
                          "S1.ogg,00:00:10,00:00:15,b;a\n");
  SoundscapeLabels s = readSoundscapeLabels(file);
  const Cleaned c = cleanSoundscapeWindows(s, taxonomyOf({"a", "b"}), dir / "train_soundscapes");
  EXPECT_EQ(c.kept, (std::vector<std::size_t>{0, 3}));
  EXPECT_EQ(s.windows[0].labels, std::vector<std::string>{"a"});
  ASSERT_EQ(lines(c.dropped), (std::vector<long>{3, 4}));
  EXPECT_EQ(c.dropped[0].kind, "unknown_label");
  EXPECT_EQ(c.dropped[1].kind, "missing_audio");
  EXPECT_EQ(lines(c.changed), std::vector<long>{2});
}

TEST(Species, CountsFollowSubmissionOrderAndCountEachRowOnce) {
  std::vector<TrainClip> clips = {{2, {}, "b", "1", {"a", "a", "c"}}, {3, {}, "b", "2", {}}, {4, {}, "x", "3", {"b"}}};
  std::vector<SoundscapeWindow> windows(2);
  windows[0].labels = {"c", "a"};
  windows[1].labels = {"c"};
  std::vector<const TrainClip*> clipPtrs = {&clips[0], &clips[1], &clips[2]};
  std::vector<const SoundscapeWindow*> windowPtrs = {&windows[0], &windows[1]};
  Taxonomy tax = taxonomyOf({"a", "b"});
  const auto species = countSpecies({"c", "b", "a"}, tax, clipPtrs, windowPtrs);
  ASSERT_EQ(species.size(), 3u);
  EXPECT_EQ(species[0].label, "c");
  EXPECT_EQ(species[0].taxon, nullptr);
  EXPECT_EQ(species[1].index, 1u);
  EXPECT_EQ(species[1].trainClips, 2u);
  EXPECT_EQ(species[1].secondaryClips, 1u);
  EXPECT_EQ(species[2].secondaryClips, 1u);  // listed twice in one row: one clip
  EXPECT_EQ(species[0].soundscapeWindows, 2u);
  EXPECT_EQ(species[2].soundscapeWindows, 1u);

  std::ostringstream out;
  writeSpeciesCsv(out, {species[2]});
  EXPECT_EQ(out.str(),
            "index,primary_label,inat_taxon_id,scientific_name,common_name,class_name,train_clips,secondary_clips,"
            "soundscape_windows\n2,a,,,,,0,1,1\n");
}

}  // namespace
}  // namespace chorus::meta
