"""Expenses in both dialects: parse, call services, serialize. (Routes to be added.)"""

from __future__ import annotations

from fastapi import APIRouter

v2 = APIRouter(prefix="/api/v2/expenses", tags=["Expenses"])
v1 = APIRouter(prefix="/v1/expenses", tags=["v1 Expenses"])
