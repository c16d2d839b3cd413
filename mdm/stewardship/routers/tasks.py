"""``/api/v1/tasks``: the review queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from mdm.pii import MaskingPolicy
from mdm.pipeline.scoped import rebuild_for
from mdm.stewardship import tasks
from mdm.stewardship.deps import Cursor, State, TaskAssigner, TaskDecider, TaskReader
from mdm.stewardship.routers import errors
from mdm.stewardship.schemas import (
    AssignmentUpdate,
    Contribution,
    DecisionCreate,
    RecordSide,
    ReopenCreate,
    TaskDetail,
    TaskList,
    TaskPublic,
)

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"])

TaskId = Annotated[int, Path(ge=1, le=2**62, description="the task's id")]


@router.get("", responses=errors())
def list_tasks(
    reader: TaskReader, cur: Cursor,
    status: Annotated[tasks.TaskStatus | None, Query(description="open or decided")] = None,
    band: Annotated[str | None, Query(max_length=20, description="match | review | low | unscored")] = None,
    assignee: Annotated[str | None, Query(max_length=64, description="key name a task is assigned to")] = None,
    cluster: Annotated[str | None, Query(max_length=200, description="tasks touching this cluster")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
) -> TaskList:
    """Tasks, most likely matches first, filtered and paged."""
    found, total = tasks.list_tasks(cur, tasks.TaskFilter(status=status, band=band, assignee=assignee,
                                                          cluster=cluster), limit=limit, offset=offset)
    return TaskList(tasks=[TaskPublic.of(t) for t in found], total=total, limit=limit, offset=offset)


def task_detail(state: State, cur: Cursor, task_id: int, *, masked: bool) -> TaskDetail:
    task = tasks.get_task(cur, task_id)
    sides = [RecordSide.model_validate(tasks.record_side(cur, uid, state.attributes, pii=state.pii, masked=masked))
             for uid in (task.unique_id_l, task.unique_id_r)]
    return TaskDetail(task=TaskPublic.of(task), left=sides[0], right=sides[1],
                      explanation=[Contribution.model_validate(e) for e in tasks.explanation(cur, task_id)],
                      masked=masked)


@router.get("/{task_id}", responses=errors(404))
def get_task(task_id: TaskId, reader: TaskReader, state: State, cur: Cursor) -> TaskDetail:
    """The two records side by side (raw and standardised values) and the per-comparison explanation."""
    return task_detail(state, cur, task_id, masked=MaskingPolicy.from_pii(state.pii).view(reader.role).masked)


@router.post("/{task_id}/claim", responses=errors(404, 409, 503))
def claim_task(task_id: TaskId, steward: TaskDecider, state: State) -> TaskPublic:
    """Take an open task for yourself (409 when someone else holds it)."""
    with state.access.writer(what="claiming the task") as cur:
        return TaskPublic.of(tasks.claim(cur, task_id, by=steward))


@router.put("/{task_id}/assignee", responses=errors(404, 409, 503))
def assign_task(task_id: TaskId, body: AssignmentUpdate, steward: TaskAssigner, state: State) -> TaskPublic:
    """Assign an open task to a key name, or unassign it with null."""
    with state.access.writer(what="assigning the task") as cur:
        return TaskPublic.of(tasks.assign(cur, task_id, assignee=body.assignee, version=body.version, by=steward))


@router.post("/{task_id}/decision", responses=errors(404, 409, 503))
def decide_task(task_id: TaskId, body: DecisionCreate, steward: TaskDecider, state: State) -> TaskPublic:
    """Decide match / no-match on the version you read; writes a must-link or cannot-link and an audit entry.

    Of two stewards deciding one task at once exactly one succeeds; the other gets 409.
    """
    with state.access.writer(what="deciding the task") as cur:
        return TaskPublic.of(tasks.decide(cur, task_id, decision=body.decision, version=body.version,
                                          reason=body.reason, by=steward,
                                          rebuild=rebuild_for(state.settings.project)))


@router.post("/{task_id}/reopen", responses=errors(404, 409, 503))
def reopen_task(task_id: TaskId, body: ReopenCreate, steward: TaskDecider, state: State) -> TaskPublic:
    """Undo a decision on the version you read: the task is open again and its must-link or cannot-link
    row is removed, so the two records are clustered on their evidence alone (at once and by later runs)."""
    with state.access.writer(what="reopening the task") as cur:
        return TaskPublic.of(tasks.reopen(cur, task_id, version=body.version, reason=body.reason, by=steward,
                                          rebuild=rebuild_for(state.settings.project)))
