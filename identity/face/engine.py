"""Face detection, landmarks, yaw and encodings with dlib's models from the
face-recognition-models package (nothing fetched at run time).

Loaded lazily, once per process, and only the three models a check needs
(HOG detector, 5-point landmarks, ResNet encoder): importing
`face_recognition` would also load the 68-point and CNN models, ~100 MB more.

Speed: faces are detected on a copy reduced to IDENTITY_FACE_DETECT_MAX_SIDE
(grey, upsampled once, so small faces are still found), and the 5-point shape
found once at full size serves both the yaw measure and the encoding.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from PIL import Image

_lock = threading.Lock()
# dlib's detector, landmark predictor and encoder are shared by every thread
# of a process and are not safe to call from two at once (two concurrent
# face checks in one gthread worker crashed the process with a segmentation
# fault); they hold the GIL while they run anyway, so one at a time costs
# no throughput.
_dlib_calls = threading.Lock()
_models = None


@dataclass
class FaceModels:
    detector: object
    shape_predictor: object
    encoder: object


def get_models() -> FaceModels:
    global _models
    if _models is None:
        with _lock:
            if _models is None:
                import dlib
                import face_recognition_models as frm

                _models = FaceModels(
                    detector=dlib.get_frontal_face_detector(),
                    shape_predictor=dlib.shape_predictor(frm.pose_predictor_five_point_model_location()),
                    encoder=dlib.face_recognition_model_v1(frm.face_recognition_model_location()),
                )
    return _models


def models_loaded() -> bool:
    return _models is not None


@dataclass
class FaceFound:
    left: int
    top: int
    right: int
    bottom: int
    shape: object  # dlib.full_object_detection at full resolution
    points: np.ndarray  # 5 x 2: two corners of each eye, the base of the nose

    @property
    def size(self) -> int:
        return min(self.right - self.left, self.bottom - self.top)


def detect_faces(rgb: np.ndarray, detect_max_side: int, upsample: int = 1) -> list[FaceFound]:
    import dlib

    models = get_models()
    height, width = rgb.shape[:2]
    scale = min(1.0, detect_max_side / max(width, height))
    grey = Image.fromarray(rgb).convert("L")
    if scale < 1.0:
        grey = grey.resize((max(1, round(width * scale)), max(1, round(height * scale))), Image.BILINEAR)
    found = []
    with _dlib_calls:
        for rect in models.detector(np.asarray(grey), upsample):
            full = dlib.rectangle(round(rect.left() / scale), round(rect.top() / scale),
                                  round(rect.right() / scale), round(rect.bottom() / scale))
            shape = models.shape_predictor(rgb, full)
            points = np.array([[shape.part(i).x, shape.part(i).y] for i in range(5)], dtype=float)
            found.append(FaceFound(full.left(), full.top(), full.right(), full.bottom(), shape, points))
    return found


def yaw_ratio(points: np.ndarray) -> float:
    """How far the nose sits from the middle of the eyes, along the eye line,
    in eye distances. Positive: the nose points to the image's right, i.e. in
    an unmirrored camera frame the person turned to their own left."""
    eye_a, eye_b = points[0:2].mean(axis=0), points[2:4].mean(axis=0)
    if eye_a[0] > eye_b[0]:
        eye_a, eye_b = eye_b, eye_a
    axis = eye_b - eye_a
    distance = float(np.linalg.norm(axis))
    if distance < 1e-6:
        return 0.0
    middle = (eye_a + eye_b) / 2
    return float(np.dot(points[4] - middle, axis / distance) / distance)


def is_partial(face: FaceFound, width: int, height: int, tolerance: float = 0.1) -> bool:
    """The face box runs off the frame by more than `tolerance` of its size."""
    margin = tolerance * max(face.right - face.left, face.bottom - face.top)
    return (face.left < -margin or face.top < -margin or face.right > width + margin
            or face.bottom > height + margin)


def face_grey(rgb: np.ndarray, face: FaceFound, side: int = 128) -> np.ndarray:
    height, width = rgb.shape[:2]
    box = (max(0, face.left), max(0, face.top), min(width, face.right), min(height, face.bottom))
    crop = Image.fromarray(rgb).crop(box).convert("L").resize((side, side), Image.BILINEAR)
    return np.asarray(crop, dtype=np.float32)


def sharpness(grey: np.ndarray) -> float:
    """Variance of the Laplacian of the face at a fixed size: low when blurred."""
    lap = (-4 * grey[1:-1, 1:-1] + grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:])
    return float(lap.var())


def encode(rgb: np.ndarray, face: FaceFound) -> np.ndarray:
    models = get_models()
    with _dlib_calls:
        return np.array(models.encoder.compute_face_descriptor(rgb, face.shape), dtype=np.float64)


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(a) - np.asarray(b)))


def template_to_bytes(encoding: np.ndarray) -> bytes:
    return np.asarray(encoding, dtype="<f8").tobytes()


def template_from_bytes(raw: bytes) -> np.ndarray:
    values = np.frombuffer(raw, dtype="<f8")
    if values.shape != (128,):
        raise ValueError("a face template has 128 numbers")
    return values
