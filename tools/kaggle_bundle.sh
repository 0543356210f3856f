#!/usr/bin/env bash
# Packs `chorus infer` for Kaggle's offline CPU notebook: one folder that runs with nothing else.
#
#   tools/kaggle_bundle.sh OUT_DIR [MODEL_DIR ...]
#     MODEL_DIR   job folders (WORK/models/<backbone>-f<k>); default: every one under $WORK/models
#     env WORK    the work folder the models come from (default: ./demo-work); its meta/species_list.csv
#                 names the models' classes
#     env CHORUS_LITE_BIN  the torch-free binary (default: build-notorch/chorus, which tools/setup.sh
#                 builds with -DCHORUS_WITH_TORCH=OFF)
#     env IR_WEIGHTS  f16 (default: the IR's weights stored as f16, half the size, computed in f32;
#                 chorus export --format openvino-f16) or f32 (the IR exactly as infer writes it)
#     env CHORUS_BIN  the full binary (default: build/chorus): exports the IR, and is the bundle's
#                 binary when a model cannot run on OpenVINO or there is no torch-free binary
#
# Two kinds of bundle:
#   OpenVINO (every model native: the default): the torch-free binary, OpenVINO's CPU libraries, and
#     per checkpoint state.json + the IR (model.xml/.bin, exported first). No libtorch: ~100 MB
#     instead of 2.6 GB (the README, "Kaggle", has the figure; at most 300 MB, tested).
#   torch (a `torchscript:` model, which has no OpenVINO graph, or no torch-free binary): the full
#     binary with libtorch, per checkpoint weights.pt + state.json, and a TorchScript model's .ts file
#     copied into its checkpoint (state.json then names it relative to the checkpoint, where infer
#     looks first). The script says which and why.
#
# OUT_DIR/bin/chorus       the binary
# OUT_DIR/lib/             every shared library it needs (ldd), except the glibc/loader basics that every
#                          Linux has (libc, libm, libpthread, libdl, librt, ld-linux), and the OpenVINO
#                          plugins it opens at run time; with torch also libtorch and its companions
# OUT_DIR/work/models/<job>/{best,last}.json + the checkpoint folders they name
# OUT_DIR/work/meta/species_list.csv
# OUT_DIR/tools/           teacher_birdnet.py + teacher_store.py: the teacher step of the notebook
# OUT_DIR/run.sh           sets LD_LIBRARY_PATH to lib/ and runs `chorus infer "$@"` with a writable work
#                          folder ($CHORUS_WORK, default /tmp/chorus-work: Kaggle's inputs are read-only)
#                          whose models/ and meta/ link to the bundle's
#
# A teacher in the notebook (README "Teachers"), two steps: first the teacher writes a teacher store
# over the test soundscapes (Perch in the notebook's own Python, or tools/teacher_birdnet.py --set
# test_soundscapes --out /kaggle/working/teacher_test.h5), then
#   run.sh --config kaggle.toml --data ... --out ... --teacher /kaggle/working/teacher_test.h5 --teacher-weight 0.3
# (run.sh passes every argument to chorus infer: the teacher joins the reducer as one more member).
#
# MPI: without mpirun, `chorus infer` never calls MPI_Init (infer/run_infer.cpp), so Open MPI's
# singleton start-up, which forks an `orted` helper found through PATH and needs its plugins, is not
# needed: only libmpi's shared objects must load, and they are in lib/.
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 OUT_DIR [MODEL_DIR ...]" >&2; exit 2; }
OUT=$1; shift
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${CHORUS_BIN:-$ROOT/build/chorus}
WORK=${WORK:-$ROOT/demo-work}
LITE=${CHORUS_LITE_BIN:-$ROOT/build-notorch/chorus}
IR_WEIGHTS=${IR_WEIGHTS:-f16}
case $IR_WEIGHTS in
  f16) IR=model-f16 FORMAT=openvino-f16 ;;
  f32) IR=model FORMAT=openvino ;;
  *) echo "kaggle_bundle: IR_WEIGHTS must be f16 or f32, not $IR_WEIGHTS" >&2; exit 2 ;;
