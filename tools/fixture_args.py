"""Shared command line of the audio fixture scripts: where the real recordings are, where fixtures go."""
import argparse
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def audio_fixture_args(doc):
    """Parse --audio (default ../shared/real_audio) and --out (default tests/fixtures/audio); create --out."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--audio", type=pathlib.Path, default=ROOT.parent / "shared" / "real_audio")
    ap.add_argument("--out", type=pathlib.Path, default=ROOT / "tests" / "fixtures" / "audio")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    return args
