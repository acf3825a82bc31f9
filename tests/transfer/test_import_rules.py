"""Import: references, cycles, folders and values, checked as the API would check them."""

from __future__ import annotations

from httpx import AsyncClient

from tests.support.board import Board
from tests.support.transfer import (
    PAYMENT,
    all_tasks,
    bundle_bytes,
    epic_file,
    export_markdown,
    folder_files,
    import_archive,
    imported,
    payment_zip,
    task_file,
    zip_of,
)


class TestReferences:
    async def test_refs_across_epics_resolve(self, client: AsyncClient, board: Board) -> None:
        files = {
            "epics/api/001.md": task_file("Build the api"),
            "epics/web/001.md": task_file("Build the page", depends_on="[api/001]"),
        }
        report = await imported(client, board.owner, "WEB", zip_of(files))
        page = await board.get(report["tasks"]["web/001"])
        assert page["depends_on"] == [report["tasks"]["api/001"]]

    async def test_a_ref_may_name_a_task_imported_earlier(
        self, client: AsyncClient, board: Board
    ) -> None:
        first = await imported(
            client, board.owner, "WEB", zip_of({"epics/api/001.md": task_file("Build the api")})
        )
        files = {"epics/web/001.md": task_file("Build the page", depends_on="[api/001]")}
        report = await imported(client, board.owner, "WEB", zip_of(files))
        page = await board.get(report["tasks"]["web/001"])
        assert page["depends_on"] == [first["tasks"]["api/001"]]

    async def test_an_unknown_ref_names_the_file_and_line(
        self, client: AsyncClient, board: Board
    ) -> None:
        files = {"epics/web/001.md": task_file("Build the page", depends_on="[007]")}
        response = await import_archive(client, board.owner, "WEB", zip_of(files))
        assert response.status_code == 422
        body = response.json()
        assert (body["code"], body["file"], body["line"]) == ("unknown_task", "epics/web/001.md", 3)
        assert "web/007" in body["detail"]
        assert await all_tasks(client, board.owner, "WEB") == []

    async def test_a_task_naming_itself_is_refused(self, client: AsyncClient, board: Board) -> None:
        files = {"epics/web/001.md": task_file("Loop", conflicts_with="[001]")}
        response = await import_archive(client, board.owner, "WEB", zip_of(files))
        assert response.status_code == 422
        assert response.json()["code"] == "self_reference"

    async def test_an_unknown_assignee_is_refused(self, client: AsyncClient, board: Board) -> None:
        files = {"epics/web/001.md": task_file("Someone", assignee="nobody@example.com")}
        response = await import_archive(client, board.owner, "WEB", zip_of(files))
        assert response.status_code == 422
        assert (response.json()["code"], response.json()["line"]) == ("unknown_user", 3)

    async def test_a_member_may_be_assigned_by_email(
        self, client: AsyncClient, board: Board
    ) -> None:
        member = await board.member("member")
        files = {"epics/web/001.md": task_file("Someone", assignee=member.email.upper())}
        report = await imported(client, board.owner, "WEB", zip_of(files))
        assert (await board.get(report["tasks"]["web/001"]))["assignee"] == member.id


class TestCycles:
    async def test_a_cycle_in_the_upload_is_refused_with_its_path(
        self, client: AsyncClient, board: Board
    ) -> None:
        files = {
            "epics/web/001.md": task_file("First", depends_on="[002]"),
            "epics/web/002.md": task_file("Second", depends_on="[003]"),
            "epics/web/003.md": task_file("Third", depends_on="[001]"),
        }
        response = await import_archive(client, board.owner, "WEB", zip_of(files))
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "dependency_cycle"
        assert body["cycle"][0] == body["cycle"][-1]
        assert set(body["cycle"]) == {"web/001", "web/002", "web/003"}
        assert body["file"].startswith("epics/web/")
        assert await all_tasks(client, board.owner, "WEB") == []

    async def test_a_cycle_through_a_task_outside_the_upload_is_refused(
        self, client: AsyncClient, board: Board
    ) -> None:
        first = await imported(
            client, board.owner, "WEB", zip_of({"epics/web/001.md": task_file("First")})
        )
        key = first["tasks"]["web/001"]
        later = await board.task("Later", depends_on=[key])
        # A task without an epic is exported as unassigned/001: a file may name it so.
        files = {"epics/web/001.md": task_file("First", depends_on="[unassigned/001]")}
        response = await import_archive(client, board.owner, "WEB", zip_of(files))
        assert response.status_code == 409, response.text
        assert response.json()["cycle"] == ["web/001", later["key"], "web/001"]
        assert (await board.get(key))["depends_on"] == []


