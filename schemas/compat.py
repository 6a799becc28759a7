"""Backward-compatibility check between two versions of a JSON Schema.

A v1 schema may only change in ways every existing consumer and producer tolerates. This
walks two schemas side by side and names each edit that could break one of them: a property
removed or renamed, a field made required, a type or enum narrowed, a const changed, extra
properties forbidden, a bound tightened. (Hand-written because the JSON Schema diff tools on
PyPI compare documents textually or target OpenAPI; this needs only the keywords sitrep uses.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _types(schema: Mapping[str, Any]) -> set[str] | None:
    t = schema.get("type")
    if t is None:
        return None
    return {t} if isinstance(t, str) else set(t)


def breaking_changes(old: Mapping[str, Any], new: Mapping[str, Any], path: str = "") -> list[str]:
    """Every edit from ``old`` to ``new`` that can break an existing producer or consumer."""
    where = path or "(root)"
    problems: list[str] = []
    old_types, new_types = _types(old), _types(new)
    # A missing "type" accepts anything, so dropping it widens; only a smaller set narrows.
    if old_types is not None and new_types is not None and not old_types <= new_types:
        problems.append(f"{where}: type narrowed from {sorted(old_types)} to {sorted(new_types)}")
    if "enum" in old and "enum" in new:
        removed = [v for v in old["enum"] if v not in new["enum"]]
        if removed:
            problems.append(f"{where}: enum values removed {removed}")
    elif "enum" in new and "enum" not in old:
        problems.append(f"{where}: enum added")
    if "const" in new and new.get("const") != old.get("const"):
        problems.append(f"{where}: const changed")
    added_required = set(new.get("required", ())) - set(old.get("required", ()))
    if added_required:
        problems.append(f"{where}: newly required {sorted(added_required)}")
    if old.get("additionalProperties", True) is not False and new.get("additionalProperties", True) is False:
        problems.append(f"{where}: additional properties now forbidden")
    for bound in ("maxLength", "maximum", "maxItems"):
        if bound in new and (bound not in old or new[bound] < old[bound]):
            problems.append(f"{where}: {bound} tightened")
    for bound in ("minLength", "minimum", "minItems"):
        if bound in new and (bound not in old or new[bound] > old[bound]):
            problems.append(f"{where}: {bound} tightened")
    if "pattern" in new and new.get("pattern") != old.get("pattern"):
        problems.append(f"{where}: pattern changed")
    old_props: Mapping[str, Any] = old.get("properties", {})
    new_props: Mapping[str, Any] = new.get("properties", {})
    for name, old_sub in old_props.items():
        if name not in new_props:
            problems.append(f"{path}/{name}: property removed")
            continue
        problems.extend(breaking_changes(old_sub, new_props[name], f"{path}/{name}"))
    for key in ("items",):
        if isinstance(old.get(key), Mapping) and isinstance(new.get(key), Mapping):
            problems.extend(breaking_changes(old[key], new[key], f"{path}[]"))
    for name, old_def in old.get("$defs", {}).items():
        new_def = new.get("$defs", {}).get(name)
        if new_def is None:
            problems.append(f"{path}/$defs/{name}: definition removed")
        else:
            problems.extend(breaking_changes(old_def, new_def, f"{path}/$defs/{name}"))
    return problems
