"""A FastAPI (ASGI) application as a Lambda function, through Mangum.

The application is ordinary FastAPI: it runs unchanged under ``uvicorn``. ``handler`` is
the function's entry point: Mangum turns an API Gateway or function URL event (payload
format 1.0 or 2.0) into an ASGI request and the response back into the proxy result.
``lifespan="off"``: a function has no server start-up to hook into.
"""

from fastapi import FastAPI, Request
from mangum import Mangum
from pydantic import BaseModel

app = FastAPI()


class Item(BaseModel):
    name: str
    count: int = 1


@app.get("/")
def index(request: Request) -> dict[str, str]:
    return {"framework": "fastapi", "path": request.url.path}


@app.get("/items/{item_id}")
def read_item(item_id: int, q: str | None = None) -> dict[str, object]:
    return {"item_id": item_id, "q": q}


@app.post("/items", status_code=201)
def create_item(item: Item) -> Item:
    return item


handler = Mangum(app, lifespan="off")
