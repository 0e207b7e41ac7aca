"""Tasks in both dialects: parse, call services, serialize. (Routes to be added.)"""

from __future__ import annotations

from fastapi import APIRouter

v2 = APIRouter(prefix="/api/v2/tasks", tags=["Tasks"])
v1 = APIRouter(prefix="/v1/tasks", tags=["v1 Tasks"])
