"""Members import benchmark: a deterministic province of 200,000 members imported into SQLite.

    .venv/bin/python bench/members_import.py [--members 200000] [--keep DIR]

Generates a units CSV (one province, its communes, their cells) and a members CSV (Vietnamese
names with diacritics, 30 members per cell), imports both through the same runner as
`POST /imports` and `python -m chibo_members.imports`, and prints rows/s, seconds and peak RSS.
As a baseline measured in the same run, it parses the same members CSV with the csv module and
inserts the rows into a plain SQLite table, so the ratio means something on a noisy machine.
Then it imports the members file again (nothing new may be created) and times that too.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sqlite3
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from chibo_members.bootstrap import bootstrap
from chibo_members.config import Settings
from chibo_web.auth import WHOLE_TREE, Caller

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Lương",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Đức",
    "Minh",
    "Thanh",
    "Ngọc",
    "Quang",
    "Hữu",
    "Xuân",
    "Thu",
    "Hồng",
    "Bảo",
    "Gia",
    "Kim",
    "Thế",
]
GIVEN = [
    "An",
    "Anh",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hằng",
    "Hiếu",
    "Hoa",
    "Hòa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Ngọc",
    "Phong",
    "Phương",
    "Quân",
    "Quỳnh",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Thủy",
    "Trang",
    "Trung",
    "Tuấn",
    "Việt",
    "Yến",
    "Ánh",
    "Ðạt",
    "Lộc",
    "Nhung",
    "Oanh",
    "Uyên",
    "Vĩnh",
    "Xuân",
    "Ý",
]
PLACES = [
    "Quỳnh",
    "Nhai",
    "Mường",
    "Giôn",
    "Chiềng",
    "Ơn",
    "Pắc",
    "Ma",
    "Nậm",
    "Ét",
    "Cà",
    "Nàng",
    "Mường",
    "Chiên",
    "Bản",
    "Bi",
    "Đồng",
    "Tâm",
]
# Members join their cell on the day they are admitted, so the cells must exist by then; the
# units carry the Party's founding day as their (unknown) founding date.
FOUNDED = "1930-02-03"
MEMBERS_PER_CELL = 30
CELLS_PER_COMMUNE = 70


def generate(directory: Path, members: int, seed: int = 20250701) -> tuple[Path, Path]:
    rng = random.Random(seed)
    cells = -(-members // MEMBERS_PER_CELL)
    communes = -(-cells // CELLS_PER_COMMUNE)
    units_path, members_path = directory / "units.csv", directory / "members.csv"
    with units_path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["code", "name", "kind", "parent_code", "effective_from"])
        out.writerow(["T01", "Tỉnh ủy Sơn La", "provincial_committee", "", FOUNDED])
        for commune in range(communes):
            place = " ".join(rng.sample(PLACES, 2))
            out.writerow(
                [
                    f"X{commune:04d}",
                    f"Đảng bộ xã {place} {commune}",
                    "commune_committee",
                    "T01",
                    FOUNDED,
                ]
            )
        for cell in range(cells):
            place = " ".join(rng.sample(PLACES, 2))
            out.writerow(
                [
                    f"C{cell:05d}",
                    f"Chi bộ bản {place} {cell}",
                    "cell",
                    f"X{cell // CELLS_PER_COMMUNE:04d}",
                    FOUNDED,
                ]
            )
    with members_path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(
            ["code", "full_name", "birth_date", "gender", "cell_code", "status", "admitted_on"]
        )
        for number in range(members):
            born = date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 62))
            admitted = born + timedelta(days=365 * 19 + rng.randrange(365 * 20))
            admitted = min(admitted, date(2025, 6, 1))
            out.writerow(
                [
                    f"DV{number:07d}",
                    f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                    born.isoformat(),
                    rng.choice(("Nam", "Nữ")),
                    f"C{number // MEMBERS_PER_CELL:05d}",
                    "full" if rng.random() < 0.9 else "probationary",
                    admitted.isoformat(),
                ]
            )
    return units_path, members_path


def baseline(members_path: Path, database: Path, batch: int = 1000) -> float:
    """csv module + plain SQLite inserts, in batches of the import's size."""
    started = time.perf_counter()
    conn = sqlite3.connect(database)
    conn.execute(
        "CREATE TABLE members (code TEXT PRIMARY KEY, full_name TEXT, birth_date TEXT, gender TEXT,"
        " cell_code TEXT, status TEXT, admitted_on TEXT)"
    )
    with members_path.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(handle)
        next(rows)
        chunk: list[list[str]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == batch:
                with conn:
                    conn.executemany("INSERT INTO members VALUES (?, ?, ?, ?, ?, ?, ?)", chunk)
                chunk = []
        with conn:
            conn.executemany("INSERT INTO members VALUES (?, ?, ?, ?, ?, ?, ?)", chunk)
    conn.close()
    return time.perf_counter() - started


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chibo-bench-") as scratch:
        work = arguments.keep or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        units_path, members_path = generate(work, arguments.members)
        print(
            f"generated {arguments.members} members in {time.perf_counter() - started:.1f} s "
            f"({members_path.stat().st_size / 1e6:.1f} MB)"
        )

        base_seconds = baseline(members_path, work / "baseline.sqlite3")
        print(
            f"baseline csv + sqlite3: {arguments.members / base_seconds:,.0f} rows/s, "
            f"{base_seconds:.1f} s"
        )

        env = {"CHIBO_DATA_DIR": str(work / "data"), "CHIBO_JWT_SECRET": "bench-secret-" + "x" * 32}
        service = bootstrap(Settings.from_env(env))
        operator = Caller(sub="bench", roles=frozenset({"admin"}), scope=(WHOLE_TREE,))
        for label, path, kind in (
            ("units", units_path, "units"),
            ("members", members_path, "members"),
            ("members again", members_path, "members"),
        ):
            rss_before = peak_rss_mb()
            started = time.perf_counter()
            job = service.imports.start(path, kind, operator, filename=path.name, background=False)
            seconds = time.perf_counter() - started
            report = service.imports.find(job)
            assert report is not None
            print(
                f"import {label}: {report['status']}, read {report['rows_read']}, accepted "
                f"{report['accepted']}, unchanged {report['unchanged']}, "
                f"rejected {report['rejected']}; "
                f"{report['rows_read'] / seconds:,.0f} rows/s, {seconds:.1f} s, "
                f"peak RSS {peak_rss_mb():.0f} MB (before {rss_before:.0f} MB)"
            )
            if kind == "members" and label == "members":
                print(f"ratio import / baseline time: {seconds / base_seconds:.1f}x")
        print(f"events stored: {service.store.last_position()}")
        service.store.engine.dispose()


if __name__ == "__main__":
    main()
