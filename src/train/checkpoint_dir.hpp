// A training checkpoint: one directory per saved epoch under the job's folder
//   models/<backbone>-f<k>/epoch-NNNN/  weights.pt (torch.save-compatible state dict: the kept
//                                       weights, the moving average's with --ema-decay, whose
//                                       training weights are then train_weights.pt),
//                                       optimizer.pt (AdamW moments and steps), rng.pt (torch
//                                       generator states), state.json (epoch, step, scores,
//                                       metrics rows, feature parameters + normalisation, the
//                                       resolved config, the sampler seed)
//   models/<backbone>-f<k>/last.json, best.json   {"dir": "epoch-NNNN"}
// A directory is written under a temporary name and renamed whole; the pointers are rewritten
// atomically afterwards, best.json before last.json (last.json is the job's marker: what a rerun
// resumes from, and finished when it says so), so a kill at any moment leaves last.json naming a
// complete checkpoint. Directories that neither a pointer nor the state's best epoch names are removed.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "train/checkpoint_state.hpp"
#include "train/metrics_log.hpp"

namespace chorus::train {

// Saves a checkpoint of `state` and points `pointers` ("last", "best") at it. `extra`, when given,
// writes more files into the checkpoint folder before it is published (the distillation head).
void saveCheckpoint(const std::filesystem::path& jobDir, const std::vector<std::string>& pointers,
                    const TrainState& state, const torch::nn::Module& model, const torch::optim::Optimizer& optimizer,
                    const std::function<void(const std::filesystem::path&)>& extra = {});

// Points best.json at the state's best epoch when it names another folder or none (a kill between
// the pointers); true when it had to. InputError when that epoch's folder is missing.
bool repairBestPointer(const std::filesystem::path& jobDir, const TrainState& state);

// Weights (strict), optimizer state and the torch generator states of a checkpoint. With a weight
// average (--ema-decay), weights.pt is the average's and the training weights are train_weights.pt.
void loadCheckpoint(const std::filesystem::path& dir, torch::nn::Module& model, torch::optim::Optimizer& optimizer,
                    torch::nn::Module* average = nullptr);

}  // namespace chorus::train
