import pytest

from mobile_api.crypto import DecryptionError, PersonalDataCipher, mask_id_number, mask_name, mask_phone


def test_round_trip_and_fresh_nonce_every_time():
    cipher = PersonalDataCipher("k" * 40)
    first, second = cipher.encrypt("440102199001011234"), cipher.encrypt("440102199001011234")
    assert first != second
    assert cipher.decrypt(first) == cipher.decrypt(second) == "440102199001011234"


def test_tampering_wrong_key_and_wrong_context_are_refused():
    cipher = PersonalDataCipher("k" * 40)
    token = cipher.encrypt("13800138000", context="phone")
    tampered = token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")
    with pytest.raises(DecryptionError):
        cipher.decrypt(tampered, context="phone")
    with pytest.raises(DecryptionError):
        PersonalDataCipher("other" * 10).decrypt(token, context="phone")
    with pytest.raises(DecryptionError):
        cipher.decrypt(token, context="id_number")


def test_blind_index_is_deterministic_keyed_and_per_purpose():
    a, b = PersonalDataCipher("k" * 40), PersonalDataCipher("z" * 40)
    assert a.blind_index("13800138000", "phone") == a.blind_index("13800138000", "phone")
    assert a.blind_index("13800138000", "phone") != b.blind_index("13800138000", "phone")
    assert a.blind_index("13800138000", "phone") != a.blind_index("13800138000", "id")


def test_masks():
    assert mask_id_number("44010219900101123X") == "4401**********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧**娜"
    assert mask_phone(None) is None
