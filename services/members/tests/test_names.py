"""Vietnamese names: stored NFC, searched without accents, sorted in Vietnamese order."""

from __future__ import annotations

import unicodedata

from chibo_members.domain.names import fold, name_key, normalise_name, person_key


def test_names_are_stored_nfc_with_single_spaces():
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Văn   An ")
    stored = normalise_name(decomposed)
    assert stored == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", stored)


def test_folding_drops_accents_and_turns_d_with_stroke_into_d():
    assert fold("Nguyễn Văn An") == "nguyen van an"
    assert fold("ĐẶNG THỊ ĐÀO") == "dang thi dao"
    assert fold(unicodedata.normalize("NFD", "Trần Đức Ánh")) == "tran duc anh"


def test_letters_follow_the_vietnamese_alphabet():
    words = ["ư", "u", "ơ", "ô", "o", "đ", "d", "â", "ă", "a", "ê", "e", "y", "x"]
    assert sorted(words, key=name_key) == [
        "a",
        "ă",
        "â",
        "d",
        "đ",
        "e",
        "ê",
        "o",
        "ô",
        "ơ",
        "u",
        "ư",
        "x",
        "y",
    ]


def test_tones_only_break_ties_between_the_same_letters():
    # Dictionary order of the tones: none, huyền, hỏi, ngã, sắc, nặng.
    assert sorted(["ạ", "á", "ã", "ả", "à", "a"], key=name_key) == ["a", "à", "ả", "ã", "á", "ạ"]
    # A tone never outweighs a letter: "án" sorts before "ao" although "á" carries a tone.
    assert sorted(["ao", "án", "an"], key=name_key) == ["an", "án", "ao"]
    # Letters with diacritics are letters of their own: "ăn" comes after every "a…" word.
    assert sorted(["ăn", "az", "an"], key=name_key) == ["an", "az", "ăn"]


def test_shorter_names_come_before_their_extensions():
    assert sorted(["Anh", "An"], key=name_key) == ["An", "Anh"]


def test_people_sort_by_given_name_then_by_full_name():
    people = [
        "Trần Thị Bình",
        "Nguyễn Văn An",
        "Lê Đức Ánh",
        "Đỗ Văn An",
        "Phạm Minh Anh",
        "Bùi Thị Đào",
        "Bùi Thị Dung",
    ]
    assert sorted(people, key=person_key) == [
        "Đỗ Văn An",  # An: Đỗ before Nguyễn because đ < n
        "Nguyễn Văn An",
        "Phạm Minh Anh",
        "Lê Đức Ánh",  # Ánh: same letters as Anh, the tone decides
        "Trần Thị Bình",
        "Bùi Thị Dung",  # d before đ
        "Bùi Thị Đào",
    ]


def test_sort_keys_are_bytes_so_databases_compare_them_byte_by_byte():
    assert isinstance(person_key("Nguyễn Văn An"), bytes)
    assert person_key(unicodedata.normalize("NFD", "Nguyễn Văn An")) == person_key("Nguyễn Văn An")
