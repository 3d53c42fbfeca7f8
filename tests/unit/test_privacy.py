"""Pseudonymous references for the bus; encryption and masking for personal data."""
from __future__ import annotations

import re

import pytest
from cryptography.fernet import Fernet

from shared import config
from shared.privacy import FieldCipher, mask_name, mask_phone, subject_ref

SETTINGS = config.load({})
OTHER = config.load({"DAIBAN_SECRET": "a-different-secret-for-another-deployment"})


def test_a_subject_ref_is_stable_for_the_same_person_and_secret():
    assert subject_ref(SETTINGS, "citizen-1") == subject_ref(SETTINGS, "citizen-1")


def test_a_subject_ref_differs_between_people_and_between_secrets():
    assert subject_ref(SETTINGS, "citizen-1") != subject_ref(SETTINGS, "citizen-2")
    assert subject_ref(SETTINGS, "citizen-1") != subject_ref(OTHER, "citizen-1")


def test_a_subject_ref_is_an_opaque_token_that_does_not_reveal_the_subject():
    ref = subject_ref(SETTINGS, "13812345678")
    assert re.fullmatch(r"ref_[0-9a-f]{32}", ref)
    assert "1381234" not in ref


def test_personal_data_round_trips_through_the_cipher_and_is_not_stored_in_clear():
    cipher = FieldCipher(SETTINGS)
    token = cipher.encrypt("张三 13812345678")
    assert "张三" not in token and "13812345678" not in token
    assert cipher.decrypt(token) == "张三 13812345678"
    assert FieldCipher(SETTINGS).decrypt(token) == "张三 13812345678", "the key is derived, not random"


def test_nothing_stays_nothing():
    cipher = FieldCipher(SETTINGS)
    assert cipher.encrypt(None) is None
    assert cipher.decrypt(None) is None


def test_data_encrypted_under_another_secret_cannot_be_read():
    token = FieldCipher(OTHER).encrypt("张三")
    with pytest.raises(ValueError, match="cannot be decrypted"):
        FieldCipher(SETTINGS).decrypt(token)


def test_an_explicit_data_key_is_used_instead_of_the_derived_one():
    keyed = config.load({"DAIBAN_DATA_KEY": Fernet.generate_key().decode()})
    token = FieldCipher(keyed).encrypt("张三")
    assert FieldCipher(keyed).decrypt(token) == "张三"
    with pytest.raises(ValueError):
        FieldCipher(SETTINGS).decrypt(token)


@pytest.mark.parametrize("phone, masked", [
    ("13812345678", "138****5678"), ("0479-8221234", "047****1234"), ("123456", "****"), ("", "****")])
def test_phone_numbers_are_masked_to_their_first_three_and_last_four_digits(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("name, masked", [("张三", "张*"), ("格日勒图", "格***"), ("李", "李*"), ("", "")])
def test_names_keep_only_their_first_character(name, masked):
    assert mask_name(name) == masked
