from __future__ import annotations

from httpx import AsyncClient

from tests.support.users import PASSWORD, UserFactory

REGISTER = "/api/v1/auth/register"


class TestRegister:
    async def test_new_user_is_created_without_privileges(self, client: AsyncClient) -> None:
        response = await client.post(
            REGISTER, json={"email": "Ada@Example.com", "password": PASSWORD, "full_name": "Ada"}
        )
        assert response.status_code == 201
        body = response.json()
        assert body["email"] == "ada@example.com"
        assert body["full_name"] == "Ada"
        assert body["is_superuser"] is False
        assert body["is_active"] is True
        assert "password" not in response.text

    async def test_taken_email_is_409_regardless_of_case(self, client: AsyncClient) -> None:
        await client.post(REGISTER, json={"email": "bo@example.com", "password": PASSWORD})
        response = await client.post(
            REGISTER, json={"email": "BO@example.com", "password": PASSWORD}
        )
        assert response.status_code == 409
        assert response.json()["code"] == "email_taken"
        assert response.headers["content-type"] == "application/problem+json"

    async def test_short_password_is_422_naming_the_field(self, client: AsyncClient) -> None:
        response = await client.post(REGISTER, json={"email": "c@example.com", "password": "short"})
        assert response.status_code == 422
        assert ["body", "password"] in [e["loc"] for e in response.json()["errors"]]

    async def test_superuser_flag_in_body_is_refused(self, client: AsyncClient) -> None:
        response = await client.post(
            REGISTER,
            json={"email": "d@example.com", "password": PASSWORD, "is_superuser": True},
        )
        assert response.status_code == 422
        again = await client.post(REGISTER, json={"email": "d@example.com", "password": PASSWORD})
        assert again.json()["is_superuser"] is False


class TestLogin:
    async def test_wrong_password_and_unknown_email_answer_alike(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        wrong = await client.post(
            "/api/v1/auth/token", data={"username": user.email, "password": "wrong-password"}
        )
        unknown = await client.post(
            "/api/v1/auth/token", data={"username": "nobody@example.com", "password": PASSWORD}
        )
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()

    async def test_token_pair_has_the_documented_shape(self, users: UserFactory) -> None:
        user = await users.create()
        tokens = await users.login(user.email)
        assert tokens["token_type"] == "bearer"
        assert tokens["expires_in"] == 900
        assert tokens["refresh_token"] != tokens["access_token"]


class TestRefresh:
    async def test_rotation_spends_the_old_token(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        first = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": user.refresh_token}
        )
        assert first.status_code == 200
        new_refresh = first.json()["refresh_token"]
        assert new_refresh != user.refresh_token
        me = await client.get(
            "/api/v1/users/me", headers={"Authorization": f"Bearer {first.json()['access_token']}"}
        )
        assert me.json()["email"] == user.email

    async def test_reuse_of_a_spent_token_revokes_the_whole_login(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        rotated = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": user.refresh_token}
        )
        successor = rotated.json()["refresh_token"]
        replay = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": user.refresh_token}
        )
        assert replay.status_code == 401
        assert replay.json()["code"] == "token_reused"
        after = await client.post("/api/v1/auth/refresh", json={"refresh_token": successor})
        assert after.status_code == 401

    async def test_reuse_leaves_other_logins_alone(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        other_login = await users.login(user.email)
        await client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
        await client.post("/api/v1/auth/refresh", json={"refresh_token": user.refresh_token})
        still = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": other_login["refresh_token"]}
        )
        assert still.status_code == 200

    async def test_logout_revokes_the_session(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        out = await client.post("/api/v1/auth/logout", json={"refresh_token": user.refresh_token})
        assert out.status_code == 204
        again = await client.post(
            "/api/v1/auth/refresh", json={"refresh_token": user.refresh_token}
        )
        assert again.status_code == 401


class TestProfile:
    async def test_read_and_update_me(self, client: AsyncClient, users: UserFactory) -> None:
        user = await users.create()
        changed = await client.patch(
            "/api/v1/users/me", json={"full_name": "Grace Hopper"}, headers=user.headers
        )
        assert changed.status_code == 200
        me = await client.get("/api/v1/users/me", headers=user.headers)
        assert me.json()["full_name"] == "Grace Hopper"

    async def test_email_change_to_a_taken_one_is_409(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        first = await users.create()
        second = await users.create()
        response = await client.patch(
            "/api/v1/users/me", json={"email": first.email}, headers=second.headers
        )
        assert response.status_code == 409

    async def test_is_superuser_cannot_be_set(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        response = await client.patch(
            "/api/v1/users/me", json={"is_superuser": True}, headers=user.headers
        )
        assert response.status_code == 422
        me = await client.get("/api/v1/users/me", headers=user.headers)
        assert me.json()["is_superuser"] is False


class TestPasswordChange:
    async def test_change_revokes_every_refresh_token(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        second_login = await users.login(user.email)
        response = await client.post(
            "/api/v1/users/me/password",
            json={"current_password": PASSWORD, "new_password": "a brand new password"},
            headers=user.headers,
        )
        assert response.status_code == 204
        for token in (user.refresh_token, second_login["refresh_token"]):
            refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": token})
            assert refreshed.status_code == 401
        await users.login(user.email, "a brand new password")

    async def test_wrong_current_password_is_400(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        response = await client.post(
            "/api/v1/users/me/password",
            json={"current_password": "not my password", "new_password": "another password"},
            headers=user.headers,
        )
        assert response.status_code == 400
        assert response.json()["code"] == "wrong_password"
