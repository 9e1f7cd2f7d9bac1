"""A stand-in for opensearch-py's client, for tests: it records each request and answers from a
script, so the requests the OpenSearch backend sends can be read back (no cluster runs here)."""

from __future__ import annotations

import msgspec

from indexer import opensearch_bodies as bodies


def hit_of(doc, score, source=("document",), embedding=None) -> dict:
    """An OpenSearch hit for ``doc`` with the ``_source`` fields the backend asked for."""
    full = {"document": msgspec.to_builtins(doc), "duplicate_key": doc.duplicate_key, "embedding": embedding}
    return {"_id": doc.id, "_score": score, "_source": {k: full[k] for k in source}}


class Recorder:
    """A stand-in for opensearch-py's client: records each request, answers from a script."""

    def __init__(self, answers: dict | None = None, mapping: dict | None = None):
        self.calls: list[tuple[str, dict]] = []
        self.answers = answers or {}
        self.indices = _Indices(self, mapping or bodies.mapping(4)["mappings"])

    def search(self, *, index, body):
        """The scripted answer; a list of answers is given one per search, in order."""
        self.calls.append(("search", {"index": index, "body": body}))
        answer = self.answers.get("search", {"hits": {"hits": []}})
        return answer.pop(0) if isinstance(answer, list) else answer

    def msearch(self, *, body):
        self.calls.append(("msearch", {"body": body}))
        return self.answers.get("msearch", {"responses": [{"hits": {"hits": []}} for _ in body[::2]]})


class _Indices:
    def __init__(self, client: Recorder, mapping: dict):
        self.client, self.mapping = client, mapping

    def get_mapping(self, *, index):
        self.client.calls.append(("get_mapping", {"index": index}))
        return {f"{index}-20261122": {"mappings": self.mapping}}
