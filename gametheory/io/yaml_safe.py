"""Hardened YAML reading: plain data only, bounded work, line numbers kept.

The document is built from the parser's event stream by our own
(non-recursive) composer instead of PyYAML's constructor:

* only the standard scalar, mapping and sequence tags are accepted; any other
  tag (``!!python/object``, ``!custom``...) is an error, so no object is ever
  constructed;
* aliases are not expanded: an alias points to the node of its anchor, and the
  number of nodes the document *would* have after expansion is counted as it
  is read, so an alias bomb ("billion laughs") is refused before any expansion
  and with memory proportional to the file;
* nesting depth is bounded (PyYAML's C composer recurses on the C stack);
* duplicate keys, merge keys (``<<``) and non-scalar keys are errors.
"""

from __future__ import annotations

import yaml

from ..exceptions import ModelFileError
from .nodes import MAX_NESTING, Node, add_key, key_path

#: Most nodes that aliases may add to a document when expanded.
MAX_ALIAS_EXPANSION = 100_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STD}{t}": t for t in ("str", "int", "float", "bool", "null")}
_ALLOWED_MAP = {None, "!", f"{_STD}map"}
_ALLOWED_SEQ = {None, "!", f"{_STD}seq"}


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_STD):] if tag.startswith(_STD) else tag


class _Frame:
    __slots__ = ("anchor", "node", "pending_key", "size")

    def __init__(self, node: Node, anchor: str | None) -> None:
        self.node = node
        self.anchor = anchor
        self.pending_key: Node | None = None
        self.size = 1


class _Composer:
    def __init__(self, text: str, filename: str) -> None:
        self.loader = _Loader(text)
        self.text = text
        self.filename = filename
        self.anchors: dict[str, tuple[Node, int] | None] = {}
        self.expanded = 0  # nodes added by aliases

    def fail(self, event: yaml.Event, message: str,
             stack: list[_Frame] | None = None) -> ModelFileError:
        path = self.path_of(stack) if stack else ""
        return ModelFileError(message, file=self.filename, line=event.start_mark.line + 1,
                              key=path or None)

    def compose(self) -> Node | None:
        loader = self.loader
        root: Node | None = None
        documents = 0
        stack: list[_Frame] = []
        try:
            while loader.check_event():
                event = loader.get_event()
                if isinstance(event, yaml.DocumentStartEvent):
                    documents += 1
                    if documents > 1:
                        raise self.fail(event, "the file holds more than one YAML document "
                                               "(a line '---' starts a second one)")
                    continue
                if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent,
                                      yaml.DocumentEndEvent)):
                    continue
                if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                    frame = stack.pop()
                    if frame.anchor is not None:
                        self.anchors[frame.anchor] = (frame.node, frame.size)
                    done, size = frame.node, frame.size
                else:
                    if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                        if len(stack) >= MAX_NESTING:
                            raise self.fail(event, f"nesting deeper than {MAX_NESTING} levels")
                        stack.append(self.start(event, stack))
                        continue
                    done, size = self.leaf(event, stack)
                if not stack:
                    root = done
                else:
                    self.attach(stack, done, size)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "invalid YAML"
            line = mark.line + 1 if mark is not None else None
            col = f" (column {mark.column + 1})" if mark is not None else ""
            raise ModelFileError(f"invalid YAML: {problem}{col}", file=self.filename,
                                 line=line) from None
        except yaml.YAMLError as exc:  # ReaderError: characters YAML does not allow
            position = getattr(exc, "position", None)
            line = col = None
            if isinstance(position, int):
                line = self.text.count("\n", 0, position) + 1
                col = position - (self.text.rfind("\n", 0, position) + 1) + 1
            where = f" (column {col})" if col is not None else ""
            raise ModelFileError(f"invalid YAML: {str(exc).splitlines()[0]}{where}",
                                 file=self.filename, line=line) from None
        finally:
            loader.dispose()
        return root

    @staticmethod
    def path_of(stack: list[_Frame]) -> str:
        """Key path of the node being read as the next child of ``stack[-1]``."""
        path = ""
        for frame in stack:
            if frame.node.kind == "seq":
                path = f"{path}[{len(frame.node.value)}]"
            elif frame.pending_key is not None:
                path = key_path(path, frame.pending_key.value)
        return path

    def start(self, event: yaml.Event, stack: list[_Frame]) -> _Frame:
        is_map = isinstance(event, yaml.MappingStartEvent)
        allowed = _ALLOWED_MAP if is_map else _ALLOWED_SEQ
        if event.tag not in allowed:
            raise self.fail(event, f"YAML tag {_show_tag(event.tag)} is not allowed "
                                   "(model files hold plain data only)", stack)
        node = Node("map" if is_map else "seq", {} if is_map else [], event.start_mark.line + 1)
        if event.anchor is not None:
            self.anchors[event.anchor] = None  # open: an alias to it now would recurse
        return _Frame(node, event.anchor)

    def leaf(self, event: yaml.Event, stack: list[_Frame]) -> tuple[Node, int]:
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise self.fail(event, f"alias *{event.anchor} refers to no anchor", stack)
            target = self.anchors[event.anchor]
            if target is None:
                raise self.fail(event, f"alias *{event.anchor} refers to a node that contains "
                                       "it (recursive alias)", stack)
            node, size = target
            self.expanded += size
            if self.expanded > MAX_ALIAS_EXPANSION:
                raise self.fail(event, "aliases would expand the document to more than "
                                       f"{MAX_ALIAS_EXPANSION} extra nodes; refused", stack)
            return node, size
        if not isinstance(event, yaml.ScalarEvent):  # pragma: no cover - parser guarantees
            raise self.fail(event, f"unexpected YAML event {type(event).__name__}", stack)
        tag = event.tag
        if tag == "!":
            resolved = "str"
        elif tag is None:  # quoted scalars resolve to str, plain ones by their text
            full = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
            resolved = _SCALAR_TAGS.get(full)
            if resolved is None:
                if full == f"{_STD}merge":
                    raise self.fail(event, "merge keys (<<) are not supported", stack)
                resolved = "str"  # timestamps and other implicit types stay text
        else:
            resolved = _SCALAR_TAGS.get(tag)
            if resolved is None:
                raise self.fail(event, f"YAML tag {_show_tag(tag)} is not allowed "
                                       "(model files hold plain data only)", stack)
        node = Node("scalar", event.value, event.start_mark.line + 1, resolved)
        if event.anchor is not None:
            self.anchors[event.anchor] = (node, 1)
        return node, 1

    def attach(self, stack: list[_Frame], node: Node, size: int) -> None:
        frame = stack[-1]
        frame.size += size
        if frame.node.kind == "seq":
            frame.node.value.append(node)
            return
        if frame.pending_key is None:
            if node.kind != "scalar":
                raise ModelFileError("mapping keys must be plain text, not "
                                     f"{node.describe()}", file=self.filename,
                                     line=node.line, key=self.path_of(stack[:-1]) or None)
            frame.pending_key = node
            return
        key, frame.pending_key = frame.pending_key, None
        add_key(frame.node.value, key, node, self.filename,
                lambda: key_path(self.path_of(stack[:-1]), key.value))


def compose_yaml(text: str, filename: str) -> Node | None:
    """Parse YAML text into a :class:`Node` tree (``None`` for an empty document).

    Raises
    ------
    ModelFileError
        For syntax errors, disallowed tags, alias bombs, recursive aliases,
        too-deep nesting, duplicate or merge keys, or several documents.
    """
    return _Composer(text, filename).compose()
