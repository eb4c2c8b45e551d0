"""Issue 5: what does a local face check cost, and how much memory does a
worker with the face models need?

- time: a verification of 3 frames of 1280×720 (decode, detect, landmarks,
  quality, liveness, encode, compare) against the library's own
  `face_recognition.load_image_file` + `face_locations` + `face_encodings`
  for the same frames, measured in the same run, interleaved. Goal: ≤ 1.3×.
- memory: resident size of a fresh process that built the app, loaded the
  models and decided one verification. Goal: < 400 MB.
- distances between every pair of test photos (and their mirror images),
  which the match threshold is chosen from.

`.venv/bin/python -m bench.face_verification`
"""

from __future__ import annotations

import io
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parent.parent
FACES = ROOT / "tests" / "fixtures" / "faces"
ROUNDS = 7
FRAME_SIZE = (1280, 720)
# (photo, mirrored) per frame: turn left, turn right, turn left
SEQUENCE = [("obama_turned", False), ("obama_turned", True), ("obama_turned_other", True)]
ACTIONS = ["turn_left", "turn_right", "turn_left"]


def _frame(name: str, mirror: bool) -> bytes:
    """A 1280×720 camera-like frame: the portrait at a kiosk's distance on a
    textured background."""
    rng = np.random.default_rng(len(name) + mirror)
    background = rng.integers(60, 180, size=(FRAME_SIZE[1], FRAME_SIZE[0], 3), dtype=np.uint8)
    canvas = Image.fromarray(background).resize(FRAME_SIZE)
    with Image.open(FACES / f"{name}.jpg") as photo:
        portrait = photo.convert("RGB")
    if mirror:
        portrait = ImageOps.mirror(portrait)
    portrait = portrait.resize((480, 600), Image.LANCZOS).crop((0, 0, 480, 600))
    portrait = portrait.resize((432, 540))
    canvas.paste(portrait, ((FRAME_SIZE[0] - 432) // 2, (FRAME_SIZE[1] - 540) // 2))
    buffer = io.BytesIO()
    canvas.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def frames() -> list[bytes]:
    return [_frame(name, mirror) for name, mirror in SEQUENCE]


def _reference():
    from identity.face import engine
    from identity.face.images import decode_image

    image = decode_image((FACES / "obama_reference.jpg").read_bytes(), "ref", 10 << 20, 4096)
    (face,) = engine.detect_faces(image.rgb, 640)
    return engine.encode(image.rgb, face)


def ours_once(data: list[bytes], reference) -> tuple[float, object]:
    from identity.face.config import FaceConfig
    from identity.face.decision import decide
    from identity.face.images import decode_image

    cfg = FaceConfig()
    started = time.perf_counter()
    decoded = [decode_image(d, f"frames[{i}]", cfg.max_image_bytes, cfg.max_image_side) for i, d in enumerate(data)]
    digests = [f.pixel_digest for f in decoded]
    decision = decide(decoded, digests, reference, "none", set(), ACTIONS, cfg)
    return time.perf_counter() - started, decision


def library_once(data: list[bytes]) -> float:
    import face_recognition

    started = time.perf_counter()
    for d in data:
        image = face_recognition.load_image_file(io.BytesIO(d))
        locations = face_recognition.face_locations(image)
        face_recognition.face_encodings(image, locations)
    return time.perf_counter() - started


def timing() -> dict:
    data = frames()
    reference = _reference()
    _, decision = ours_once(data, reference)  # warm up (models loaded)
    library_once(data)
    ours, library = [], []
    for _ in range(ROUNDS):  # interleaved, so drift hits both alike
        ours.append(ours_once(data, reference)[0])
        library.append(library_once(data))
    return {"decision": decision.outcome, "score": decision.score, "reasons": decision.reasons,
            "ours_ms": round(statistics.median(ours) * 1000, 1),
            "library_ms": round(statistics.median(library) * 1000, 1),
            "ratio": round(statistics.median(ours) / statistics.median(library), 3)}


def rss_child() -> None:
    """Runs in a fresh process: a worker that built the app and checked once."""
    from config import load_config
    from mobile_api import create_app

    # Building the app connects to nothing: servers that are not there do.
    env = {"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none", "REDIS_URL": "redis://127.0.0.1:1/0",
           "LOG_LEVEL": "ERROR"}
    create_app(load_config("testing", env))
    before = _rss_mb()
    ours_once(frames(), _reference())
    print(json.dumps({"app_only_mb": round(before, 1), "with_models_mb": round(_rss_mb(), 1)}))


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def memory() -> dict:
    env = dict(os.environ, LOG_LEVEL="ERROR")
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    out = subprocess.run([sys.executable, "-m", "bench.face_verification", "--rss-child"], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def distances() -> list[tuple[str, str, float]]:
    from identity.face import engine

    encodings = {}
    for path in sorted(FACES.glob("*.jpg")):
        with Image.open(path) as photo:
            image = photo.convert("RGB")
        for label, variant in ((path.stem, image), (path.stem + " (mirrored)", ImageOps.mirror(image))):
            rgb = np.asarray(variant)
            found = engine.detect_faces(rgb, 640)
            if len(found) == 1:
                encodings[label] = engine.encode(rgb, found[0])
    rows = []
    for a, b in itertools.combinations(encodings, 2):
        rows.append((a, b, round(engine.distance(encodings[a], encodings[b]), 3)))
    return rows


def main() -> None:
    result = timing()
    print(f"3 frames of {FRAME_SIZE[0]}×{FRAME_SIZE[1]}, median of {ROUNDS} interleaved rounds:")
    print(f"  ours (decode + detect on reduced copy + 5-point landmarks + quality + liveness + encode + compare): "
          f"{result['ours_ms']} ms -> {result['decision']} (score {result['score']})")
    print(f"  library (load_image_file + face_locations + face_encodings): {result['library_ms']} ms")
    print(f"  ratio ours/library: {result['ratio']} (goal <= 1.3)")
    mem = memory()
    print(f"resident memory of a fresh worker: app only {mem['app_only_mb']} MB, "
          f"after loading the models and one check {mem['with_models_mb']} MB (goal < 400 MB)")
    print("distances between test photos (same person: both obama_*):")
    for a, b, d in distances():
        same = a.split("_")[0].split(" ")[0] == b.split("_")[0].split(" ")[0]
        print(f"  {'same' if same else 'diff'}  {d:.3f}  {a}  —  {b}")


if __name__ == "__main__":
    if "--rss-child" in sys.argv:
        rss_child()
    else:
        main()
