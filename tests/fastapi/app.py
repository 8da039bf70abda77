"""The Optimly External API as a FastAPI team would write it from the three documentation pages.

One more reading of the docs, but FastAPI's behaviour in it is real: pydantic response models
whose unset ``Optional`` fields are sent as ``null``, ``{"detail": ...}`` errors, 422 validation
items, trailing-slash redirects, Starlette's plain-text 500, and ``/openapi.json`` as FastAPI
writes it (OpenAPI 3.1).

Run by the workspace tests (``tests/tests/fastapi_contract.rs``) with uvicorn on 127.0.0.1:

    OPTIMLY_APP_KEY=agt_... OPTIMLY_APP_AUTH=security|parameters python -m uvicorn app:app

``OPTIMLY_APP_AUTH`` picks how the key is declared, the two ways FastAPI apps do it: security
schemes (``HTTPBearer``, ``APIKeyHeader``, ``APIKeyQuery``) or plain ``Header()``/``Query()``
parameters on every operation.

Its ``/openapi.json`` (served with the key) is the vendor document ``cargo xtask spec import``
is tested on (``tests/tests/spec_import.rs``). It differs from ``openapi/v3.yaml`` on purpose,
where a vendor's own spec would: ``AgentRequest.content`` has a ``maxLength``, ``Chat.status``
is a closed ``Literal``, ``Chat.last_activity`` is renamed ``last_message_at``, and two models
have names of their own (``ReplyMetadata``, ``InlineReply``), which change no Rust name.
"""

import itertools
import os
import re
from datetime import date, datetime, timezone
from typing import Annotated, Any, Dict, List, Literal, Optional

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from fastapi.security import APIKeyHeader, APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

KEY = os.environ["OPTIMLY_APP_KEY"]  # the runner (tests/src/fastapi.rs) names it
AUTH = os.environ.get("OPTIMLY_APP_AUTH", "security")

# ---- models (field names as the pages document them)


class AgentRequest(BaseModel):
    chat_id: str
    content: str = Field(max_length=4000)
    metadata: Optional[Dict[str, Any]] = None


class ToolExecution(BaseModel):
    tool: Optional[str] = None
    status: Optional[str] = None
    data: Optional[Dict[str, Any]] = None


class ReplyMetadata(BaseModel):
    # "Other keys may appear" (the SDK keeps them).
    model_config = ConfigDict(extra="allow")

    processing_time: Optional[float] = None
    tokens_used: Optional[int] = None
    knowledge_chunks_used: Optional[int] = None


class AgentReply(BaseModel):
    agent_id: Optional[str] = None
    chat_id: Optional[str] = None
    response: str
    message_id: Optional[str] = None
    timestamp: Optional[str] = None
    tools_executed: Optional[List[ToolExecution]] = None
    handoff_data: Optional[Dict[str, Any]] = None
    metadata: Optional[ReplyMetadata] = None


class ChatBase(BaseModel):
    client_id: str
    ai_enabled: bool = True
    lead_collected: Optional[bool] = None
    metadata: Optional[Dict[str, Any]] = None


class Chat(BaseModel):
    chat_id: str
    agent_id: Optional[str] = None
    client_id: Optional[str] = None
    ai_enabled: Optional[bool] = None
    lead_collected: Optional[bool] = None
    status: Optional[Literal["active"]] = None
    metadata: Optional[Dict[str, Any]] = None
    created_at: Optional[str] = None
    # Named `last_activity` in the docs; renamed here on purpose, so that importing this app's
    # document shows a renamed field (tests/tests/spec_import.rs).
    last_message_at: Optional[str] = None
    message_count: Optional[int] = None


class MessageCore(BaseModel):
    chat_id: str
    sender: Literal["user", "assistant"]
    content: str
    metadata: Optional[Dict[str, Any]] = None


class InlineReply(BaseModel):
    message_id: Optional[str] = None
    content: Optional[str] = None
    timestamp: Optional[str] = None


class Message(BaseModel):
    message_id: str
    chat_id: Optional[str] = None
    sender: Optional[str] = None
    content: Optional[str] = None
    metadata: Optional[Dict[str, Any]] = None
    created_at: Optional[str] = None
    timestamp: Optional[str] = None
    processed: Optional[bool] = None
    agent_response: Optional[InlineReply] = None


class EmailHandoffRequest(BaseModel):
    chat_id: str
    customer_email: Optional[str] = None
    reason: Optional[str] = None
    context: Optional[str] = None
    metadata: Optional[Dict[str, Any]] = None


class EmailHandoff(BaseModel):
    handoff_id: str
    status: Optional[str] = None
    chat_id: Optional[str] = None


# ---- auth: one key, any of the three documented ways


def _check(presented: Optional[str]) -> None:
    if not presented:
        raise HTTPException(status_code=401, detail="Not authenticated")
    if presented != KEY:
        raise HTTPException(status_code=401, detail="Invalid API key")


if AUTH == "parameters":

    def authenticated(
        authorization: Annotated[Optional[str], Header()] = None,
        x_api_key: Annotated[Optional[str], Header()] = None,
        access_token_query: Annotated[Optional[str], Query()] = None,
    ) -> None:
        bearer = authorization[7:] if authorization and authorization.startswith("Bearer ") else None
        _check(bearer or x_api_key or access_token_query)

else:
    bearer_scheme = HTTPBearer(auto_error=False)
    header_scheme = APIKeyHeader(name="X-API-Key", auto_error=False)
    query_scheme = APIKeyQuery(name="access_token_query", auto_error=False)

    def authenticated(
        bearer: Annotated[Optional[HTTPAuthorizationCredentials], Depends(bearer_scheme)],
        header: Annotated[Optional[str], Depends(header_scheme)],
        query: Annotated[Optional[str], Depends(query_scheme)],
    ) -> None:
        _check((bearer.credentials if bearer else None) or header or query)


