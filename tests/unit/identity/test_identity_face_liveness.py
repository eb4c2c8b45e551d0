"""Yaw from landmarks on the real test photos, the action rules, and the
image reader's refusals (no Flask, no database)."""

import io

import numpy as np
import pytest
from PIL import Image, ImageFile, ImageOps

from identity.face import engine
from identity.face.errors import BadImage, ImageTooLarge
from identity.face.images import decode_image
from identity.face.liveness import (LivenessSettings, action_of, actions_seen_in_order, observe_frame,
                                    random_actions)
from tests.api.identity import face_photos as photos

SETTINGS = LivenessSettings()


@pytest.mark.parametrize("name", ["obama_turned", "obama_turned_other", "biden", "obama_reference"])
def test_a_mirrored_frame_turns_the_head_the_other_way(name):
    image = photos.photo(name)
    yaw = observe_frame(0, np.asarray(image), SETTINGS).yaw
    mirrored = observe_frame(0, np.asarray(ImageOps.mirror(image)), SETTINGS).yaw
    assert yaw * mirrored <= 0 or abs(yaw) < SETTINGS.front_yaw
    assert abs(yaw + mirrored) < 0.05


def test_the_turned_photos_read_as_their_actions():
    def action(name, mirror=False):
        return action_of(observe_frame(0, np.asarray(photos.posed(name, mirror)), SETTINGS).yaw, SETTINGS)

    assert action("obama_turned") == "turn_left"
    assert action("obama_turned", mirror=True) == "turn_right"
    assert action("obama_turned_other") == "turn_right"
    assert action("obama_turned_other", mirror=True) == "turn_left"
    assert action("obama_reference") == "face_front"


def test_action_thresholds():
    assert action_of(0.2, SETTINGS) == "turn_left"
    assert action_of(-0.2, SETTINGS) == "turn_right"
    assert action_of(0.01, SETTINGS) == "face_front"
    assert action_of(0.06, SETTINGS) is None  # neither clearly turned nor clearly frontal


def test_actions_must_be_seen_in_order():
    assert actions_seen_in_order(["turn_left", None, "turn_right"], ["turn_left", "turn_right"])
    assert not actions_seen_in_order(["turn_right", "turn_left", "face_front"], ["turn_left", "turn_right"])
    assert actions_seen_in_order(["face_front", "turn_left", "face_front", "turn_right"],
                                 ["turn_left", "face_front", "turn_right"])
    assert not actions_seen_in_order(["turn_left", "turn_left", "turn_left"], ["turn_left", "turn_left", "turn_right"])


def test_random_actions_have_a_turn_and_no_repeats():
    seen = set()
    for _ in range(200):
        actions = random_actions(["turn_left", "turn_right", "face_front"], 2, 3)
        assert 2 <= len(actions) <= 3
        assert any(a.startswith("turn") for a in actions)
        assert all(a != b for a, b in zip(actions, actions[1:]))
        seen.add(tuple(actions))
    assert len(seen) > 5  # random, not a fixed sequence


def test_same_and_different_person_distances():
    reference = photos.encoding_of("obama_reference")
    assert engine.distance(reference, photos.encoding_of("obama_turned")) < 0.5
    assert engine.distance(reference, photos.encoding_of("obama_turned_other")) < 0.5
    assert engine.distance(reference, photos.encoding_of("biden")) > 0.6


def test_template_bytes_round_trip():
    values = photos.encoding_of("biden")
    assert np.array_equal(engine.template_from_bytes(engine.template_to_bytes(values)), values)
    with pytest.raises(ValueError):
        engine.template_from_bytes(b"\x00" * 16)


def test_a_truncated_jpeg_is_refused_even_if_pillow_is_told_to_pad_it(monkeypatch):
    # face_recognition's own module sets this flag process-wide when imported.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = photos.frame("obama_turned")
    with pytest.raises(BadImage):
        decode_image(data[: len(data) // 2], "frames[0]", 10 << 20, 4096)
    assert decode_image(data, "frames[0]", 10 << 20, 4096).width == 400


def test_size_limits_are_checked_before_decoding():
    with pytest.raises(ImageTooLarge):
        decode_image(b"x" * 101, "photo", 100, 4096)
    tall = io.BytesIO()
    Image.new("RGB", (10, 5000)).save(tall, "PNG")
    with pytest.raises(ImageTooLarge):
        decode_image(tall.getvalue(), "photo", 10 << 20, 4096)


def test_exif_orientation_is_applied():
    image = photos.posed("obama_turned")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    decoded = decode_image(buffer.getvalue(), "f", 10 << 20, 4096)
    assert (decoded.width, decoded.height) == (500, 400)
