// The distillation term's options as a plain struct (no torch), so that the trainer's options and
// the CLI can carry them: `chorus train --distil STORE --distil-weight w --distil-temperature T`.
#pragma once

namespace chorus::model {

struct DistillOptions {
  double weight = 1.0;           // w: total = supervised + w * (soft + embeddingWeight * cosine)
  double temperature = 2.0;      // T of the soft targets (Hinton et al.: the term is scaled by T^2)
  double embeddingWeight = 1.0;  // the cosine term's weight, where the teacher store has embeddings
  void validate() const;         // UsageError naming the bad value
};

}  // namespace chorus::model
