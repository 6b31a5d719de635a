"""get_file against a real HTTP server on loopback and against local paths (no internet)."""
import hashlib
import io
import os
import tarfile
import zipfile

import pytest

import keraslite
from keraslite.utils import archive_utils, file_utils
from local_http import local_server


@pytest.fixture
def server():
    with local_server() as s:
        yield s


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tar(members: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _tar_with_link(name: str, target: str, symlink=True) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo(name)
        info.type = tarfile.SYMTYPE if symlink else tarfile.LNKTYPE
        info.linkname = target
        archive.addfile(info)
    return buffer.getvalue()


def _zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_downloads_verifies_and_caches(server, tmp_path):
    data = os.urandom(3000)
    server.files["/data.bin"] = data
    path = keraslite.utils.get_file(origin=server.url + "/data.bin", file_hash=_sha256(data),
                                    cache_dir=tmp_path)
    assert path == str(tmp_path / "datasets" / "data.bin")
    assert open(path, "rb").read() == data
    # Cached: a second call does not fetch again; force_download does.
    assert keraslite.utils.get_file("data.bin", server.url + "/data.bin", cache_dir=tmp_path) == path
    assert server.requests["/data.bin"] == 1
    keraslite.utils.get_file("data.bin", server.url + "/data.bin", cache_dir=tmp_path,
                             force_download=True)
    assert server.requests["/data.bin"] == 2
    # No temporaries are left beside the file.
    assert os.listdir(tmp_path / "datasets") == ["data.bin"]


def test_md5_and_cache_subdir(server, tmp_path):
    data = b"hello keraslite" * 10
    server.files["/x.txt"] = data
    path = keraslite.utils.get_file("renamed.txt", server.url + "/x.txt",
                                    md5_hash=hashlib.md5(data).hexdigest(),
                                    cache_subdir="mine", cache_dir=tmp_path)
    assert path == str(tmp_path / "mine" / "renamed.txt")
    assert file_utils.validate_file(path, hashlib.md5(data).hexdigest())
    assert file_utils.hash_file(path) == _sha256(data)


def test_keraslite_home_is_the_default_cache(server, tmp_path, monkeypatch):
    monkeypatch.setenv("KERASLITE_HOME", str(tmp_path / "home"))
    server.files["/a.bin"] = b"abc"
    path = keraslite.utils.get_file(origin=server.url + "/a.bin")
    assert path == str(tmp_path / "home" / "datasets" / "a.bin")


def test_corrupt_download_is_refused_and_not_cached(server, tmp_path):
    server.files["/d.bin"] = b"corrupted bytes"
    with pytest.raises(ValueError, match="sha256.*expected"):
        keraslite.utils.get_file(origin=server.url + "/d.bin", file_hash=_sha256(b"good bytes"),
                                 cache_dir=tmp_path)
    assert os.listdir(tmp_path / "datasets") == []


def test_truncated_download_is_refused_and_not_cached(server, tmp_path):
    data = os.urandom(5000)
    server.files["/t.bin"] = data
    server.truncate["/t.bin"] = 1000
    with pytest.raises(file_utils.DownloadError, match="truncated"):
        keraslite.utils.get_file(origin=server.url + "/t.bin", cache_dir=tmp_path)
    assert os.listdir(tmp_path / "datasets") == []


def test_cached_file_with_wrong_hash_is_fetched_again(server, tmp_path):
    data = b"the real data"
    server.files["/r.bin"] = data
    folder = tmp_path / "datasets"
    folder.mkdir()
    (folder / "r.bin").write_bytes(b"stale")
    path = keraslite.utils.get_file(origin=server.url + "/r.bin", file_hash=_sha256(data),
                                    cache_dir=tmp_path)
    assert open(path, "rb").read() == data and server.requests["/r.bin"] == 1


def test_offline_error_says_where_to_place_the_file(server, tmp_path):
    with pytest.raises(file_utils.DownloadError) as info:
        keraslite.utils.get_file(origin=server.url + "/missing.npz", file_hash="ab" * 32,
                                 cache_dir=tmp_path)
    message = str(info.value)
    assert "404" in message and str(tmp_path / "datasets" / "missing.npz") in message
    assert "ab" * 32 in message
    # A file placed by hand at that path is then used without the network.
    (tmp_path / "datasets" / "placed.bin").write_bytes(b"x")
    assert keraslite.utils.get_file(origin="http://127.0.0.1:9/placed.bin",
                                    cache_dir=tmp_path).endswith("placed.bin")


def test_unreachable_host_is_a_download_error(tmp_path):
    # Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
    with pytest.raises(file_utils.DownloadError, match="place it by hand"):
        keraslite.utils.get_file(origin="http://127.0.0.1:9/f.bin", cache_dir=tmp_path)


def test_size_limit(server, tmp_path):
    server.files["/big.bin"] = b"x" * 2000
    with pytest.raises(ValueError, match="download limit"):
        keraslite.utils.get_file(origin=server.url + "/big.bin", cache_dir=tmp_path,
                                 max_bytes=1000)
    assert os.listdir(tmp_path / "datasets") == []


def test_local_path_and_file_url(tmp_path):
    source = tmp_path / "src.bin"
    source.write_bytes(b"local data")
    a = keraslite.utils.get_file("a.bin", str(source), cache_dir=tmp_path / "c")
    b = keraslite.utils.get_file("b.bin", source.as_uri(), cache_dir=tmp_path / "c")
    assert open(a, "rb").read() == open(b, "rb").read() == b"local data"


def test_extract_tar_and_zip(server, tmp_path):
    server.files["/pack.tar.gz"] = _tar({"pack/a.txt": b"A", "pack/sub/b.txt": b"B"})
    server.files["/pack.zip"] = _zip({"z/c.txt": b"C"})
    folder = keraslite.utils.get_file("pack.tar.gz", server.url + "/pack.tar.gz",
                                      extract=True, cache_dir=tmp_path)
    assert folder == str(tmp_path / "datasets" / "pack_extracted")
    assert open(os.path.join(folder, "pack", "sub", "b.txt"), "rb").read() == b"B"
    folder = keraslite.utils.get_file(origin=server.url + "/pack.zip", extract=True,
                                      cache_dir=tmp_path)
    assert folder == str(tmp_path / "datasets" / "pack.zip")
    assert open(os.path.join(folder, "z", "c.txt"), "rb").read() == b"C"
    folder = keraslite.utils.get_file("old", server.url + "/pack.tar.gz", untar=True,
                                      cache_dir=tmp_path)
    assert os.path.isfile(os.path.join(folder, "pack", "a.txt"))


@pytest.mark.parametrize("name", ["../evil.txt", "/abs/evil.txt", "ok/../../evil.txt"])
def test_archive_members_escaping_the_folder_are_refused(server, tmp_path, name):
    for kind, blob in (("tar", _tar({name: b"bad"})), ("zip", _zip({name: b"bad"}))):
        server.files[f"/e.{kind}"] = blob
        with pytest.raises(archive_utils.UnsafeArchiveError, match="evil.txt"):
            keraslite.utils.get_file(f"e.{kind}", server.url + f"/e.{kind}", extract=True,
                                     cache_dir=tmp_path)
        assert not (tmp_path / "datasets" / "e_extracted").exists()
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("target,symlink", [("/etc/passwd", True), ("../../outside", True),
                                            ("../outside", False)])
def test_links_out_of_the_folder_are_refused(tmp_path, target, symlink):
    source = tmp_path / "links.tar"
    source.write_bytes(_tar_with_link("dir/link", target, symlink))
    with pytest.raises(archive_utils.UnsafeArchiveError, match="outside"):
        keraslite.utils.get_file("links.tar", str(source), extract=True, cache_dir=tmp_path)


def test_not_an_archive(tmp_path):
    source = tmp_path / "plain.bin"
    source.write_bytes(b"not an archive")
    with pytest.raises(ValueError, match="not a"):
        keraslite.utils.get_file("plain.bin", str(source), extract=True, cache_dir=tmp_path)


@pytest.mark.parametrize("kwargs,match", [
    ({"origin": None}, "origin"),
    ({"origin": "http://127.0.0.1:9/x", "fname": "a/b"}, "fname"),
    ({"origin": "http://127.0.0.1:9/x", "file_hash": "xyz"}, "file_hash"),
    ({"origin": "http://127.0.0.1:9/x", "hash_algorithm": "sha1"}, "hash_algorithm"),
    ({"origin": "gopher://x/y"}, "origin"),
])
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        keraslite.utils.get_file(cache_dir=tmp_path, **kwargs)