# `/openapi.json` is served behind the key too, as an API that keeps its spec private would.
app = FastAPI(
    title="Optimly External API",
    version="3.0.0",
    dependencies=[Depends(authenticated)],
    openapi_url=None,
    docs_url=None,
    redoc_url=None,
)


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Dict[str, Any]:
    return app.openapi()

# ---- state

_ids = itertools.count(1)
chats: Dict[str, Chat] = {}
messages: Dict[str, List[Message]] = {}
handoffs: List[Dict[str, Any]] = []


def _id(prefix: str) -> str:
    return f"{prefix}_{next(_ids)}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _chat(chat_id: str) -> Chat:
    if chat_id not in chats:
        raise HTTPException(status_code=404, detail="Chat not found")
    return chats[chat_id]


EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _reply(chat_id: str, content: str) -> AgentReply:
    """The agent: the tools page's automatic tool detection, answered in one sentence."""
    if content == "raise an unhandled error":
        raise RuntimeError("the agent crashed")
    tools: List[ToolExecution] = []
    handoff_data = None
    email = EMAIL.search(content)
    if email:
        tools.append(ToolExecution(tool="lead_capture", status="executed", data={"email": email.group(0)}))
    if "human" in content.lower():
        handoff_id = _id("handoff")
        handoffs.append({"handoff_id": handoff_id, "chat_id": chat_id, "source": "agent"})
        tools.append(ToolExecution(tool="email_handoff", status="executed"))
        handoff_data = {"handoff_id": handoff_id, "status": "queued"}
    text = "Thanks, noted." if tools else "Hello! How can I help?"
    stored = Message(
        message_id=_id("msg"), chat_id=chat_id, sender="assistant", content=text, timestamp=_now()
    )
    messages[chat_id].append(stored)
    return AgentReply(
        chat_id=chat_id,
        response=text,
        message_id=stored.message_id,
        timestamp=stored.timestamp,
        # Unset when no tool ran: FastAPI sends `"tools_executed": null`.
        tools_executed=tools or None,
        handoff_data=handoff_data,
    )


def _ask(body: AgentRequest) -> AgentReply:
    _chat(body.chat_id)
    messages[body.chat_id].append(
        Message(
            message_id=_id("msg"),
            chat_id=body.chat_id,
            sender="user",
            content=body.content,
            metadata=body.metadata,
            timestamp=_now(),
        )
    )
    return _reply(body.chat_id, body.content)


@app.post("/external/agent", response_model=AgentReply, deprecated=True)
def call_agent(body: AgentRequest) -> AgentReply:
    return _ask(body)


@app.post("/external/agent/v2", response_model=AgentReply)
def call_agent_v2(body: AgentRequest) -> AgentReply:
    return _ask(body)


@app.post("/external/agent/v3", response_model=AgentReply)
def call_agent_v3(body: AgentRequest) -> AgentReply:
    return _ask(body)


def _create(body: ChatBase) -> Chat:
    chat = Chat(
        chat_id=_id("chat"),
        client_id=body.client_id,
        ai_enabled=body.ai_enabled,
        lead_collected=body.lead_collected,
        status="active",
        metadata=body.metadata,
        created_at=_now(),
    )
    chats[chat.chat_id] = chat
    messages[chat.chat_id] = []
    return chat


@app.post("/external/chat", response_model=Chat)
def create_chat(body: ChatBase) -> Chat:
    return _create(body)


@app.post("/external/message/new-chat", response_model=Chat)
def new_chat(body: ChatBase) -> Chat:
    return _create(body)


@app.get("/external/chat/{chat_id}/messages", response_model=List[Message])
def get_messages_from_chat(chat_id: str) -> List[Message]:
    _chat(chat_id)
    return messages[chat_id]


@app.get("/external/chat/{client_id}/chats", response_model=List[Chat])
def get_client_chats(client_id: str) -> List[Chat]:
    listed = []
    for chat in chats.values():
        if chat.client_id == client_id:
            history = messages[chat.chat_id]
            last = history[-1].timestamp or history[-1].created_at if history else chat.created_at
            listed.append(chat.model_copy(update={"message_count": len(history), "last_message_at": last}))
    return listed


@app.post("/external/message/new-message", response_model=Message)
def new_message(body: MessageCore) -> Message:
    _chat(body.chat_id)
    metadata = body.metadata or {}
    if metadata.get("form_type") == "appointment_request" and "date" in metadata:
        if date.fromisoformat(str(metadata["date"])) < date.today():
            raise HTTPException(status_code=422, detail="Unable to schedule appointment for past date")
    stored = Message(
        message_id=_id("msg"),
        chat_id=body.chat_id,
        sender=body.sender,
        content=body.content,
        metadata=body.metadata,
        created_at=_now(),
    )
    messages[body.chat_id].append(stored)
    if metadata.get("form_type") == "lead_capture":
        chats[body.chat_id].lead_collected = True
    if body.sender == "user" and chats[body.chat_id].ai_enabled:
        reply = _reply(body.chat_id, body.content)
        stored = stored.model_copy(
            update={
                "processed": True,
                "agent_response": InlineReply(
                    message_id=reply.message_id, content=reply.response, timestamp=reply.timestamp
                ),
            }
        )
    return stored


@app.post("/external/message/email-handoff", response_model=EmailHandoff)
def email_handoff(body: EmailHandoffRequest) -> EmailHandoff:
    _chat(body.chat_id)
    handoff = EmailHandoff(handoff_id=_id("handoff"), status="queued", chat_id=body.chat_id)
    handoffs.append({**body.model_dump(), "handoff_id": handoff.handoff_id, "source": "request"})
    return handoff
