// chorus train --data DIR --work WORK [--config FILE] [--job BACKBONE/FOLD] [--resume] [--epochs N] ...
// The command line of train::runTrain; also read from the [train] section of --config.
#include <map>
#include <memory>

#include "cli/commands.hpp"
#include "core/log.hpp"
#include "dist/mpi_context.hpp"
#include "train/train.hpp"

namespace chorus::cli {
namespace {

// What to train and where, and whether to continue.
void addJobOptions(CLI::App* app, const std::shared_ptr<train::TrainOptions>& o) {
  app->add_option("--data", o->data, "Dataset root in the Kaggle layout")->required();
  app->add_option("--work", o->work, "Work folder: meta/ and features/ are read, models/ written")->required();
  app->add_option("--job", o->job, "One job, BACKBONE/FOLD (e.g. efficientnet_b0/0)");
  app->add_flag("--resume", o->resume,
                "Continue each job from its last checkpoint (models/<job>/last.json): weights, optimizer, schedule,\n"
                "RNG and the epoch's place, bit-exact on CPU; refused, naming each difference, when the options\n"
                "differ from the checkpoint's. Needed with --job when the job has an unfinished run; without --job,\n"
                "unfinished jobs are continued and finished ones skipped either way");
  app->add_option("--backbones", o->backbones,
                  "Backbones trained without --job: efficientnet_b0, efficientnetv2_b0, convnext_atto (learns only with "
                  "pretrained weights or long runs), efficientnet_b3, efficientnetv2_s, eca_nfnet_l0, torchscript:PATH")
      ->capture_default_str();
  app->add_option("--folds", o->folds, "Fold ids trained without --job (of prep's --n-folds: 0 .. n-1)")->capture_default_str();
  app->add_option("--epochs", o->epochs, "Epochs per job")->capture_default_str();
  app->add_option("--stop-after", o->stopAfter, "Stop after this many epochs in this run (0: run to the end)")
      ->capture_default_str();
}

// Steps, learning rate and its schedule, stopping.
void addScheduleOptions(CLI::App* app, const std::shared_ptr<train::TrainOptions>& o) {
  app->add_option("--batch-size", o->batchSize, "Training clips per step per rank")->capture_default_str();
  app->add_option("--eval-batch-size", o->evalBatchSize, "Windows per forward call when scoring the held-out fold")->capture_default_str();
  app->add_option("--max-steps-per-epoch", o->maxStepsPerEpoch, "Cap on steps per epoch (0: none)")->capture_default_str();
  app->add_option("--lr", o->lr, "Peak learning rate (head and last block)")->capture_default_str();
  app->add_option("--min-lr", o->minLr, "Floor of the cosine decay")->capture_default_str();
  app->add_option("--warmup-epochs", o->warmupEpochs, "Linear warmup length")->capture_default_str();
  app->add_option("--weight-decay", o->weightDecay, "AdamW decoupled weight decay (not on norms and biases)")->capture_default_str();
  app->add_option("--layer-decay", o->layerDecay,
                  "Layer-wise LR decay (LLRD): lr scale = layer_decay^(blocks - layer), the stem smallest; 1: off. "
                  "auto (the default): 0.75 when the backbone starts from --backbone-weights (on a --resume: when "
                  "the checkpoint records them), else 1; a number wins")
      ->capture_default_str();
  app->add_option("--grad-clip", o->gradClip, "Max gradient norm (0: off)")->capture_default_str();
  app->add_option("--ema-decay", o->emaDecay,
                  "Exponential moving average of the weights, D in [0, 1) (0: off): after every step\n"
                  "avg = D * avg + (1 - D) * weights, from the initial weights on. The average is what each epoch\n"
                  "evaluates and what the checkpoints keep (weights.pt, model.safetensors; the training weights in\n"
                  "train_weights.pt, for --resume). BatchNorm running statistics are averaged like the weights\n"
                  "(timm's ModelEmaV2 rule: the statistics then belong to the averaged weights, not to the last\n"
                  "steps' ones), integer counters copied. It needs many more steps than 1 / (1 - D)")
      ->capture_default_str();
  app->add_option("--patience", o->patience, "Early stopping after this many epochs without improvement (0: off)")
      ->capture_default_str();
}

// The loss, the backbone's start and the head.
void addModelOptions(CLI::App* app, const std::shared_ptr<train::TrainOptions>& o, const std::shared_ptr<std::string>& loss) {
  app->add_option("--loss", *loss, "asl (AsymmetricLoss) or bce")->check(CLI::IsMember({"asl", "bce"}))->capture_default_str();
  app->add_option("--gamma-neg", o->loss.gammaNeg, "AsymmetricLoss focusing of negatives")->capture_default_str();
  app->add_option("--gamma-pos", o->loss.gammaPos, "AsymmetricLoss focusing of positives")->capture_default_str();
  app->add_option("--asl-clip", o->loss.clip, "AsymmetricLoss probability margin of negatives (0: off)")->capture_default_str();
  app->add_option("--backbone-weights", o->backboneWeights,
                  "Pretrained weights the backbone starts from: a .safetensors file (timm, the Hugging Face hub), a "
                  "torch.save'd state dict (.pth/.bin; under state_dict/model, module. stripped), a hub cache folder "
                  "models--timm--NAME/ or its snapshot, or a chorus model's epoch-NNNN/model.safetensors. timm's "
                  "names (tf_efficientnet_b0, tf_efficientnetv2_b0, convnext_atto, tf_efficientnet_b3, tf_efficientnetv2_s, "
                  "eca_nfnet_l0); a 3-channel stem is summed to 1 "
                  "channel (timm's rule), classifier/head tensors skipped, anything else that does not fit refused by "
                  "name. One PATH for one backbone, else BACKBONE=PATH each. File and sha256 are recorded in the "
                  "checkpoints; --layer-decay auto then means 0.75");
  app->add_option("--head", o->model.head, "sed (attention over time), pooled (average over frequency and time, one linear layer), or none (a whole TorchScript model)")
      ->check(CLI::IsMember({"sed", "pooled", "none"}))->capture_default_str();
  app->add_option("--drop-rate", o->model.dropRate, "Head dropout")->capture_default_str();
  app->add_option("--drop-path-rate", o->model.dropPathRate, "Stochastic depth of the last block (linear over blocks)")
      ->capture_default_str();
  app->add_option("--layer-scale-init", o->model.layerScaleInit, "ConvNeXt: initial layer scale of every block")
      ->capture_default_str();
  app->add_option("--secondary-target", o->secondaryTarget, "Target value of secondary labels")->capture_default_str();
}

// What each step sees: augmentations, crops, oversampling.
void addDataOptions(CLI::App* app, const std::shared_ptr<train::TrainOptions>& o) {
  app->add_flag("--augment,!--no-augment", o->augment,
                "Master switch of the training augmentations below (default on; --no-augment: every one off, "
                "crops only)");
  o->augmentations.addTo(*app);
  o->crop.addTo(*app);
  app->add_option("--rare-repeats", o->rareRepeats,
                  "Oversampling: each clip of a rare species (meta/rare_species.csv) appears this many times per "
                  "epoch (1: off)")
      ->capture_default_str();
}

// Pseudo-labels (noisy student) and distillation from a teacher store.
void addTeacherOptions(CLI::App* app, const std::shared_ptr<train::TrainOptions>& o) {
  // Noisy student (chorus pseudo's output); the jobs become round n: models/<backbone>-f<k>-r<n>/.
  app->add_option("--pseudo", o->pseudo.dir,
                  "Pseudo-label folder WORK/pseudo/r<n>: its windows join training with soft targets")
      ->check(CLI::ExistingDirectory);
  app->add_option("--pseudo-p", o->pseudo.p, "Each epoch uses this share of the pseudo-labelled windows (fresh draw)")
      ->capture_default_str();
  app->add_option("--pseudo-noise", o->pseudo.noiseScale,
                  "Pseudo examples' augmentation probabilities = the labelled ones' x this (capped at 1)")
      ->capture_default_str();
  // Distillation from a teacher store (README "Teachers"; train/distil.hpp).
  app->add_option("--distil", o->distil,
                  "Teacher store (HDF5): a distillation term on the training windows it covers, joined by audio "
                  "file and time: train_soundscapes windows (labelled and --pseudo ones) and/or train_audio clips "
                  "(the teacher window containing the crop's centre); tempered binary KL on the classes it has, plus "
                  "a cosine term through a projection head where it has embeddings")
      ->check(CLI::ExistingFile);
  app->add_option("--distil-weight", o->distillation.weight,
                  "w: loss = supervised + w * (soft + e * cosine)")
      ->capture_default_str();
  app->add_option("--distil-temperature", o->distillation.temperature,
                  "T of the soft targets, sigmoid(logit / T), the term scaled by T^2")
      ->capture_default_str();
  app->add_option("--distil-embedding-weight", o->distillation.embeddingWeight,
                  "e: the cosine term's share, where the store has embeddings")
      ->capture_default_str();
}

// Seed, threads, device and the distributed run.
void addSystemOptions(CLI::App* app, const std::shared_ptr<train::TrainOptions>& o) {
  app->add_option("--seed", o->seed, "Seed of initial weights, sampling, crops and augmentations")->capture_default_str();
  app->add_option("--threads", o->threads, "CPU threads per process (0: every core); CPU results depend on it, so a resume must use the same")->capture_default_str();
  app->add_option("--device", o->device, "cpu, cuda or auto (CUDA when available)")->check(CLI::IsMember({"auto", "cpu", "cuda"}))->capture_default_str();
  // Distributed (dist, owner: train/run_train.cpp): under mpirun/srun the jobs spread over rank groups.
  app->add_option("--jobs-per-gpu", o->jobsPerGpu, "Ranks (jobs) allowed to share one GPU of a node")
      ->capture_default_str();
  addCollectiveTimeout(*app, o->collectiveTimeout);
}

}  // namespace

Command addTrain(CLI::App& parent) {
  auto o = std::make_shared<train::TrainOptions>();
  auto loss = std::make_shared<std::string>("asl");
  CLI::App* app = parent.add_subcommand(
      "train",
      "Train (backbone, fold) models on the feature stores into WORK/models/<backbone>-f<k>/:\n"
      "  epoch-NNNN/ checkpoints (weights, optimizer, RNG, state.json with the feature parameters),\n"
      "  last.json and best.json naming them, metrics.csv per epoch, oof.csv (best epoch's held-out\n"
      "  predictions), report.json (rows that could not be used). Without --job: every backbone x fold,\n"
      "  skipping finished ones and continuing unfinished ones.");
  addJobOptions(app, o);
  addScheduleOptions(app, o);
  addModelOptions(app, o, loss);
  addDataOptions(app, o);
  addTeacherOptions(app, o);
  addSystemOptions(app, o);
  return {app, [app, o, loss] {
            o->loss.kind = model::parseLossKind(*loss);
            o->collectiveTimeout = watchRanks(*app, o->work, o->collectiveTimeout, "train");
            dist::MpiContext mpi;  // one rank without mpirun
            auto results = train::runTrain(*o, mpi);
            for (const auto& r : results)
              CHORUS_LOG(Info) << r.job.name() << ": " << (r.skipped ? "skipped (finished), " : "") << r.epochs
                               << " epochs, best epoch " << r.bestEpoch << ", out-of-fold AUC " << r.bestScore
                               << (r.secondsPerEpoch > 0 ? ", " + std::to_string(r.secondsPerEpoch) + " s/epoch" : "");
            return 0;
          }};
}

}  // namespace chorus::cli
