"""Vietnamese names with diacritics (NFC) for people, places, meeting topics and decisions."""

from __future__ import annotations

import random
import unicodedata

FAMILY = (
    ("Nguyễn", 31), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 4),
    ("Phan", 4), ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 1), ("Lý", 1), ("Đinh", 1), ("Lương", 1), ("Cao", 1), ("Quàng", 1),
    ("Lò", 1), ("Cầm", 1), ("Hà", 1),
)
MIDDLE_MALE = ("Văn", "Hữu", "Đức", "Minh", "Thanh", "Quang", "Xuân", "Công", "Đình", "Ngọc",
               "Bá", "Trọng", "Tiến", "Mạnh")
MIDDLE_FEMALE = ("Thị", "Thị", "Thị", "Thanh", "Ngọc", "Thu", "Hồng", "Minh", "Kim", "Phương",
                 "Diệu", "Bích")
GIVEN_MALE = ("An", "Bình", "Cường", "Dũng", "Đạt", "Đông", "Giang", "Hải", "Hiếu", "Hòa",
              "Hùng", "Huy", "Khánh", "Lâm", "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Phong",
              "Phúc", "Quân", "Quý", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trung",
              "Tuấn", "Tùng", "Việt", "Vinh", "Xuân", "Khôi", "Duy", "Lực", "Chiến", "Kiên")
GIVEN_FEMALE = ("Anh", "Châu", "Dung", "Duyên", "Hà", "Hằng", "Hạnh", "Hiền", "Hoa", "Hồng",
                "Huệ", "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "Nga", "Ngọc", "Nhung",
                "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thơm", "Thủy", "Trang",
                "Tuyết", "Uyên", "Vân", "Yến", "Xuân", "Lụa", "Nhàn")
PLACE_SYLLABLES = ("Quỳnh", "Diễn", "Yên", "Hưng", "Nghĩa", "Thanh", "Tân", "Phú", "Hòa", "An",
                   "Bình", "Long", "Mỹ", "Sơn", "Hải", "Đông", "Tây", "Nam", "Bắc", "Trung",
                   "Phúc", "Lộc", "Thịnh", "Thuận", "Vĩnh", "Kim", "Liên", "Châu", "Đức",
                   "Minh", "Xuân", "Hợp", "Tiến", "Thành", "Lạc", "Mường", "Nậm", "Chiềng",
                   "Thượng", "Hạ", "Cẩm", "Kỳ", "Lam", "Hồng", "Quang", "Tường")
VILLAGE_KINDS = ("thôn", "xóm", "bản", "khối", "tổ dân phố")
AGENCIES = ("Trường Tiểu học", "Trường THCS", "Trạm Y tế", "Hợp tác xã nông nghiệp",
            "Công an xã", "Quân sự xã", "Trường Mầm non", "Bưu điện văn hóa xã")
TOPICS = (
    "Làm đoạn đường bê tông 75 m cuối cùng của thôn (khoảng 180 triệu đồng, đảng viên góp "
    "từ 100.000 đến 1 triệu đồng)",
    "Phát triển kinh tế hộ gia đình, giảm nghèo bền vững",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Phòng chống ma túy và tệ nạn xã hội trên địa bàn",
    "Xây dựng nông thôn mới kiểu mẫu",
    "Bảo vệ rừng và phòng chống cháy rừng mùa khô",
    "Vệ sinh môi trường và phân loại rác tại nguồn",
    "Chuyển đổi số trong sinh hoạt chi bộ",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Phòng chống thiên tai, bão lũ",
    "Công tác phát triển đảng viên mới trong thanh niên",
    "Giữ gìn bản sắc văn hóa dân tộc",
)
TASKS = (
    "Vận động nhân dân hiến đất mở rộng đường", "Thu quỹ đóng góp xây dựng đường",
    "Tổ chức ra quân vệ sinh môi trường", "Rà soát hộ nghèo, cận nghèo",
    "Hoàn thành thu đảng phí quý", "Kiểm tra việc thực hiện nghị quyết tháng trước",
    "Tuyên truyền phòng chống ma túy", "Chuẩn bị hồ sơ kết nạp đảng viên mới",
    "Trồng cây xanh dọc tuyến đường", "Vận động con em đến trường",
    "Phối hợp với chi hội phụ nữ thăm hỏi gia đình chính sách", "Báo cáo tình hình an ninh trật tự",
)
ABSENCE_REASONS = ("Ốm", "Đi công tác", "Việc gia đình", "Đi làm ăn xa", "Đi viện", "Có con nhỏ",
                   "Đi học tập trung")
EXEMPTION_REASONS = ("Tuổi cao, sức yếu", "Ốm đau dài ngày", "Tuổi cao (trên 70 tuổi)")
RESCHEDULE_REASONS = ("Trùng lịch họp của xã", "Mưa bão, đường ngập", "Bí thư đi công tác",
                      "Trùng ngày lễ", "Thu hoạch mùa vụ")
CANCEL_REASONS = ("Bão lũ, chia cắt", "Dịch bệnh", "Bí thư ốm, không bố trí được người chủ trì")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([name for name, _ in table], [weight for _, weight in table])[0]


def person(rng: random.Random) -> tuple[str, str]:
    """(full name, gender) — gender as recorded in Vietnamese, 'Nam' or 'Nữ'."""
    male = rng.random() < 0.62
    middle = rng.choice(MIDDLE_MALE if male else MIDDLE_FEMALE)
    given = rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)
    return nfc(f"{weighted(rng, FAMILY)} {middle} {given}"), "Nam" if male else "Nữ"


def place(rng: random.Random) -> str:
    first, second = rng.sample(PLACE_SYLLABLES, 2)
    return nfc(f"{first} {second}")


def village(rng: random.Random, number: int) -> str:
    kind = rng.choice(VILLAGE_KINDS)
    if kind in ("thôn", "khối", "tổ dân phố") and rng.random() < 0.5:
        return nfc(f"{kind} {number}")
    return nfc(f"{kind} {place(rng)}")
