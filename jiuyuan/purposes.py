"""What a read of a person is for (PIPL art. 6, 17): one entry of a vocabulary the office keeps
(``Settings.privacy.purposes_file``, by default ``jiuyuan/purposes.yaml``), optionally followed by
"：" and free text of at least ``MIN_NOTE`` characters — "岗位推荐：为其推荐保洁岗位".
The file may also narrow what an employer or an HR agency may give (``roles:``; PIPL art. 6,
the purpose limited to the caller's own business): an employer browsing candidates cannot log
the read as 认定审核.

``check`` is the one validator every route's ``purpose`` goes through (``api.routes.person_wire``).
It refuses control, zero-width and bidirectional-override characters: they let a purpose read
one way in the audit log and another on screen ("xx" followed by U+202E …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from jiuyuan.errors import FieldError, InvalidInput, Unavailable
from jiuyuan.settings import get_settings
from jiuyuan.vocab import Role

MIN_NOTE = 4
MAX_ENTRY = 40
HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
"""Control (C0, C1), zero-width (U+200B–U+200F, U+2060, U+FEFF) and bidi (U+202A–U+202E,
U+2066–U+2069) characters."""
SEPARATOR = re.compile(r"\s*[：:]\s*")
HINT = f"可在其后加“：”和至少{MIN_NOTE}个字的说明"
NARROWED = (Role.EMPLOYER, Role.AGENCY)
"""The roles ``roles:`` may narrow. Staff routes do not pass a role, so narrowing a staff role
would look enforced and not be: refused when the file is read."""


@dataclass(frozen=True)
class Vocabulary:
    entries: tuple[str, ...]
    by_role: dict[Role, tuple[str, ...]]
    """The entries an employer or agency may give: none where the file names none for it (an
    office's copy made before ``roles:`` existed fails closed, saying so, not open)."""

    def of(self, role: Role | None) -> tuple[str, ...]:
        if role is None or role not in NARROWED:
            return self.entries
        return self.by_role.get(role, ())


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> Vocabulary:
    """The vocabulary in ``path`` as of ``mtime_ns`` (an edited file is read again)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    entries = data.get("purposes") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError("应为 purposes: 下的非空列表")
    out: list[str] = []
    for entry in entries:
        if not isinstance(entry, str) or not 2 <= len(entry.strip()) <= MAX_ENTRY or HIDDEN.search(entry):
            raise ValueError(f"条目 {str(entry)[:MAX_ENTRY]!r} 应为2–{MAX_ENTRY}个可见字符")
        if SEPARATOR.search(entry):
            raise ValueError(f"条目 {entry!r} 不能含冒号（冒号用于分隔说明）")
        if entry.strip() not in out:
            out.append(entry.strip())
    return Vocabulary(tuple(out), _by_role(data.get("roles") or {}, out))


def _by_role(roles: object, entries: list[str]) -> dict[Role, tuple[str, ...]]:
    if not isinstance(roles, dict):
        raise ValueError("roles: 应为“角色: [条目, …]”")
    out: dict[Role, tuple[str, ...]] = {}
    for name, allowed in roles.items():
        role = next((r for r in NARROWED if r.value == name), None)
        if role is None:
            raise ValueError(f"roles: 只能限定 {'、'.join(r.value for r in NARROWED)}，不能限定 {str(name)[:20]!r}")
        if not isinstance(allowed, list) or not allowed or not all(e in entries for e in allowed):
            raise ValueError(f"roles: {name} 应为 purposes: 中条目的非空列表")
        out[role] = tuple(allowed)
    return out


def _current() -> Vocabulary:
    """The office's file as it is now; 503 when it cannot be read."""
    path = get_settings().privacy.purposes_file
    try:
        return _load(path, path.stat().st_mtime_ns)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise Unavailable(f"查阅目的清单（{path.name}）无法读取：{str(exc)[:200]}") from None


def vocabulary(role: Role | None = None) -> tuple[str, ...]:
    """The purposes the office allows (to ``role``, when given), in the file's order; 503 when
    the file cannot be read."""
    return _current().of(role)


def check(text: str | None, field: str = "purpose", role: Role | None = None) -> str:
    """The purpose as the audit log keeps it ("岗位推荐" or "岗位推荐：为其推荐保洁岗位"); 422
    naming ``field`` when it is missing, hides characters, is not in the vocabulary (the part
    ``role`` may give, when the file narrows it), or its note is shorter than ``MIN_NOTE``
    characters."""

    def refuse(message: str) -> InvalidInput:
        return InvalidInput([FieldError(field, message)])

    text = (text or "").strip()
    if not text:
        raise refuse(f"请填写查阅目的：从目的清单（GET /purposes）中选择一项，{HINT}")
    if HIDDEN.search(text):
        raise refuse("查阅目的不能含控制字符、零宽字符或文字方向控制字符")
    entry, *rest = SEPARATOR.split(text, maxsplit=1)
    read = _current()  # one read of the file for both lists
    allowed, every = read.of(role), read.entries
    if role is not None and not allowed:
        raise refuse(f"目的清单未给{role.label}列出可选的查阅目的：请管理员在清单的 roles: 下列出")
    if entry not in allowed:
        if entry in every:
            raise refuse(f"{role.label}查阅个人信息只能出于：{'、'.join(allowed)}")  # type: ignore[union-attr]
        raise refuse(f"查阅目的须从目的清单（GET /purposes）中选择，如：{'、'.join(allowed[:4])}；{HINT}")
    if not rest:
        return entry
    if len(rest[0]) < MIN_NOTE:
        raise refuse(f"查阅目的的说明至少{MIN_NOTE}个字")
    if len(allowed) < len(every) and (other := next((e for e in every if e not in allowed and e in rest[0]), None)):
        # "用人单位招聘：认定审核核查" would read in the log as the purpose the role may not give
        raise refuse(f"说明中不能写“{other}”：{role.label}查阅个人信息只能出于：{'、'.join(allowed)}")  # type: ignore[union-attr]
    return f"{entry}：{rest[0]}"


def example(role: Role | None = None) -> str:
    """A purpose with a note, as ``role`` may give it: how ``GET /purposes`` shows the form."""
    allowed = vocabulary(role)
    if "岗位推荐" in allowed:
        return "岗位推荐：为其推荐保洁岗位"
    return f"{allowed[0]}：说明至少{MIN_NOTE}个字" if allowed else ""
