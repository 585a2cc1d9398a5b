"""A function's resource policy: AddPermission, RemovePermission, GetPolicy.

Policies are kept per qualifier (the function, a version, an alias), as on AWS; they gate
invocation by other services, and calls to function URLs (``url_door.py``).
"""

from __future__ import annotations

import json
from typing import Any

from nubes.services.base import RequestContext
from nubes.services.lambda_ import exceptions as exc
from nubes.services.lambda_.arns import FunctionRef
from nubes.services.lambda_.core import LambdaCore
from nubes.services.lambda_.models import FunctionVersion
from nubes.services.lambda_.policy import document, statement

NOT_FOUND = "The resource you requested does not exist."
MAX_POLICY = 20 * 1024


class PermissionOps(LambdaCore):
    def _policy_target(self, ctx: RequestContext, params: dict[str, Any]
                       ) -> tuple[FunctionRef, FunctionVersion]:
        ref = self.ref(ctx, params)
        fv = self.resolve(ref)
        if params.get("RevisionId") and params["RevisionId"] != fv.revision_id:
            raise exc.PreconditionFailed(exc.REVISION_MISMATCH)
        return ref, fv

    def add_permission(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, _ = self._policy_target(ctx, params)
        qualifier = ref.qualifier or ""
        statements = self.store.statements(ref.account_id, ref.region, ref.name, qualifier)
        sid = params["StatementId"]
        if any(s["Sid"] == sid for s in statements):
            raise exc.ResourceConflict(
                f"The statement id ({sid}) provided already exists. Please provide a new "
                "statement id, or remove the existing statement.")
        auth_type = params.get("FunctionUrlAuthType")
        if auth_type is not None and auth_type not in ("NONE", "AWS_IAM"):
            raise exc.Validation(auth_type, "functionUrlAuthType",
                                 "Member must satisfy enum value set: [NONE, AWS_IAM]")
        added = statement(params, ref.qualified_arn)
        statements.append(added)
        size = len(document(statements))
        if size > MAX_POLICY:
            raise exc.PolicyLengthExceeded(
                f"The final policy size ({size}) is bigger than the limit ({MAX_POLICY}).")
        self.store.set_statements(ref.account_id, ref.region, ref.name, qualifier, statements)
        ctx.status = 201
        return {"Statement": json.dumps(added, separators=(",", ":"))}

    def remove_permission(self, ctx: RequestContext, params: dict[str, Any]
                          ) -> dict[str, Any]:
        ref, _ = self._policy_target(ctx, params)
        qualifier = ref.qualifier or ""
        statements = self.store.statements(ref.account_id, ref.region, ref.name, qualifier)
        sid = params["StatementId"]
        kept = [s for s in statements if s["Sid"] != sid]
        if len(kept) == len(statements):
            raise exc.ResourceNotFound(f"Statement {sid} is not found in resource policy.")
        self.store.set_statements(ref.account_id, ref.region, ref.name, qualifier, kept)
        ctx.status = 204
        return {}

    def get_policy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        ref, fv = self._policy_target(ctx, params)
        statements = self.store.statements(ref.account_id, ref.region, ref.name,
                                           ref.qualifier or "")
        if not statements:
            raise exc.ResourceNotFound(NOT_FOUND)
        return {"Policy": document(statements), "RevisionId": fv.revision_id}
