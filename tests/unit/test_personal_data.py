"""A petitioner's personal data in intake: phone and resident-ID validation, the identity reference
duplicates and final matters are matched by, sealing for the store, and masks for display."""
from __future__ import annotations

import pytest

from services.intake import personal
from shared import config
from shared.privacy import FieldCipher

SETTINGS = config.load({})
OTHER_SECRET = config.load({"DAIBAN_SECRET": "a-different-secret-for-another-deployment"})

# GB 11643-1999, written out here independently of the code under test
WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
CHECK = "10X98765432"


def check_digit(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


def resident_id(first17: str) -> str:
    return first17 + check_digit(first17)


def synthetic_id(check: str) -> str:
    """A synthetic ID (region 152525, born 1980-01-01) whose check character is ``check``."""
    for sequence in range(1000):
        first17 = f"15252519800101{sequence:03d}"
        if check_digit(first17) == check:
            return first17 + check
    raise AssertionError(f"no sequence gives check {check}")


VALID_ID = synthetic_id("7")
X_ID = synthetic_id("X")


def test_the_weights_written_here_are_the_standard_ones():
    assert WEIGHTS == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


@pytest.mark.parametrize("phone", [
    "13900001234", "15847912345", "19912345678",       # mobiles
    "+8613900001234", "+86 139 0000 1234",             # with the country prefix, spaced
    "0479-8221234", "04798221234", "010-12345678", "(0479)8221234",  # landlines, with or without the dash
])
def test_mobiles_and_landlines_are_phone_numbers(phone):
    assert personal.is_phone(phone)


@pytest.mark.parametrize("phone", [
    "12900001234",     # mobiles start 13-19
    "1390000123",      # ten digits
    "139000012345",    # twelve digits
    "+8512345678901",  # another country prefix
    "4798221234",      # landline without the trunk 0
    "0479-822123",     # landline number too short
    "1390000123a", "phone", "",
])
def test_other_strings_are_not_phone_numbers(phone):
    assert not personal.is_phone(phone)


def test_the_86_prefix_and_spacing_are_dropped_when_normalising():
    assert personal.normalise_phone("+86 139 0000 1234") == "13900001234"
    assert personal.normalise_phone("(0479) 8221234") == "04798221234"


def test_a_resident_id_with_its_computed_check_digit_is_valid():
    assert personal.is_id_number(VALID_ID)


def test_a_resident_id_whose_check_is_x_is_valid_in_either_case():
    assert X_ID.endswith("X")
    assert personal.is_id_number(X_ID)
    assert personal.is_id_number(X_ID[:-1] + "x")


@pytest.mark.parametrize("delta", [1, -1])
def test_a_check_digit_off_by_one_is_refused(delta):
    wrong = str((int(VALID_ID[-1]) + delta) % 10)

    assert not personal.is_id_number(VALID_ID[:-1] + wrong)


def test_a_changed_body_digit_breaks_the_check():
    changed = VALID_ID[:10] + str((int(VALID_ID[10]) + 1) % 10) + VALID_ID[11:]

    assert not personal.is_id_number(changed)


@pytest.mark.parametrize("value", [
    VALID_ID[:17],                 # 17 characters
    VALID_ID + "0",                # 19 characters
    "X" + VALID_ID[1:],            # X only as the check character
    VALID_ID[:-1] + "Y",
    VALID_ID[:8] + "ab" + VALID_ID[10:],
    "",
])
def test_ids_of_the_wrong_shape_are_refused(value):
    assert not personal.is_id_number(value)


def test_the_same_id_number_gives_the_same_reference_whatever_the_phone():
    a = personal.identity_ref(SETTINGS, {"name": "甲", "phone": "13900001234", "id_number": VALID_ID})
    b = personal.identity_ref(SETTINGS, {"name": "乙", "phone": "13800005678", "id_number": VALID_ID})
    c = personal.identity_ref(SETTINGS, {"name": "甲", "phone": None, "id_number": VALID_ID})

    assert a == b == c


def test_an_x_id_gives_the_same_reference_in_either_case():
    upper = personal.identity_ref(SETTINGS, {"id_number": X_ID, "phone": None})
    lower = personal.identity_ref(SETTINGS, {"id_number": X_ID[:-1] + "x", "phone": None})

    assert upper == lower


def test_different_id_numbers_give_different_references():
    assert (personal.identity_ref(SETTINGS, {"id_number": VALID_ID, "phone": "13900001234"})
            != personal.identity_ref(SETTINGS, {"id_number": X_ID, "phone": "13900001234"}))


def test_without_an_id_the_phone_is_the_identity_however_it_is_written():
    plain = personal.identity_ref(SETTINGS, {"name": "甲", "phone": "13900001234", "id_number": None})
    prefixed = personal.identity_ref(SETTINGS, {"name": "乙", "phone": "+86 139 0000 1234"})
    other = personal.identity_ref(SETTINGS, {"name": "甲", "phone": "13900001235"})

    assert plain == prefixed
    assert plain != other


def test_a_phone_reference_is_not_the_id_reference_of_the_same_digits():
    assert (personal.identity_ref(SETTINGS, {"phone": "13900001234"})
            != personal.identity_ref(SETTINGS, {"id_number": "13900001234", "phone": None}))


def test_the_reference_reveals_neither_phone_nor_id_and_depends_on_the_secret():
    by_id = personal.identity_ref(SETTINGS, {"id_number": VALID_ID})
    by_phone = personal.identity_ref(SETTINGS, {"phone": "13900001234"})

    assert by_id.startswith("idr_") and by_phone.startswith("idr_")
    assert VALID_ID not in by_id and VALID_ID[-8:] not in by_id
    assert "13900001234" not in by_phone and "00001234" not in by_phone
    assert by_id != personal.identity_ref(OTHER_SECRET, {"id_number": VALID_ID})


def test_sealing_encrypts_every_field_and_opening_gives_them_back():
    cipher = FieldCipher(SETTINGS)
    person = {"name": "测试哨兵甲", "phone": "13900001234", "id_number": VALID_ID}

    sealed = personal.seal_person(cipher, person)

    assert set(sealed) == {"name", "phone", "id_number", "masked"}
    for key in ("name", "phone", "id_number"):
        assert person[key] not in sealed[key]
    assert "测试哨兵甲" not in str(sealed) and "13900001234" not in str(sealed) and VALID_ID not in str(sealed)
    assert personal.open_person(FieldCipher(SETTINGS), sealed) == person


def test_a_sealed_person_cannot_be_opened_with_another_deployments_key():
    sealed = personal.seal_person(FieldCipher(SETTINGS), {"name": "测试哨兵甲", "phone": "13900001234"})

    with pytest.raises(ValueError):
        personal.open_person(FieldCipher(OTHER_SECRET), sealed)


def test_missing_fields_stay_missing_and_nothing_opens_to_nothing():
    cipher = FieldCipher(SETTINGS)

    sealed = personal.seal_person(cipher, {"name": "巴特尔", "phone": None, "id_number": VALID_ID})

    assert "phone" not in sealed
    assert sealed["masked"] == {"name": "巴**", "phone": None}
    assert personal.open_person(cipher, sealed) == {"name": "巴特尔", "id_number": VALID_ID}
    assert personal.open_person(cipher, None) is None
    assert personal.open_person(cipher, {}) is None


@pytest.mark.parametrize("name, phone, masked", [
    ("测试哨兵甲", "13900001234", {"name": "测****", "phone": "139****1234"}),
    ("王五", "+86 139 0000 1234", {"name": "王*", "phone": "139****1234"}),
    ("朝", "0479-8221234", {"name": "朝*", "phone": "047****1234"}),
])
def test_masks_keep_only_the_first_character_of_the_name_and_the_ends_of_the_phone(name, phone, masked):
    sealed = personal.seal_person(FieldCipher(SETTINGS), {"name": name, "phone": phone})

    assert sealed["masked"] == masked


def test_no_account_subject_can_produce_an_offline_petitioners_reference():
    from shared.privacy import subject_ref
    phone, id_number = "13900001234", VALID_ID
    herder = personal.identity_ref(SETTINGS, {"phone": phone, "id_number": None})
    by_id = personal.identity_ref(SETTINGS, {"phone": None, "id_number": id_number})

    forged = {subject_ref(SETTINGS, sub) for sub in (f"phone:{phone}", phone, f"id:{id_number}", id_number,
                                                     f"identity:phone:{phone}")}

    assert herder not in forged and by_id not in forged
