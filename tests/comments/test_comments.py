"""Comments on a task: who may post, read, edit and delete; kinds; the claim's worker; paging."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.board import Board, make_board
from tests.support.claims import call
from tests.support.comments import list_comments, post_comment, task_events
from tests.support.users import UserFactory


class TestPosting:
    async def test_a_member_posts_a_note_with_its_author(self, board: Board) -> None:
        task = await board.task()
        member = await board.member("member")
        response = await post_comment(board, task["key"], by=member, body="Looked *into* it.")
        assert response.status_code == 201, response.text
        comment = response.json()
        assert comment["task"] == task["key"]
        assert comment["kind"] == "note"
        assert comment["worker"] is None
        assert comment["body"] == "Looked *into* it."
        assert comment["author"] == {"id": member.id, "email": member.email, "full_name": ""}
        assert comment["created_at"] == comment["updated_at"]

    async def test_a_post_is_recorded_as_comment_added(self, board: Board) -> None:
        task = await board.task()
        comment = (await post_comment(board, task["key"], body="hello")).json()
        added = [e for e in await task_events(board, task["key"]) if e["type"] == "comment.added"]
        assert [e["data"] for e in added] == [{"comment": comment["id"], "kind": "note"}]

    @pytest.mark.parametrize("kind", ["completion", "handoff"])
    async def test_the_other_kinds_are_accepted(self, board: Board, kind: str) -> None:
        task = await board.task()
        response = await post_comment(board, task["key"], body="b", kind=kind)
        assert response.status_code == 201, response.text
        assert response.json()["kind"] == kind

    async def test_the_claims_token_names_its_worker(self, board: Board) -> None:
        task = await board.task()
        token = (await call(board, task["key"], "claim", worker="agent-7")).json()["claim_token"]
        response = await post_comment(board, task["key"], body="halfway", claim_token=token)
        assert response.status_code == 201, response.text
        assert response.json()["worker"] == "agent-7"

    async def test_a_stale_claim_token_is_claim_lost(self, board: Board) -> None:
        task = await board.task()
        response = await post_comment(board, task["key"], body="x", claim_token="not-a-token")
        assert response.status_code == 409
        assert response.json()["code"] == "claim_lost"
        assert (await list_comments(board, task["key"])).json()["items"] == []

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"body": ""}, "body"),
            ({"body": "x" * 65_537}, "body"),
            ({"body": "nul\x00"}, "body"),
            ({"body": "x", "kind": "shout"}, "kind"),
            ({"body": "x", "worker": "me"}, "worker"),
            ({}, "body"),
        ],
    )
    async def test_bad_bodies_are_422_naming_the_field(
        self, board: Board, body: dict[str, Any], field: str
    ) -> None:
        task = await board.task()
        response = await post_comment(board, task["key"], **body)
        assert response.status_code == 422, response.text
        assert field in [error["loc"][-1] for error in response.json()["errors"]]

    async def test_the_longest_body_is_kept_whole(self, board: Board) -> None:
        task = await board.task()
        body = "é\n" * 32_768
        response = await post_comment(board, task["key"], body=body)
        assert response.status_code == 201, response.text
        assert (await list_comments(board, task["key"])).json()["items"][0]["body"] == body

    async def test_a_viewer_may_read_but_not_post(self, board: Board) -> None:
        task = await board.task()
        await post_comment(board, task["key"], body="by the owner")
        viewer = await board.member("viewer")
        refused = await post_comment(board, task["key"], by=viewer, body="me too")
        assert refused.status_code == 403
        listed = await list_comments(board, task["key"], by=viewer)
        assert listed.status_code == 200
        assert [c["body"] for c in listed.json()["items"]] == ["by the owner"]

    async def test_a_stranger_gets_404_for_reading_and_posting(
        self, board: Board, users: UserFactory
    ) -> None:
        task = await board.task()
        stranger = await users.create()
        assert (await post_comment(board, task["key"], by=stranger, body="x")).status_code == 404
        assert (await list_comments(board, task["key"], by=stranger)).status_code == 404

    async def test_a_task_that_does_not_exist_is_404(self, board: Board) -> None:
        assert (await post_comment(board, "WEB-99", body="x")).status_code == 404
        assert (await list_comments(board, "WEB-99")).status_code == 404


class TestListing:
    async def test_comments_page_oldest_first(self, board: Board) -> None:
        task = await board.task()
        other = await board.task()
        for index in range(5):
            await post_comment(board, task["key"], body=f"c{index}")
        await post_comment(board, other["key"], body="elsewhere")
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = (
                {"limit": 2} if cursor is None else {"limit": 2, "cursor": cursor}
            )
            page = (await list_comments(board, task["key"], **params)).json()
            seen += [c["body"] for c in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == ["c0", "c1", "c2", "c3", "c4"]

    async def test_bad_paging_is_422(self, board: Board) -> None:
        task = await board.task()
        assert (await list_comments(board, task["key"], limit=201)).status_code == 422
        bad = await list_comments(board, task["key"], cursor="@@")
        assert bad.status_code == 422
        assert bad.json()["code"] == "invalid_cursor"


class TestEditing:
    async def test_only_the_author_edits(self, board: Board) -> None:
        task = await board.task()
        member = await board.member("member")
        comment = (await post_comment(board, task["key"], by=member, body="first")).json()
        url = f"/api/v1/comments/{comment['id']}"
        refused = await board.client.patch(url, json={"body": "x"}, headers=board.owner.headers)
        assert refused.status_code == 403
        edited = await board.client.patch(url, json={"body": "second"}, headers=member.headers)
        assert edited.status_code == 200, edited.text
        assert edited.json()["body"] == "second"
        assert edited.json()["kind"] == "note"
        listed = (await list_comments(board, task["key"])).json()["items"]
        assert [c["body"] for c in listed] == ["second"]

    async def test_an_edit_checks_its_body(self, board: Board) -> None:
        task = await board.task()
        comment = (await post_comment(board, task["key"], body="first")).json()
        url = f"/api/v1/comments/{comment['id']}"
        for body in ({"body": ""}, {"body": "x", "kind": "handoff"}):
            response = await board.client.patch(url, json=body, headers=board.owner.headers)
            assert response.status_code == 422, response.text

    async def test_a_comment_of_another_project_is_404(
        self, board: Board, users: UserFactory
    ) -> None:
        task = await board.task()
        comment = (await post_comment(board, task["key"], body="private")).json()
        other = await make_board(board.client, users, key="OPS")
        url = f"/api/v1/comments/{comment['id']}"
        patched = await board.client.patch(url, json={"body": "x"}, headers=other.owner.headers)
        deleted = await board.client.delete(url, headers=other.owner.headers)
        assert (patched.status_code, deleted.status_code) == (404, 404)
        missing = await board.client.delete("/api/v1/comments/999999", headers=board.owner.headers)
        assert missing.status_code == 404


class TestDeleting:
    async def test_the_author_deletes(self, board: Board) -> None:
        task = await board.task()
        member = await board.member("member")
        comment = (await post_comment(board, task["key"], by=member, body="oops")).json()
        url = f"/api/v1/comments/{comment['id']}"
        other = await board.member("member")
        assert (await board.client.delete(url, headers=other.headers)).status_code == 403
        assert (await board.client.delete(url, headers=member.headers)).status_code == 204
        assert (await list_comments(board, task["key"])).json()["items"] == []

    @pytest.mark.parametrize("role", ["admin", "owner"])
    async def test_an_admin_deletes_anyones(self, board: Board, role: str) -> None:
        task = await board.task()
        member = await board.member("member")
        comment = (await post_comment(board, task["key"], by=member, body="spam")).json()
        remover = board.owner if role == "owner" else await board.member("admin")
        url = f"/api/v1/comments/{comment['id']}"
        assert (await board.client.delete(url, headers=remover.headers)).status_code == 204

    async def test_a_viewer_may_not_delete_anothers_comment(self, board: Board) -> None:
        task = await board.task()
        viewer = await board.member("viewer")
        comment = (await post_comment(board, task["key"], body="mine")).json()
        url = f"/api/v1/comments/{comment['id']}"
        assert (await board.client.delete(url, headers=viewer.headers)).status_code == 403

    async def test_deleting_the_task_deletes_its_comments(self, board: Board) -> None:
        task = await board.task()
        comment = (await post_comment(board, task["key"], body="gone soon")).json()
        deleted = await board.client.delete(
            f"/api/v1/tasks/{task['key']}", headers=board.owner.headers
        )
        assert deleted.status_code == 204
        url = f"/api/v1/comments/{comment['id']}"
        assert (await board.client.delete(url, headers=board.owner.headers)).status_code == 404
