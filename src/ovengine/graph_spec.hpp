// Which model an OpenVINO graph is (graph.hpp builds it, runtime.hpp saves and runs it).
#pragma once
#include <cstdint>
#include <string>

namespace chorus::openvino {

struct GraphSpec {
  std::string backbone;  // a native backbone (model/options.hpp): efficientnet_b0 | efficientnetv2_b0 | ...
  std::string head;      // sed | pooled
  int64_t numClasses = 0;
  int64_t inChannels = 1;
};

// The backbones and heads buildGraph knows.
bool supportsGraph(const std::string& backbone, const std::string& head);

}  // namespace chorus::openvino
