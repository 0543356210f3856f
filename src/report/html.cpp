#include "report/html.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "core/atomic_file.hpp"

namespace chorus::report {
namespace {

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fixed(double v, int digits = 4) {
  if (v < 0 || !std::isfinite(v)) return "&ndash;";  // -1: not scorable / not there yet
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

// Distinct colours for up to ~10 models (the 10-model ensemble), then they repeat.
const char* colour(size_t i) {
  static const char* palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return palette[i % 10];
}

// One line chart: a polyline per model (class `curve`, data-model = its name) over epochs.
std::string chart(const std::string& id, const std::string& title, const std::vector<ModelRun>& models,
                  const std::function<double(const Epoch&)>& value) {
  const double w = 520, h = 260, left = 50, right = 150, top = 24, bottom = 34;
  int maxEpoch = 1;
  double lo = 1e300, hi = -1e300;
  for (const auto& m : models)
    for (const auto& e : m.epochs) {
      double v = value(e);
      if (v < 0 || !std::isfinite(v)) continue;
      maxEpoch = std::max(maxEpoch, e.epoch);
      lo = std::min(lo, v), hi = std::max(hi, v);
    }
  if (lo > hi) lo = 0, hi = 1;
  if (hi - lo < 1e-9) lo -= 0.5, hi += 0.5;
  auto x = [&](double epoch) { return left + (w - left - right) * (maxEpoch == 1 ? 0.5 : (epoch - 1) / (maxEpoch - 1)); };
  auto y = [&](double v) { return top + (h - top - bottom) * (1 - (v - lo) / (hi - lo)); };
  std::ostringstream s;
  s << "<svg id=\"" << id << "\" width=\"" << w << "\" height=\"" << h << "\" viewBox=\"0 0 " << w << " " << h
    << "\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"" << escape(title) << "\">\n"
    << "<text x=\"" << left << "\" y=\"16\" class=\"title\">" << escape(title) << "</text>\n"
    << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << w - left - right << "\" height=\""
    << h - top - bottom << "\" class=\"frame\"/>\n";
  for (int k = 0; k <= 4; ++k) {  // y ticks
    double v = lo + (hi - lo) * k / 4;
    s << "<text x=\"" << left - 4 << "\" y=\"" << y(v) + 4 << "\" class=\"tick\" text-anchor=\"end\">" << fixed(v, 3)
      << "</text>\n";
  }
  for (int e = 1; e <= maxEpoch; e += std::max(1, maxEpoch / 8))
    s << "<text x=\"" << x(e) << "\" y=\"" << h - bottom + 14 << "\" class=\"tick\" text-anchor=\"middle\">" << e
      << "</text>\n";
  s << "<text x=\"" << (left + w - right) / 2 << "\" y=\"" << h - 4 << "\" class=\"tick\" text-anchor=\"middle\">epoch</text>\n";
  for (size_t i = 0; i < models.size(); ++i) {
    std::ostringstream points;
    for (const auto& e : models[i].epochs) {
      double v = value(e);
      if (v < 0 || !std::isfinite(v)) continue;
      points << x(e.epoch) << "," << y(v) << " ";
    }
    s << "<polyline class=\"curve\" data-model=\"" << escape(models[i].name) << "\" points=\"" << points.str()
      << "\" fill=\"none\" stroke=\"" << colour(i) << "\" stroke-width=\"2\"/>\n"
      << "<text x=\"" << w - right + 8 << "\" y=\"" << top + 12 + 14 * i << "\" class=\"legend\" fill=\"" << colour(i)
      << "\">" << escape(models[i].name) << "</text>\n";
  }
  s << "</svg>\n";
  return s.str();
}

std::string oofTable(const Results& r) {
  std::set<int> folds;
  std::map<std::string, std::map<int, double>> cell;  // backbone -> fold -> best headline
  for (const auto& m : r.models)
    if (m.round == r.round) folds.insert(m.fold), cell[m.backbone][m.fold] = m.bestScore;
  std::ostringstream s;
  s << "<table id=\"oof\"><tr><th>backbone</th>";
  for (int f : folds) s << "<th>fold " << f << "</th>";
  s << "<th>all folds pooled</th></tr>\n";
  for (const auto& [backbone, byFold] : cell) {
    s << "<tr data-backbone=\"" << escape(backbone) << "\"><td>" << escape(backbone) << "</td>";
    for (int f : folds) s << "<td>" << (byFold.count(f) ? fixed(byFold.at(f)) : "&ndash;") << "</td>";
    auto pooled = r.oof.perBackbone.find(backbone);
    s << "<td>" << (pooled == r.oof.perBackbone.end() ? "&ndash;" : fixed(pooled->second)) << "</td></tr>\n";
  }
  s << "<tr id=\"ensemble\"><td><b>ensemble</b></td><td colspan=\"" << folds.size() << "\">"
    << escape(r.oof.reducer.empty() ? std::string("rank") : r.oof.reducer) << " reducer (the submission's) over "
    << cell.size() << " backbone(s), " << r.oof.rows << " " << escape(r.oof.kind) << " rows</td><td><b>"
    << fixed(r.oof.ensemble) << "</b></td></tr>\n</table>\n";
  return s.str();
}

std::string classTable(const Results& r) {
  std::ostringstream s;
  s << "<table id=\"classes\"><tr><th>class</th><th>ensemble AUC</th><th>positive rows</th><th>training clips</th><th></th></tr>\n";
  for (const auto& c : r.oof.classes) {
    const int bar = int(std::lround(std::clamp(c.auc, 0.0, 1.0) * 120));
    s << "<tr><td>" << escape(c.label) << "</td><td>" << fixed(c.auc) << "</td><td>" << c.positives << "</td><td>"
      << c.trainClips << "</td><td><svg width=\"122\" height=\"10\"><rect class=\"bar\" width=\"" << bar
      << "\" height=\"10\"/></svg></td></tr>\n";
  }
  s << "</table>\n";
  return s.str();
}

std::string stageTable(const std::vector<StageTime>& stages) {
  std::ostringstream s;
  double total = 0;
  s << "<table id=\"stages\"><tr><th>stage</th><th>seconds</th><th></th></tr>\n";
  for (const auto& st : stages) {
    total += st.seconds;
    s << "<tr><td>" << escape(st.stage) << "</td><td>" << fixed(st.seconds, 1) << "</td><td>" << escape(st.note)
      << "</td></tr>\n";
  }
  s << "<tr><td><b>total</b></td><td><b>" << fixed(total, 1) << "</b></td><td></td></tr>\n</table>\n";
  return s.str();
}

}  // namespace

std::string reportHtml(const ReportInput& in) {
  const Results& r = in.results;
  std::vector<ModelRun> latest;
  for (const auto& m : r.models) latest.push_back(m);
  std::ostringstream s;
  s << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" << escape(in.title)
    << "</title>\n<style>\n"
       "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
       "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
       ".frame{fill:none;stroke:#999}.tick{font-size:10px;fill:#555}.title{font-size:13px;font-weight:bold}"
       ".legend{font-size:11px}.bar{fill:#4c78a8}.issue{color:#b00}\n</style></head><body>\n"
    << "<h1>" << escape(in.title) << "</h1>\n";
  if (!in.facts.empty()) {
    s << "<table id=\"facts\">";
    for (const auto& [k, v] : in.facts) s << "<tr><th>" << escape(k) << "</th><td>" << escape(v) << "</td></tr>";
    s << "</table>\n";
  }
  s << "<h2>Training curves</h2>\n<p>" << r.models.size() << " model(s); one line per model.</p>\n"
    << chart("train-loss", "training loss per epoch", latest, [](const Epoch& e) { return e.trainLoss; })
    << chart("oof-auc", "out-of-fold AUC per epoch", latest, [](const Epoch& e) { return meta::headlineScore(e); })
    << "<h2>Out-of-fold AUC</h2>\n<p>Best epoch per model (round " << r.round << "); pooled and ensemble over the "
    << escape(r.oof.kind.empty() ? "held-out" : r.oof.kind) << " rows of every fold.</p>\n"
    << oofTable(r) << "<h2>Per-class AUC of the ensemble, worst first</h2>\n" << classTable(r)
    << "<h2>Time per stage</h2>\n" << stageTable(in.stages);
  if (!r.issues.empty()) {
    s << "<h2>Issues</h2><ul>";
    for (const auto& i : r.issues) s << "<li class=\"issue\">" << escape(i) << "</li>";
    s << "</ul>\n";
  }
  s << "</body></html>\n";
  return s.str();
}

void writeReportHtml(const std::filesystem::path& file, const ReportInput& input) {
  writeFileAtomic(file, reportHtml(input));
}

}  // namespace chorus::report