esac
SPECIES=$WORK/meta/species_list.csv
[[ -f $SPECIES ]] || { echo "kaggle_bundle: no $SPECIES (run prep; set WORK)" >&2; exit 2; }
MODELS=("$@")
if [[ ${#MODELS[@]} -eq 0 ]]; then
  for d in "$WORK"/models/*/; do
    [[ -f $d/best.json || -f $d/last.json ]] && MODELS+=("${d%/}")
  done
fi
[[ ${#MODELS[@]} -gt 0 ]] || { echo "kaggle_bundle: no trained model under $WORK/models" >&2; exit 2; }

# The checkpoint folder a job's pointer names ("" when none).
pointed() { sed -n 's/.*"dir": *"\([^"]*\)".*/\1/p' "$1/$2.json" 2>/dev/null; }
# A checkpoint's TorchScript file ("" for a native backbone).
torchscript_of() {
  python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["config"].get("backbone",""); print(b[len("torchscript:"):] if b.startswith("torchscript:") else "")' "$1/state.json"
}

KIND=openvino
for m in "${MODELS[@]}"; do
  for p in best last; do
    dir=$(pointed "$m" $p)
    [[ -n $dir ]] || continue
    ts=$(torchscript_of "$m/$dir")
    if [[ -n $ts ]]; then
      echo "kaggle_bundle: $(basename "$m") is a TorchScript model (torchscript:$ts): it has no OpenVINO graph," \
           "so the bundle falls back to the torch one (libtorch, about 2.6 GB), with its .ts file" >&2
      KIND=torch
      break  # once per model
    fi
  done
done
if [[ $KIND == openvino && ! -x $LITE ]]; then
  echo "kaggle_bundle: no torch-free binary at $LITE (tools/setup.sh builds it; set CHORUS_LITE_BIN):" \
       "the torch bundle instead (about 2.6 GB)" >&2
  KIND=torch
fi
if [[ $KIND == openvino ]]; then
  # The IR of every model, written (or found up to date) beside its checkpoint: by the full binary
  # when there is one (it can also convert a checkpoint without model.safetensors), else the lite one.
  EXPORTER=$BIN; [[ -x $EXPORTER ]] || EXPORTER=$LITE
  "$EXPORTER" export --work "$WORK" --models "${MODELS[@]}" --format "$FORMAT" --log-level warn
  BIN=$LITE
fi
[[ -x $BIN ]] || { echo "kaggle_bundle: no binary at $BIN (set CHORUS_BIN)" >&2; exit 2; }

rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/lib" "$OUT/work/models" "$OUT/work/meta"
cp -L "$BIN" "$OUT/bin/chorus"
cp "$SPECIES" "$OUT/work/meta/"
mkdir -p "$OUT/tools"
cp "$ROOT/tools/teacher_birdnet.py" "$ROOT/tools/teacher_store.py" "$OUT/tools/"

# Libraries: ldd lists the whole closure; copy each resolved file under its soname.
missing=0
while read -r name arrow path _; do
  [[ $arrow == "=>" ]] || continue
  if [[ $path == "not" ]]; then echo "kaggle_bundle: $name not found by ldd" >&2; missing=1; continue; fi
  case $name in
    linux-vdso*|ld-linux*|libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*) continue ;;
  esac
  cp -L "$path" "$OUT/lib/$name"
done < <(ldd "$BIN")
[[ $missing -eq 0 ]] || exit 1
# OpenVINO opens its CPU plugin and its IR reader at run time (dlopen: not in ldd's list), and looks
# for them beside its own library; their other dependencies (TBB, libstdc++) are already copied.
# (awk reads ldd's whole output: leaving early would break ldd's pipe, which under pipefail is a
# silent exit 1 whenever ldd had not finished writing.)
ov=$(ldd "$BIN" | awk '$1 ~ /^libopenvino\.so/ && !found {print $3; found = 1}')
if [[ -n $ov ]]; then
  for lib in "$(dirname "$ov")"/libopenvino_intel_cpu_plugin.so "$(dirname "$ov")"/libopenvino_ir_frontend.so*; do
    cp -L "$lib" "$OUT/lib/"
  done
fi

# Models: the pointers and the checkpoint folders they name, with what the bundle's engine reads:
# state.json and the IR for OpenVINO; state.json, weights.pt (and a TorchScript model's file) for
# torch. Never the optimizer state.
copy_checkpoint() {  # SRC DEST
  mkdir -p "$2"
  if [[ $KIND == openvino ]]; then
    cp -p "$1/state.json" "$2/"
    cp -p "$1/$IR.xml" "$2/model.xml"  # under the name infer reads
    cp -p "$1/$IR.bin" "$2/model.bin"
    return
  fi
  cp -p "$1/weights.pt" "$1/state.json" "$2/"
  local ts; ts=$(torchscript_of "$1")
  if [[ -n $ts ]]; then
    [[ -f $ts ]] || { echo "kaggle_bundle: $1: its TorchScript file $ts is missing (relative paths: to the current folder)" >&2; exit 1; }
    cp -p "$ts" "$2/backbone.ts"
    python3 -c 'import json,sys; f=sys.argv[1]; j=json.load(open(f)); j["config"]["backbone"]="torchscript:backbone.ts"; json.dump(j,open(f,"w"),indent=1)' "$2/state.json"
    touch -r "$1/state.json" "$2/state.json"
  fi
}
for m in "${MODELS[@]}"; do
  job=$(basename "$m")
  mkdir -p "$OUT/work/models/$job"
  for p in best last; do
    [[ -f $m/$p.json ]] || continue
    # infer runs best.json's checkpoint (last.json's without one): the OpenVINO bundle carries that one alone.
    [[ $KIND == openvino && $p == last && -f $m/best.json ]] && continue
    cp "$m/$p.json" "$OUT/work/models/$job/"
    dir=$(pointed "$m" $p)
    if [[ -n $dir && ! -d $OUT/work/models/$job/$dir ]]; then copy_checkpoint "$m/$dir" "$OUT/work/models/$job/$dir"; fi
  done
done

cat > "$OUT/run.sh" <<'RUN'
#!/usr/bin/env bash
# Kaggle mode: chorus infer on this bundle's models; pass --data DIR --out submission.csv [...]
# (and --teacher STORE --teacher-weight w for a teacher store written by an earlier notebook cell).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LD_LIBRARY_PATH="$HERE/lib"
WORK=${CHORUS_WORK:-/tmp/chorus-work}
mkdir -p "$WORK"
ln -sfn "$HERE/work/models" "$WORK/models"
ln -sfn "$HERE/work/meta" "$WORK/meta"
exec "$HERE/bin/chorus" infer --work "$WORK" "$@"
RUN
chmod +x "$OUT/run.sh"
echo "kaggle_bundle: $OUT: $KIND bundle, $(ls "$OUT/lib" | wc -l) libraries ($(du -sh "$OUT/lib" | cut -f1)), ${#MODELS[@]} models, $(du -sh "$OUT" | cut -f1) in all"
