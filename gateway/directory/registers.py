"""/api/v1/registers: the directory of registers, for logged-in users."""

from __future__ import annotations

from werkzeug.wrappers import Request

from gateway.http import api
from gateway.route import API, Route
from services.directory.schemas.registers import (
    NewRegisterSchema,
    RegisterPageSchema,
    RegisterQuerySchema,
    RegisterSchema,
    RegisterTranslationSchema,
    RegisterUpdateSchema,
)

_ONE = f"{API}/registers/{{register_id}}"
_TAG = "registers"
_CHANGE_ERRORS = (403, 404, 409)

ROUTES = (
    Route(
        "create_register", "POST", f"{API}/registers",
        "Add a register kept by an authority (its local data administrators, its coordinators "
        "or the Commission)", _TAG,
        body=NewRegisterSchema, response=RegisterSchema, statuses=(201,), authenticated=True,
        errors=(403, 404), location=f"{API}/registers/{{id}}",
    ),
    Route(
        "search_registers", "GET", f"{API}/registers",
        "Search registers by words of their names or contents in any language", _TAG,
        query=RegisterQuerySchema, response=RegisterPageSchema, authenticated=True,
    ),
    Route(
        "get_register", "GET", _ONE, "One register, in the reader's language", _TAG,
        response=RegisterSchema, authenticated=True, errors=(404,),
    ),
    Route(
        "update_register", "PATCH", _ONE,
        "Change a register; new source texts mark its translations outdated", _TAG,
        body=RegisterUpdateSchema, response=RegisterSchema, authenticated=True,
        errors=_CHANGE_ERRORS,
    ),
    Route(
        "delete_register", "DELETE", _ONE, "Remove a register from the directory", _TAG,
        statuses=(204,), authenticated=True, errors=(403, 404),
    ),
    Route(
        "translate_register", "PUT", f"{_ONE}/translations/{{language}}",
        "Set a register's texts in one language", _TAG,
        body=RegisterTranslationSchema, response=RegisterSchema, authenticated=True,
        errors=_CHANGE_ERRORS,
    ),
)  # fmt: skip


class RegistersApi:
    """Entry points of GatewayService (which provides ``gate`` and ``directory``)."""

    @api
    def create_register(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).create_register(call.actor, call.body)

    @api
    def search_registers(self, request: Request) -> dict:
        call = self.gate.admit(request)
        return self.directory.search_registers(call.actor, call.query)

    @api
    def get_register(self, request: Request, register_id: str) -> dict:
        call = self.gate.admit(request)
        return self.directory.get_register(call.actor, register_id)

    @api
    def update_register(self, request: Request, register_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).update_register(call.actor, register_id, call.body)

    @api
    def delete_register(self, request: Request, register_id: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).delete_register(call.actor, register_id)

    @api
    def translate_register(self, request: Request, register_id: str, language: str) -> dict:
        call = self.gate.admit(request)
        return call.rpc(self.directory).translate_register(
            call.actor, register_id, language, call.body
        )
