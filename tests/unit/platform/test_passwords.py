from identity.passwords import hash_password, verify_password


def test_hash_verifies_only_the_right_password_and_is_salted():
    stored = hash_password("correct horse battery", n=2**10)
    assert verify_password("correct horse battery", stored)
    assert not verify_password("correct horse batterz", stored)
    assert stored != hash_password("correct horse battery", n=2**10)
    assert stored.startswith("scrypt$1024$")


def test_malformed_hash_is_a_failed_check_not_a_crash():
    assert not verify_password("x", "not-a-hash")
    assert not verify_password("x", "bcrypt$1$2$3$4$5")
