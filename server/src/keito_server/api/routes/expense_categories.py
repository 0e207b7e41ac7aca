"""Expense Categories in both dialects: parse, call services, serialize. (Routes to be added.)"""

from __future__ import annotations

from fastapi import APIRouter

v2 = APIRouter(prefix="/api/v2/expense_categories", tags=["Expense Categories"])
v1 = APIRouter(prefix="/v1/expense-categories", tags=["v1 Expense Categories"])
