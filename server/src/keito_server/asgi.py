"""The ASGI app for uvicorn workers: ``uvicorn keito_server.asgi:app``. Settings from the environment."""

from keito_server.app import create_app

app = create_app(freeze_heap=True)