class TestRulesTwoToFourAreNotApplied:
    async def test_a_task_done_before_its_dependency_is_restored_as_written(
        self, client: AsyncClient, board: Board
    ) -> None:
        files = {
            "epics/web/001.md": task_file("First"),
            "epics/web/002.md": task_file("Second", depends_on="[001]", status="closed"),
            "epics/web/003.md": task_file("Third", depends_on="[001]", status="in-progress"),
        }
        report = await imported(client, board.owner, "WEB", zip_of(files))
        assert (await board.get(report["tasks"]["web/002"]))["status"] == "done"
        assert (await board.get(report["tasks"]["web/003"]))["status"] == "in_progress"


class TestFolders:
    async def test_a_folder_without_epic_md_creates_its_epic_and_unassigned_has_none(
        self, client: AsyncClient, board: Board
    ) -> None:
        files = {"epics/docs/001.md": task_file("Write"), "epics/unassigned/001.md": task_file("X")}
        report = await imported(client, board.owner, "WEB", zip_of(files))
        assert report["created"] == {"epics": 1, "tasks": 2}
        assert (await board.get(report["tasks"]["docs/001"]))["epic"] == "docs"
        assert (await board.get(report["tasks"]["unassigned/001"]))["epic"] is None
        files["epics/docs/epic.md"] = epic_file("docs", "The docs")
        again = await imported(client, board.owner, "WEB", zip_of(files))
        assert again["updated"] == {"epics": 1, "tasks": 0}

    async def test_a_renamed_file_with_its_key_moves_the_task(
        self, client: AsyncClient, board: Board
    ) -> None:
        first = await imported(client, board.owner, "WEB", payment_zip())
        key = first["tasks"]["payment-webhooks/006"]
        files = folder_files(PAYMENT, "epics/payment-webhooks")
        text = files.pop("epics/payment-webhooks/006.md").decode()
        moved = text.replace("---\n", f"---\nkey: {key}\n", 1)
        files["epics/payment-webhooks/016.md"] = moved.encode()
        report = await imported(client, board.owner, "WEB", zip_of(files))
        assert report["tasks"]["payment-webhooks/016"] == key
        assert report["updated"]["tasks"] == 1
        exported = await export_markdown(client, board.owner, "WEB")
        assert "epics/payment-webhooks/016.md" in exported
        assert "epics/payment-webhooks/006.md" not in exported


class TestValues:
    async def test_a_title_with_a_tab_is_refused_as_the_api_would(
        self, client: AsyncClient, board: Board
    ) -> None:
        files = {"epics/web/001.md": "---\nname: x\n---\n\n# Task: a\tb\n"}
        response = await import_archive(client, board.owner, "WEB", zip_of(files))
        assert response.status_code == 422
        assert (response.json()["file"], response.json()["line"]) == ("epics/web/001.md", 5)

    async def test_a_claim_ends_when_the_file_says_the_task_is_no_longer_running(
        self, client: AsyncClient, board: Board
    ) -> None:
        task = await board.task("Run")
        claimed = await client.post(
            f"/api/v1/tasks/{task['key']}/claim", json={"worker": "w1"}, headers=board.owner.headers
        )
        assert claimed.status_code == 201, claimed.text
        files = {"epics/web/001.md": task_file("Run", key=task["key"], status="closed")}
        await imported(client, board.owner, "WEB", zip_of(files))
        after = await board.get(task["key"])
        assert (after["status"], after["claimed_by"]) == ("done", None)

    async def test_a_bundle_naming_an_unknown_epic_is_refused(
        self, client: AsyncClient, board: Board
    ) -> None:
        bundle = {"tasks": [{"key": "WEB-1", "title": "T", "epic": "nowhere"}]}
        response = await import_archive(client, board.owner, "WEB", bundle_bytes(bundle))
        assert response.status_code == 422
        assert response.json()["code"] == "unknown_epic"
        assert "tasks[0] (WEB-1)" in response.json()["detail"]
