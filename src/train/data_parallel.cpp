#include "train/data_parallel.hpp"

#ifdef CHORUS_WITH_CUDA
#include <c10/cuda/CUDAStream.h>
#endif

#include <chrono>

#include "core/error.hpp"
#include "core/log.hpp"

namespace chorus::train {
namespace {

dist::DType dtypeOf(const torch::Tensor& t) {
  switch (t.scalar_type()) {
    case torch::kFloat: return dist::DType::Float32;
    case torch::kDouble: return dist::DType::Float64;
    case torch::kLong: return dist::DType::Int64;
    default: throw Error(std::string("data-parallel: no collective for tensors of type ") + c10::toString(t.scalar_type()));
  }
}

// The stream the tensor's producers ran on (NCCL waits for it); nullptr on CPU.
void* streamOf(const torch::Tensor& t) {
#ifdef CHORUS_WITH_CUDA
  if (t.is_cuda()) return c10::cuda::getCurrentCUDAStream(t.device().index()).stream();
#endif
  (void)t;
  return nullptr;
}

// FNV-1a over bytes, chained.
uint64_t fnv(uint64_t h, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  return h;
}

}  // namespace

DataParallel::DataParallel(dist::Communicator& host, dist::Communicator& device, size_t bucketBytes)
    : host_(host), device_(device), bucketBytes_(bucketBytes) {
  if (host.size() != device.size() || host.rank() != device.rank())
    throw Error("data-parallel: the host and device communicators span different groups");
}

void DataParallel::inBuckets(const std::vector<torch::Tensor>& tensors, Op op) {
  if (size() == 1) return;
  torch::NoGradGuard noGrad;
  dist::Communicator& comm = tensors.empty() || !tensors.front().is_cuda() ? host_ : device_;
  size_t i = 0;
  while (i < tensors.size()) {
    // A bucket: consecutive tensors of one dtype and device, up to bucketBytes_ (at least one).
    std::vector<torch::Tensor> bucket = {tensors[i]};
    size_t bytes = size_t(tensors[i].nbytes());
    size_t j = i + 1;
    for (; j < tensors.size() && bytes + size_t(tensors[j].nbytes()) <= bucketBytes_ &&
           tensors[j].scalar_type() == tensors[i].scalar_type() && tensors[j].device() == tensors[i].device();
         ++j) {
      bucket.push_back(tensors[j]);
      bytes += size_t(tensors[j].nbytes());
    }
    std::vector<torch::Tensor> flat;
    for (const auto& t : bucket) flat.push_back(t.reshape({-1}));
    torch::Tensor buffer = torch::cat(flat).contiguous();
    const dist::DType dtype = dtypeOf(buffer);
    if (op == Op::Mean) comm.allReduceMean(buffer.data_ptr(), size_t(buffer.numel()), dtype, streamOf(buffer));
    else comm.broadcast(buffer.data_ptr(), size_t(buffer.numel()), dtype, 0, streamOf(buffer));
    int64_t at = 0;
    for (auto& t : bucket) {
      t.copy_(buffer.narrow(0, at, t.numel()).view(t.sizes()));
      at += t.numel();
    }
    i = j;
  }
}

void DataParallel::broadcastFromRoot(torch::nn::Module& model) {
  std::vector<torch::Tensor> all;
  for (const auto& p : model.parameters()) all.push_back(p);
  for (const auto& b : model.buffers()) all.push_back(b);
  inBuckets(all, Op::Broadcast);
}

void DataParallel::averageGradients(const std::vector<torch::Tensor>& params) {
  if (size() == 1) return;
  const auto started = std::chrono::steady_clock::now();
  std::vector<torch::Tensor> grads;
  for (const auto& p : params) {
    if (!p.requires_grad()) continue;
    // A parameter this batch did not reach: zeros, so that every rank sends the same layout.
    if (!p.grad().defined()) const_cast<torch::Tensor&>(p).mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  inBuckets(grads, Op::Mean);
  gradientSeconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

void DataParallel::averageBuffers(torch::nn::Module& model) {
  std::vector<torch::Tensor> floating;
  for (const auto& b : model.buffers())
    if (b.is_floating_point()) floating.push_back(b);
  inBuckets(floating, Op::Mean);
}

void DataParallel::sumOnHost(torch::Tensor& cpuFloat) {
  if (size() == 1) return;
  const bool isDouble = cpuFloat.scalar_type() == torch::kDouble;
  if (cpuFloat.is_cuda() || (!isDouble && cpuFloat.scalar_type() != torch::kFloat) || !cpuFloat.is_contiguous())
    throw Error("data-parallel: sumOnHost needs a contiguous CPU float or double tensor");
  host_.allReduceSum(cpuFloat.data_ptr(), size_t(cpuFloat.numel()), isDouble ? dist::DType::Float64 : dist::DType::Float32);
}

bool DataParallel::anyRank(bool mine) {
  int64_t n = mine ? 1 : 0;
  host_.allReduceSum(&n, 1, dist::DType::Int64);
  return n > 0;
}

uint64_t DataParallel::requireSameModel(torch::nn::Module& model) {
  uint64_t h = 1469598103934665603ull;
  for (const auto& p : model.parameters()) {
    torch::Tensor c = p.detach().cpu().contiguous();
    h = fnv(h, c.data_ptr(), size_t(c.nbytes()));
  }
  for (const auto& b : model.buffers()) {
    torch::Tensor c = b.detach().cpu().contiguous();
    h = fnv(h, c.data_ptr(), size_t(c.nbytes()));
  }
  if (size() == 1) return h;
  // The root's digest to all; each rank counts itself if it differs; the count to all.
  int64_t root = int64_t(h);
  host_.broadcast(&root, 1, dist::DType::Int64, 0);
  int64_t differ = uint64_t(root) != h ? 1 : 0, mine = differ;
  host_.allReduceSum(&differ, 1, dist::DType::Int64);
  if (differ > 0)
    throw Error("data-parallel: " + std::to_string(differ) + " rank(s) of the group hold other weights than the root" +
                (mine ? " (this one, rank " + std::to_string(log::rank()) + ", among them)" : std::string()));
  return h;
}

}  // namespace chorus::train
