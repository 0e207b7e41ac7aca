"""Users in both dialects: parse, call services, serialize. (Routes to be added.)"""

from __future__ import annotations

from fastapi import APIRouter

v2 = APIRouter(prefix="/api/v2/users", tags=["Users"])
v1 = APIRouter(prefix="/v1/users", tags=["v1 Users"])
