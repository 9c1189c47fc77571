"""Writes and business rules, one module per subject (docs/architecture.md):

- `criteria`: the snapshot and its versions, validation across criteria objects, the current
  criteria (cached per process), loading and exporting the criteria file;
- `assessments`: scoring answers into the stored result, creating and deleting assessments, the
  consultants' notes, data retention;
- `team`: team assessments (imported as `from advisor.services import team as team_services`).

The criteria and assessment services are re-exported here, so callers write
`services.assessment_create(...)`; each is defined once, in its subject's module.
"""

from advisor.services.assessments import (
    TEXT_NUL_CHARACTER,
    TEXT_TOO_LONG,
    answers_score,
    assessment_create,
    assessment_delete,
    assessment_notes_update,
    assessments_purge,
    result_as_dict,
)
from advisor.services.criteria import (
    CRITERIA_OBJECT_INVALID,
    NOT_READY_NO_POLICY,
    NOT_READY_NO_QUESTIONS,
    NOT_READY_ROLE,
    QUESTION_DUPLICATE_KEY,
    QUESTION_FEW_OPTIONS,
    QUESTION_NO_LINK,
    QUESTION_NO_VALUED_OPTION,
    QUESTION_RESERVED_SLUG,
    ROLES_MISSING,
    CriteriaBundle,
    CriteriaExist,
    content_hash_of,
    criteria_current,
    criteria_delete_all,
    criteria_exist,
    criteria_export,
    criteria_from_snapshot,
    criteria_load,
    criteria_snapshot_build,
    criteria_touch,
    criteria_validate,
    criteria_version_of,
    question_edit_problems,
    question_problems,
    readiness_problems,
    responsibilities_delete_problems,
)

__all__ = [
    "TEXT_NUL_CHARACTER",
    "TEXT_TOO_LONG",
    "answers_score",
    "assessment_create",
    "assessment_delete",
    "assessment_notes_update",
    "assessments_purge",
    "result_as_dict",
    "CRITERIA_OBJECT_INVALID",
    "NOT_READY_NO_POLICY",
    "NOT_READY_NO_QUESTIONS",
    "NOT_READY_ROLE",
    "QUESTION_DUPLICATE_KEY",
    "QUESTION_FEW_OPTIONS",
    "QUESTION_NO_LINK",
    "QUESTION_NO_VALUED_OPTION",
    "QUESTION_RESERVED_SLUG",
    "ROLES_MISSING",
    "CriteriaBundle",
    "CriteriaExist",
    "content_hash_of",
    "criteria_current",
    "criteria_delete_all",
    "criteria_exist",
    "criteria_export",
    "criteria_from_snapshot",
    "criteria_load",
    "criteria_snapshot_build",
    "criteria_touch",
    "criteria_validate",
    "criteria_version_of",
    "question_edit_problems",
    "question_problems",
    "readiness_problems",
    "responsibilities_delete_problems",
]
