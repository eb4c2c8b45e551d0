"""The check-in QR payload is unforgeable and bound to the appointment's nonce."""

from booking import qr

KEY = qr.derive_key("", "x" * 32)


def test_round_trip():
    payload = qr.sign(KEY, 42, "abcdef0123456789")
    assert qr.verify(KEY, payload) == (42, "abcdef0123456789")


def test_tampering_and_other_keys_fail():
    payload = qr.sign(KEY, 42, "abcdef0123456789")
    assert qr.verify(KEY, payload.replace("BK1.42.", "BK1.43.")) is None
    assert qr.verify(KEY, payload[:-1] + ("A" if payload[-1] != "A" else "B")) is None
    assert qr.verify(qr.derive_key("", "y" * 32), payload) is None
    assert qr.verify(qr.derive_key("explicit-key", "x" * 32), payload) is None


def test_garbage_is_refused_not_crashed():
    for junk in ("", "BK1", "BK1.x.y.z", "BK1.1.2", "A" * 500, "BK1.1.n.s.extra", None, 12):
        assert qr.verify(KEY, junk) is None
