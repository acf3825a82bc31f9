"""Reading uploaded zip and tar.gz archives under SPEC §9 limits."""

from __future__ import annotations

import io
import stat
import struct
import tarfile
import time
import zipfile

import pytest

from epicflow.markdown import ArchiveLimits, MarkdownError, read_archive

MiB = 1024 * 1024
FILES = {
    "epics/pay/epic.md": b"# Epic: Pay\n",
    "epics/pay/001.md": "# Task: Ünïcode\n".encode(),
}


def make_zip(files: dict[str, bytes], level: int = 6) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def make_tar(files: dict[str, bytes], *, gz: bool = True) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gz else "w") as tf:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def tar_with(info: tarfile.TarInfo, data: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        tf.addfile(info, io.BytesIO(data) if data else None)
    return buf.getvalue()


def refused(data: bytes, fragment: str, limits: ArchiveLimits | None = None) -> MarkdownError:
    with pytest.raises(MarkdownError) as info:
        read_archive(data, "upload.bin", limits or ArchiveLimits())
    assert fragment in str(info.value), str(info.value)
    return info.value


class TestReads:
    def test_zip(self) -> None:
        assert read_archive(make_zip(FILES), "x.zip") == FILES

    def test_tar_gz(self) -> None:
        assert read_archive(make_tar(FILES), "x.tar.gz") == FILES

    def test_plain_tar(self) -> None:
        assert read_archive(make_tar(FILES, gz=False), "x.tar") == FILES

    def test_detected_by_magic_bytes_not_by_name(self) -> None:
        assert read_archive(make_zip(FILES), "x.tar.gz") == FILES
        assert read_archive(make_tar(FILES), "x.zip") == FILES

    def test_directories_are_skipped_and_dot_slash_dropped(self) -> None:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tf:
            folder = tarfile.TarInfo("./epics")
            folder.type = tarfile.DIRTYPE
            tf.addfile(folder)
            info = tarfile.TarInfo("./epics/pay/epic.md")
            info.size = 2
            tf.addfile(info, io.BytesIO(b"hi"))
        assert read_archive(buf.getvalue(), "x.tgz") == {"epics/pay/epic.md": b"hi"}

    def test_windows_separators_are_normalized(self) -> None:
        assert read_archive(make_zip({"epics\\pay\\epic.md": b"x"}), "x.zip") == {
            "epics/pay/epic.md": b"x"
        }

    def test_not_an_archive(self) -> None:
        err = refused(b"just some text", "not a zip or tar.gz archive")
        assert err.file == "upload.bin"

    @pytest.mark.parametrize("data", [make_zip(FILES)[:-30], make_tar(FILES)[:-40]])
    def test_truncated(self, data: bytes) -> None:
        refused(data, "upload.bin")

    def test_corrupt_gzip(self) -> None:
        refused(b"\x1f\x8b\x08\x00" + b"\x00" * 40, "upload.bin")


class TestPathsAndTypes:
    @pytest.mark.parametrize(
        "name",
        [
            "../x.md",
            "/etc/passwd",
            "epics/../../x.md",
            "epics/a/../../../x",
            "C:/x.md",
            "..\\evil.md",
            "\\\\server\\share\\x.md",
        ],
    )
    def test_zip_slip_is_refused_not_skipped(self, name: str) -> None:
        for data in (make_zip({name: b"x"}), make_tar({name: b"x"})):
            err = refused(data, "path")
            assert err.line is None

    def test_duplicate_members_are_refused(self) -> None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("a.md", b"1")
            with pytest.warns(UserWarning, match="Duplicate name"):
                zf.writestr("a.md", b"2")
        refused(buf.getvalue(), "duplicate")

    @pytest.mark.parametrize(
        "kind",
        [tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE],
    )
    def test_tar_links_and_devices_are_refused(self, kind: bytes) -> None:
        info = tarfile.TarInfo("epics/pay/001.md")
        info.type = kind
        info.linkname = "/etc/passwd"
        refused(tar_with(info), "not a regular file")

    def test_zip_symlink_is_refused(self) -> None:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            info = zipfile.ZipInfo("epics/pay/001.md")
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
        refused(buf.getvalue(), "not a regular file")

    def test_encrypted_zip_member_is_refused(self) -> None:
        data = bytearray(make_zip({"a.md": b"x"}, level=6))
        # Set the "encrypted" flag bit in the local header and in the central directory entry.
        data[6] |= 1
        cd = data.rindex(b"PK\x01\x02")
        data[cd + 8] |= 1
        refused(bytes(data), "encrypted")


class TestLimits:
    def test_upload_size(self) -> None:
        refused(make_zip(FILES), "larger than", ArchiveLimits(max_upload_bytes=100))

    def test_member_count_zip_is_checked_before_parsing_the_directory(self) -> None:
        data = make_zip({f"f{i}.md": b"" for i in range(11)})
        refused(data, "more than 10 members", ArchiveLimits(max_members=10))

    def test_member_count_tar(self) -> None:
        data = make_tar({f"f{i}.md": b"" for i in range(11)})
        refused(data, "more than 10 members", ArchiveLimits(max_members=10))

    def test_total_unpacked_size(self) -> None:
        files = {f"f{i}.md": b"x" * 400_000 for i in range(3)}
        limits = ArchiveLimits(max_total_bytes=MiB, max_member_bytes=MiB)
        refused(make_zip(files), "unpacks to more than", limits)
        refused(make_tar(files), "unpacks to more than", limits)

    def test_zip_bomb_member_is_refused_without_inflating_it(self) -> None:
        data = make_zip({"epics/pay/001.md": bytes(16 * MiB)}, level=9)
        assert len(data) < 100_000
        start = time.perf_counter()
        err = refused(data, "larger than 5 MiB")
        assert time.perf_counter() - start < 0.5
        assert err.file == "epics/pay/001.md"

    def test_zip_bomb_with_lying_sizes_is_refused(self) -> None:
        # The headers claim 1 KiB; the deflate stream inflates to 16 MiB.
        data = bytearray(make_zip({"a.md": bytes(16 * MiB)}, level=9))
        struct.pack_into("<I", data, 22, 1024)
        cd = data.rindex(b"PK\x01\x02")
        struct.pack_into("<I", data, cd + 24, 1024)
        start = time.perf_counter()
        refused(bytes(data), "a.md")
        assert time.perf_counter() - start < 0.5

    def test_tar_gz_bomb_member_is_refused_without_inflating_it(self) -> None:
        data = make_tar({"epics/pay/001.md": bytes(16 * MiB)})
        start = time.perf_counter()
        refused(data, "larger than 5 MiB")
        assert time.perf_counter() - start < 0.5

    def test_tar_gz_with_a_huge_pax_header_is_refused_within_the_unpacked_budget(self) -> None:
        info = tarfile.TarInfo("a.md")
        info.pax_headers = {"comment": "z" * (3 * MiB)}
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as tf:
            tf.addfile(info, None)
        limits = ArchiveLimits(max_total_bytes=MiB, max_member_bytes=MiB, max_members=10)
        refused(buf.getvalue(), "unpacks to more than", limits)
