"""User macros (``macros/*.sql``) and generic test definitions (``tests/generic/*.sql``), with
dbt's semantics, on Jinja2's own machinery.

Every macro is compiled on its own, from its node of the file's Jinja syntax tree (so its
lines are the file's), and exists once rendered as a module (``Template.make_module``). As in
dbt, a macro is not bound once for the whole project: each node (a model, a test) gets its own
namespace of macro callables, and a macro's first call renders it as a module with that node's
context. So ``ref()`` inside a macro records the
calling model's dependency, and every macro sees every other macro, and the built-ins, by name.
``{% test name(model, column_name) %}`` defines the macro ``test_name``, as dbt's own Jinja
extension does; ``{{ return(value) }}`` ends a macro with a value instead of its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, ClassVar

from strata.errors import ModelError
from strata.models.yamlfile import shown

# Deeper than this, macro calls are taken for a loop (each call costs ~30 Python frames: any
# deeper would meet Python's own recursion limit first).
MAX_DEPTH = 20
TEST_PREFIX = "test_"
TEMPLATE_NAME = "<template>"
# Names a project macro may not take: replacing them (dbt allows a custom ref()) is not
# implemented.
RESERVED = {
    "ref",
    "source",
    "config",
    "var",
    "target",
    "this",
    "is_incremental",
    "return",
    "dbt",
}  # the name Jinja gives a template compiled from a string


@dataclass(frozen=True)
class MacroDef:
    name: str  # as called: `latest_version`; a generic test `non_negative` is `test_non_negative`
    path: str  # under warehouse/
    line: int
    arguments: tuple[str, ...]
    required: tuple[str, ...]  # the arguments without a default

    @property
    def file(self) -> str:
        return shown(self.path)


class _Return(Exception):  # control flow: dbt's own `return()` raises too
    def __init__(self, value: Any) -> None:
        self.value = value


def _return(value: Any = "") -> str:
    raise _Return(value)


def environment() -> Any:
    """The Jinja environment of models, tests and macros: strict about undefined names, no
    HTML escaping, and dbt's ``{% test %}`` block."""
    import jinja2

    return jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        extensions=[_test_extension()],
    )


def _test_extension() -> type:
    from jinja2 import nodes
    from jinja2.ext import Extension

    class TestBlock(Extension):
        """``{% test name(args) %}…{% endtest %}`` is the macro ``test_name`` (dbt's rule)."""

        tags: ClassVar[set[str]] = {"test"}

        def parse(self, parser: Any) -> Any:
            node = nodes.Macro(lineno=next(parser.stream).lineno)
            node.name = TEST_PREFIX + parser.parse_assign_target(name_only=True).name
            parser.parse_signature(node)
            node.body = parser.parse_statements(("name:endtest",), drop_needle=True)
            return node

    return TestBlock


class MacroLibrary:
    """The project's macro files and generic test files, parsed once and compiled on demand."""

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.environment = environment()
        self.macros: dict[str, MacroDef] = {}
        self._templates: dict[str, Any] = {}
        self._strings: dict[str, Any] = {}
        for path in sorted(files):
            self._read(path)

    def _read(self, path: str) -> None:
        import jinja2
        from jinja2 import nodes

        try:
            tree = self.environment.parse(self.files[path], path, shown(path))
        except jinja2.TemplateSyntaxError as exc:
            message = exc.message or "template error"
            raise ModelError(message, file=shown(path), line=exc.lineno) from exc
        for node in tree.body:
            if not isinstance(node, nodes.Macro):
                continue
            arguments = tuple(argument.name for argument in node.args)
            required = arguments[: len(arguments) - len(node.defaults)]
            found = MacroDef(node.name, path, node.lineno, arguments, required)
            if found.name in RESERVED:
                raise ModelError(
                    f"a macro named {found.name!r} would replace dbt's own, which is outside "
                    "the supported dbt subset",
                    file=found.file,
                    line=found.line,
                )
            if found.name in self.macros:
                other = self.macros[found.name]
                raise ModelError(
                    f"two macros are named {found.name!r}: the other is in "
                    f"{other.file}:{other.line}",
                    file=found.file,
                    line=found.line,
                )
            self.macros[found.name] = found
            self._templates[found.name] = self._compile(node, path)

    def _compile(self, macro: Any, path: str) -> Any:
        """A template holding only ``macro``: a call to a macro of the same file goes through
        the namespace too, so ``return()`` and the loop check see every call."""
        from jinja2 import nodes

        tree = nodes.Template([macro], lineno=1)
        code = self.environment.compile(tree, path, shown(path))
        globals_ = self.environment.make_globals(None)
        return self.environment.template_class.from_code(self.environment, code, globals_)

    def template(self, name: str) -> Any:
        return self._templates[name]

    def generic_test(self, kind: str) -> MacroDef | None:
        return self.macros.get(TEST_PREFIX + kind)

    def from_string(self, text: str) -> Any:
        """A model's or test's template, compiled once per distinct text."""
        template = self._strings.get(text)
        if template is None:
            template = self._strings[text] = self.environment.from_string(text)
        return template

    def namespace(self, context: dict[str, Any], project: str) -> dict[str, Any]:
        """Every macro as a callable bound to ``context`` (which must end up holding them),
        by its name and, as dbt has it, as ``<project>.<name>``."""
        calls = _Calls(self, context)
        names = {name: _Macro(calls, macro) for name, macro in self.macros.items()}
        return {**names, project: SimpleNamespace(**names), "return": _return}


class _Calls:
    """One node's macro calls: the macros rendered for it so far, and the call stack."""

    def __init__(self, library: MacroLibrary, context: dict[str, Any]) -> None:
        self.library = library
        self.context = context
        self.modules: dict[str, Any] = {}
        self.stack: list[str] = []

    def call(self, macro: MacroDef, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if len(self.stack) >= MAX_DEPTH:
            raise ModelError(f"macros call each other in a loop: {_loop(self.stack)}")
        module = self.modules.get(macro.name)
        if module is None:
            template = self.library.template(macro.name)
            module = self.modules[macro.name] = template.make_module(self.context)
        self.stack.append(macro.name)
        try:
            return getattr(module, macro.name)(*args, **kwargs)
        except _Return as returned:
            return returned.value
        finally:
            self.stack.pop()


class _Macro:
    def __init__(self, calls: _Calls, macro: MacroDef) -> None:
        self.calls = calls
        self.macro = macro

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.calls.call(self.macro, args, kwargs)


def _loop(stack: list[str]) -> str:
    """The repeating part of a call stack that ran away: `a → b → a`."""
    last = stack[-1]
    start = len(stack) - 2
    while start >= 0 and stack[start] != last:
        start -= 1
    cycle = stack[max(start, 0) :]
    return " → ".join(cycle)


def template_place(exc: BaseException, file: str | None) -> tuple[str | None, int | None, str]:
    """Where in the templates an exception was raised: the innermost template frame's file
    and line (a macro's file when it came from a macro), and, then, where the node called in."""
    frames: list[tuple[str, int]] = []
    traceback = exc.__traceback__
    while traceback is not None:
        name = traceback.tb_frame.f_code.co_filename
        if name == TEMPLATE_NAME or name.endswith(".sql"):
            frames.append((name, traceback.tb_lineno))
        traceback = traceback.tb_next
    if not frames:
        return file, None, ""
    innermost, line = frames[-1]
    if innermost == TEMPLATE_NAME:
        return file, line, ""
    called = [number for name, number in frames if name == TEMPLATE_NAME]
    via = f" (called from {file}:{called[-1]})" if called and file else ""
    return innermost, line, via
