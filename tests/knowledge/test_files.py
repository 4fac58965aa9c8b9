"""Files of knowledge articles: the article's staff attach and remove them through the
ticket attachments' checks (size, type by content, sanitised names), every reader of
the article downloads them, and nobody else finds them (404 on the page, the download
and the API alike)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from atiende.knowledge.models import ArticleAttachment, ArticleEvent
from tests.tickets_attachments.conftest import PDF

pytestmark = pytest.mark.django_db
EXECUTABLE = b"MZ\x90\x00" + b"\x00" * 200


def _upload(client, article, name="Guía VPN.pdf", content=PDF):
    return client.post(f"/knowledge/{article.pk}/files/",
                       {"file": SimpleUploadedFile(name, content)})


def _download_path(attachment) -> str:
    return f"/knowledge/{attachment.article_id}/files/{attachment.pk}/"


@pytest.fixture
def internal_file(library, agent_ana, web_client):
    _upload(web_client(agent_ana), library["it_internal"], "Bóveda.pdf")
    return ArticleAttachment.objects.get(article=library["it_internal"])


@pytest.fixture
def public_file(library, agent_ana, web_client):
    _upload(web_client(agent_ana), library["it_public"])
    return ArticleAttachment.objects.get(article=library["it_public"])


def test_staff_attach_a_file_shown_on_the_article(web_client, library, agent_ana):
    # when: Ana attaches a guide to the public IT article
    response = _upload(web_client(agent_ana), library["it_public"], "..\\Guía <em>VPN.pdf")
    # then: stored under an opaque name, the given name sanitised, an article event
    assert response.status_code == 302
    attachment = ArticleAttachment.objects.get()
    assert attachment.file_name == "Guía VPN.pdf"
    assert attachment.file.name.startswith("knowledge/") and "Gu" not in attachment.file.name
    assert (attachment.content_type, attachment.size) == ("application/pdf", len(PDF))
    assert ArticleEvent.objects.filter(article=library["it_public"],
                                       action="file_added").count() == 1
    # and a requester reading the article sees it and downloads it
    page = web_client(library["it_public"].owner).get(f"/knowledge/{library['it_public'].pk}/")
    assert "Guía VPN.pdf" in page.content.decode()


def test_a_requester_downloads_a_public_articles_file(web_client, public_file,
                                                      requester_carla):
    response = web_client(requester_carla).get(_download_path(public_file))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    page = web_client(requester_carla).get(f"/knowledge/{public_file.article_id}/")
    assert "Guía VPN.pdf" in page.content.decode()
    assert 'type="file"' not in page.content.decode()


@pytest.mark.parametrize("who", ["requester_carla", "requester_other_org", "agent_other_org",
                                 "agent_bruno_other_department", "admin_other_org"])
def test_an_internal_articles_file_does_not_exist_for_others(web_client, api_client,
                                                            internal_file, who, request):
    user = request.getfixturevalue(who)
    path = _download_path(internal_file)
    assert web_client(user).get(path).status_code == 404
    api = f"/api/v1/articles/{internal_file.article_id}/files"
    assert api_client(user).get(api).status_code == 404
    assert api_client(user).get(f"{api}/{internal_file.pk}").status_code == 404


@pytest.mark.parametrize("who", ["agent_ana", "lead_lucia", "admin", "provider_admin"])
def test_staff_and_admins_download_an_internal_articles_file(web_client, internal_file, who,
                                                            request):
    response = web_client(request.getfixturevalue(who)).get(_download_path(internal_file))
    assert response.status_code == 200


def test_another_organizations_people_never_get_a_public_file(web_client, public_file,
                                                              requester_other_org):
    assert web_client(requester_other_org).get(_download_path(public_file)).status_code == 404


def test_a_file_is_not_reachable_through_another_article(web_client, public_file, library,
                                                         requester_carla):
    path = f"/knowledge/{library['hr_public'].pk}/files/{public_file.pk}/"
    assert web_client(requester_carla).get(path).status_code == 404


def test_a_draft_articles_file_is_hidden_from_requesters(web_client, library, agent_ana,
                                                         requester_carla):
    _upload(web_client(agent_ana), library["it_draft"])
    attachment = ArticleAttachment.objects.get(article=library["it_draft"])
    assert web_client(requester_carla).get(_download_path(attachment)).status_code == 404


@pytest.mark.parametrize(("who", "status"), [
    ("requester_carla", 403), ("agent_bruno_other_department", 403),
    ("agent_other_org", 404), ("requester_other_org", 404)])
def test_only_the_articles_staff_attach(web_client, library, who, status, request):
    response = _upload(web_client(request.getfixturevalue(who)), library["it_public"])
    assert response.status_code == status
    assert not ArticleAttachment.objects.exists()


@pytest.mark.parametrize(("name", "content", "status"), [
    ("programa.pdf", EXECUTABLE, 415),
    ("programa.exe", EXECUTABLE, 415),
    ("vacío.pdf", b"", 422),
])
def test_bad_files_are_refused_and_nothing_stored(web_client, library, agent_ana, name,
                                                  content, status, settings):
    response = _upload(web_client(agent_ana), library["it_public"], name, content)
    assert response.status_code == status
    assert not ArticleAttachment.objects.exists()
    assert not default_storage.exists("knowledge") or not any(
        files for _root, _dirs, files in _walk("knowledge"))


def _walk(folder):
    directories, files = default_storage.listdir(folder)
    yield folder, directories, files
    for directory in directories:
        yield from _walk(f"{folder}/{directory}")


def test_a_file_over_the_limit_is_refused(web_client, library, agent_ana, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    response = _upload(web_client(agent_ana), library["it_public"])
    assert response.status_code == 413
    assert not ArticleAttachment.objects.exists()


def test_staff_remove_a_file_and_its_stored_copy(web_client, public_file, agent_ana,
                                                 django_capture_on_commit_callbacks):
    stored = public_file.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = web_client(agent_ana).post(
            f"/knowledge/{public_file.article_id}/files/{public_file.pk}/remove/")
    assert response.status_code == 302
    assert not ArticleAttachment.objects.exists()
    assert not default_storage.exists(stored)
    assert ArticleEvent.objects.filter(action="file_removed").count() == 1


def test_a_requester_cannot_remove_a_file(web_client, public_file, requester_carla):
    response = web_client(requester_carla).post(
        f"/knowledge/{public_file.article_id}/files/{public_file.pk}/remove/")
    assert response.status_code == 403
    assert ArticleAttachment.objects.count() == 1


def test_the_api_lists_uploads_downloads_and_removes(api_client, library, agent_ana,
                                                     requester_carla):
    article = library["it_public"]
    base = f"/api/v1/articles/{article.pk}/files"
    created = api_client(agent_ana).post(base, {"file": SimpleUploadedFile("Guía.pdf", PDF)})
    assert created.status_code == 201
    body = created.json()
    assert (body["file_name"], body["size"]) == ("Guía.pdf", len(PDF))
    listed = api_client(requester_carla).get(base).json()
    assert [item["file_name"] for item in listed] == ["Guía.pdf"]
    download = api_client(requester_carla).get(body["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert api_client(requester_carla).delete(f"{base}/{body['id']}").status_code == 403
    assert api_client(agent_ana).delete(f"{base}/{body['id']}").status_code == 204
    assert not ArticleAttachment.objects.exists()


def test_the_article_page_reads_files_in_one_query(web_client, library, agent_ana,
                                                   django_assert_max_num_queries):
    client = web_client(agent_ana)
    for number in range(5):
        _upload(client, library["it_public"], f"Guía {number}.pdf")
    client.get(f"/knowledge/{library['it_public'].pk}/")
    with django_assert_max_num_queries(30) as captured:
        client.get(f"/knowledge/{library['it_public'].pk}/")
    file_queries = [q for q in captured.captured_queries
                    if "knowledge_articleattachment" in q["sql"]]
    assert len(file_queries) == 1


def test_the_attachment_sweep_removes_article_files_no_row_names_and_keeps_the_others(
        public_file, settings):
    import os
    import time
    from pathlib import Path

    from atiende.tickets import attachments

    # given: an old file left in the knowledge folder by an upload that never committed
    orphan = Path(settings.MEDIA_ROOT) / "knowledge/2025/01" / ("c" * 32)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"%PDF-1.4 left behind")
    hours_ago = time.time() - 3 * 3600
    for path in (orphan, Path(settings.MEDIA_ROOT) / public_file.file.name):
        os.utime(path, (hours_ago, hours_ago))

    # when
    report = attachments.sweep_orphan_files()

    # then: only the orphan went; the article's file stays
    assert [swept.name for swept in report.files] == [f"knowledge/2025/01/{'c' * 32}"]
    assert default_storage.exists(public_file.file.name)
    assert not orphan.exists()
