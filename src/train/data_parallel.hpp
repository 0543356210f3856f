// The torch side of data-parallel training over a dist::Communicator: the group root's weights and
// buffers to every rank, gradients averaged in flat buckets of about 25 MB (one collective per
// bucket instead of one per tensor: a ConvNeXt has ~150 parameter tensors), batch-norm running
// statistics averaged, and a check that the ranks really hold the same model.
//
// Batch norm: each rank normalises with its own batch's statistics (PyTorch DDP without
// SyncBatchNorm); the running statistics, which evaluation and checkpoints use, are averaged over
// the group at the end of every epoch, so every rank evaluates and saves the same model. Training
// with B per rank then differs from one rank with B x ranks only through the batch statistics;
// models without batch norm (ConvNeXt: LayerNorm) match exactly up to float summation order.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "dist/communicator.hpp"

namespace chorus::train {

class DataParallel {
 public:
  // host: collectives on CPU memory (metrics, flags); device: those on the model's device (the
  // same communicator on CPU; NCCL on CUDA). Both span the same group and outlive this object.
  DataParallel(dist::Communicator& host, dist::Communicator& device, size_t bucketBytes = size_t(25) << 20);

  int rank() const { return host_.rank(); }
  int size() const { return host_.size(); }
  bool isRoot() const { return host_.isRoot(); }

  // Parameters and buffers of the group root on every rank.
  void broadcastFromRoot(torch::nn::Module& model);
  // After backward: every gradient replaced by its mean over the group (missing ones as zeros).
  void averageGradients(const std::vector<torch::Tensor>& params);
  // Floating-point buffers (batch-norm running mean and variance) replaced by their group mean.
  void averageBuffers(torch::nn::Module& model);
  // The element-wise sum over the group of a CPU float (or double) tensor, in place (sharded results gathered
  // by zero-filling the rows a rank did not compute).
  void sumOnHost(torch::Tensor& cpuFloat);
  // True on every rank when it is true on any (a stop signal seen by one rank stops the group).
  bool anyRank(bool mine);
  // A digest of the parameters and buffers, the same on every rank, or chorus::Error naming the
  // ranks that differ from the root (ranks that drift apart would silently train different models).
  uint64_t requireSameModel(torch::nn::Module& model);
  // Seconds spent in averageGradients so far (flattening, the all-reduce, waiting for slower ranks).
  double gradientSeconds() const { return gradientSeconds_; }

 private:
  enum class Op { Mean, Broadcast };
  void inBuckets(const std::vector<torch::Tensor>& tensors, Op op);

  dist::Communicator& host_;
  dist::Communicator& device_;
  size_t bucketBytes_;
  double gradientSeconds_ = 0;
};

}  // namespace chorus::train
