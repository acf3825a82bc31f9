"""Every feature router under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from epicflow.auth.routes import auth_router, users_router
from epicflow.claims.routes import router as claims_router
from epicflow.comments.routes import router as comments_router
from epicflow.epics.routes import router as epics_router
from epicflow.events.routes import router as events_router
from epicflow.planning.routes import router as planning_router
from epicflow.projects.routes import router as projects_router
from epicflow.tasks.routes import router as tasks_router
from epicflow.transfer.routes import router as transfer_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(auth_router)
api_router.include_router(users_router)
api_router.include_router(projects_router)
api_router.include_router(epics_router)
api_router.include_router(tasks_router)
api_router.include_router(events_router)
api_router.include_router(claims_router)
api_router.include_router(comments_router)
api_router.include_router(planning_router)
api_router.include_router(transfer_router)
