"""The one place where Rasa's internals are changed: behaviour-preserving fixes for hot
spots the profiler found in Rasa 3.6.21.

Nothing here happens on import. ``bot.plugins.launcher`` (what ``python -m bot serve``
and ``make run-cluster`` start instead of ``rasa run``) calls ``apply()`` before Rasa
builds its server, and only when ``rasa.__version__`` is the pinned ``RASA_VERSION``:
with any other version the server logs that it runs unpatched (each patch replaces a
private function whose contract may have changed). ``active()`` tells which patches
are in place in this process; every worker reports it (``bot.plugins.model_sync``),
and a test reads it from a running server. Speed-ups that could be graph components
are: ``bot.plugins.components.rule_policy`` and ``count_vectors``, named in config.yml.

``BOT_SPEEDUPS`` selects the speed-ups: unset or ``on`` = all, ``off`` = Rasa as
shipped, or a comma-separated list of the names below (to measure each one:
``python -m bench.ablation``, docs/performance.md).

* ``validator``: ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``
  on every action-server reply. That function first validates Rasa's (large, constant)
  events schema against the JSON-Schema meta-schema and builds a new validator, which
  took about a quarter of the Rasa server's CPU per message. Here the validator is
  built once; the reply is checked against the same schema, with the same error chosen
  (``best_match``) and the same message.
* ``events``: ``Event.resolve_by_type`` walks every subclass of ``Event`` (and asks
  ``inspect.isabstract`` of each) for every event it deserialises, i.e. for every event
  of the conversation each time a tracker is loaded. Here the class found for a type
  name is remembered; names it does not know still go through Rasa's search.
* ``action_session``: Rasa opens a new aiohttp session, and so a new TCP connection,
  for every call to the action server. Here each endpoint keeps one session per event
  loop, so connections are reused. It drops idle connections after
  ``KEEPALIVE_S`` seconds, before the action server (Sanic: 5 s) closes them, so a
  request never goes out on a connection the server is closing. The request (the
  tracker's session) is encoded with ujson instead of ``json`` (``bot.plugins.fastjson``).
* ``graph_runner``: Rasa runs the NLU and policy graphs through ``dask.get``, whose
  scheduler (ordering, bookkeeping) cost as much CPU as several components. The graphs
  are small and every node runs once in the caller's thread anyway, so here each target
  is computed depth-first with the same node calls, inputs and results.
* ``domain_empty``: before handling each message Rasa's processor asks
  ``Domain.is_empty``, which builds a whole new empty ``Domain`` (``from_dict({})``,
  with all default actions, intents and slots) to compare against: 0.036 ms of CPU per
  message measured alone (``python -m bench.micro domain``), 2 % of the server's profile
  samples. Here the empty domain's data is built once (0.001 ms).
* ``domain_load``: a model's domain is the ``domain.yml`` Rasa wrote when it trained the
  model. Loading it (``DomainProvider.load``, ``Domain.from_path``) parses that YAML four
  times (whether it is a domain file, the schema check, the domain, the merge) and checks
  it against the schema Rasa checked it with at training: ~0.7 s of every start-up. Here
  it is parsed once, by Rasa's parser, and the domain made as Rasa makes it from a
  directory (its files' data merged, then ``Domain.from_dict``); a storage without that
  file loads as Rasa loads it.
* ``training_hook`` (training only): after every node of a training, Rasa's
  ``TrainingHook`` fingerprints the node's inputs and output to store them in the
  training cache, also when the cache is switched off (``RASA_MAX_CACHE_SIZE=0``) and
  stores nothing. For the tokenizer's and featurizers' outputs that means hashing every
  one of ~26,000 examples with its features: a fifth of a publish's training
  (bot/tools/publish.py, which trains without the cache). With the cache off, the hook
  here does nothing; with it on, it is Rasa's.

And one setting Rasa 3.6 lacks, under the same version check:

* ``set_action_timeout``: how long Rasa waits for the action server;
  ``ActionFailurePolicy`` sets the module constant its ``RemoteAction`` reads.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import typing
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Text, Tuple, Type, TypeVar

from bot.plugins import fastjson, model_archive
from bot.plugins.model_archive import Unpacked, Unpacking

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
DISABLE_ENV = "BOT_SPEEDUPS"
TENSORFLOW_ENV = "BOT_TENSORFLOW"
# What BOT_SPEEDUPS and BOT_TENSORFLOW take for "on" and "off".
ON_WORDS = frozenset({"on", "1", "true", "yes"})
OFF_WORDS = frozenset({"off", "0", "false", "no", "none"})
KEEPALIVE_S = 2.0
# What Rasa's DomainProvider stores a model's domain as.
DOMAIN_FILE = "domain.yml"
# An action server's reply of the usual shape: an event and a text.
TYPICAL_REPLY = {"events": [{"event": "slot", "name": "subject", "value": "venue"}], "responses": [{"text": "…"}]}
F = TypeVar("F", bound=Callable[..., Any])


def rasa_version() -> str:
    import rasa

    return str(rasa.__version__)


def supported() -> bool:
    """Whether the installed Rasa is the one these patches were written and tested for."""
    return rasa_version() == RASA_VERSION


_VALIDATORS: Dict[type, Any] = {}


def _validator(action_class: Any) -> Any:
    """One validator per action class (the schema is a constant of the class)."""
    from jsonschema.validators import validator_for

    if action_class not in _VALIDATORS:
        schema = action_class.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        _VALIDATORS[action_class] = cls(schema)
    return _VALIDATORS[action_class]


def validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
    """Same contract as Rasa's: True, or raise the best-matching ValidationError."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_validator(type(self)).iter_errors(result))
    if error is None:
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def _original(function: Callable[..., Any]) -> Callable[..., Any]:
    """Rasa's function, also when this module patched it already (so patching twice is safe)."""
    return getattr(function, "__wrapped__", function)


def _marked(function: F, name: str) -> F:
    """``function``, labelled as the patch ``name`` (what ``active`` looks for)."""
    function.__bot_patch__ = name  # type: ignore[attr-defined]
    return function


def _install_validator() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _marked(validate_action_result, "validator")
    # Built, and its schema references resolved by a first reply, now: in the process that
    # forks the Sanic workers rather than during each worker's first action (~0.2 s).
    list(_validator(RemoteAction).iter_errors(TYPICAL_REPLY))


def _install_event_classes() -> None:
    from rasa.shared.core.events import Event

    search = _original(Event.resolve_by_type)
    found: Dict[Text, Type[Event]] = {}

    def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
        """Rasa's lookup, remembering each class it finds (classes do not go away)."""
        if type_name in found:
            return found[type_name]
        cls = search(type_name, default)
        if cls is not None and cls is not default:
            found[type_name] = cls
        return cls

    resolve_by_type.__wrapped__ = search  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(_marked(resolve_by_type, "events"))


class _KeptSession:
    """What ``async with endpoint.session()`` yields: a session that stays open after."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        return None


def _install_action_session() -> None:
    import aiohttp
    from rasa.utils.endpoints import EndpointConfig

    new_session = _original(EndpointConfig.session)

    def session(self: EndpointConfig) -> _KeptSession:
        """Rasa's session settings (headers, auth, timeout), kept open for reuse."""
        loop = asyncio.get_running_loop()
        kept_loop, kept = getattr(self, "_kept_session", (None, None))
        if kept_loop is not loop or kept is None or kept.closed:
            template = new_session(self)  # Rasa's settings, moved to a connection-keeping session
            kept = aiohttp.ClientSession(
                headers=template.headers,
                auth=template.auth,
                timeout=template.timeout,
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
                json_serialize=fastjson.dumps,
            )
            template.detach()  # it owns no connection yet: nothing to close
            self._kept_session = (loop, kept)
        return _KeptSession(kept)

    session.__wrapped__ = new_session  # type: ignore[attr-defined]
    EndpointConfig.session = _marked(session, "action_session")


def _run_depth_first(graph: Dict[Text, Tuple[Any, ...]], targets: List[Text]) -> List[Any]:
    """``dask.get(graph, targets)`` for Rasa's graphs: a task is ``(callable, *keys)``,
    anything else (Rasa's inputs) is a value."""
    results: Dict[Text, Any] = {}

    def compute(key: Text) -> Any:
        if key not in results:
            task = graph[key]
            if isinstance(task, tuple) and task and callable(task[0]):
                results[key] = task[0](*(compute(need) for need in task[1:]))
            else:
                results[key] = task
        return results[key]

    return [compute(target) for target in targets]


def _install_graph_runner() -> None:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    def run(
        self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None
    ) -> Dict[Text, Any]:
        """Rasa's ``DaskGraphRunner.run`` with the graph computed depth-first."""
        run_targets = targets if targets else self._graph_schema.target_names
        run_graph = self._build_dask_graph(self._graph_schema.minimal_graph_schema(run_targets))
        self._add_inputs_to_graph(inputs, run_graph)
        try:
            return dict(_run_depth_first(run_graph, run_targets))
        except RuntimeError as error:  # as Rasa wraps what dask.get raises
            raise GraphRunError("Error running runner.") from error

    DaskGraphRunner.run = _marked(run, "graph_runner")


def _install_domain_empty() -> None:
    from rasa.shared.core.domain import Domain

    rasa_is_empty = _original(Domain.is_empty)
    empty_data = Domain.empty().as_dict()  # what Rasa rebuilds per call; nothing in it varies

    def is_empty(self: Domain) -> bool:
        """Rasa's comparison, against the empty domain's data built once."""
        return self.as_dict() == empty_data

    is_empty.__wrapped__ = rasa_is_empty  # type: ignore[attr-defined]
    Domain.is_empty = _marked(is_empty, "domain_empty")


def _install_domain_load() -> None:
    import rasa.shared.utils.io
    from rasa.graph_components.providers.domain_provider import DomainProvider
    from rasa.shared.core.domain import Domain

    rasa_load = _original(DomainProvider.__dict__["load"].__func__)

    def load(
        cls: Type[DomainProvider],
        config: Dict[Text, Any],
        model_storage: Any,
        resource: Any,
        execution_context: Any,
        **kwargs: Any,
    ) -> DomainProvider:
        """Rasa's ``DomainProvider.load``, the stored domain parsed once."""
        with model_storage.read_from(resource) as directory:
            stored = Path(directory) / DOMAIN_FILE
            if not stored.is_file() or len(list(Path(directory).iterdir())) != 1:
                return rasa_load(cls, config, model_storage, resource, execution_context, **kwargs)
            data = rasa.shared.utils.io.read_yaml(rasa.shared.utils.io.read_file(stored))
            domain = Domain.from_dict(Domain.merge_domain_dicts(data, {}))
        return cls(model_storage, resource, domain)

    load.__wrapped__ = rasa_load  # type: ignore[attr-defined]
    # Rasa validates a graph's components by their resolved type hints; this module's are
    # strings naming a class imported above only here, so the original's are given instead.
    load.__annotations__ = typing.get_type_hints(rasa_load)
    DomainProvider.load = classmethod(_marked(load, "domain_load"))


def _install_training_hook() -> None:
    from rasa.engine.training.hooks import TrainingHook

    rasa_before = _original(TrainingHook.on_before_node)
    rasa_after = _original(TrainingHook.on_after_node)

    def on_before_node(self: TrainingHook, *args: Any, **kwargs: Any) -> Dict:
        """Rasa's, or nothing to remember when the cache stores nothing."""
        return {} if self._cache._is_disabled() else rasa_before(self, *args, **kwargs)

    def on_after_node(self: TrainingHook, *args: Any, **kwargs: Any) -> None:
        """Rasa's (fingerprint and store the output), unless the cache stores nothing."""
        if not self._cache._is_disabled():
            rasa_after(self, *args, **kwargs)

    on_before_node.__wrapped__ = rasa_before  # type: ignore[attr-defined]
    on_after_node.__wrapped__ = rasa_after  # type: ignore[attr-defined]
    TrainingHook.on_before_node = _marked(on_before_node, "training_hook")
    TrainingHook.on_after_node = _marked(on_after_node, "training_hook")


SPEEDUPS: Dict[str, Callable[[], None]] = {
    "validator": _install_validator,
    "events": _install_event_classes,
    "action_session": _install_action_session,
    "graph_runner": _install_graph_runner,
    "domain_empty": _install_domain_empty,
    "domain_load": _install_domain_load,
    "training_hook": _install_training_hook,
}
# Where each patch lives: (module, class or None, attribute).
TARGETS: Dict[str, Tuple[str, Optional[str], str]] = {
    "validator": ("rasa.core.actions.action", "RemoteAction", "_validate_action_result"),
    "events": ("rasa.shared.core.events", "Event", "resolve_by_type"),
    "action_session": ("rasa.utils.endpoints", "EndpointConfig", "session"),
    "graph_runner": ("rasa.engine.runner.dask", "DaskGraphRunner", "run"),
    "domain_empty": ("rasa.shared.core.domain", "Domain", "is_empty"),
    "domain_load": ("rasa.graph_components.providers.domain_provider", "DomainProvider", "load"),
    "training_hook": ("rasa.engine.training.hooks", "TrainingHook", "on_after_node"),
}


def selected(setting: Optional[str]) -> List[str]:
    """The speed-up names ``BOT_SPEEDUPS`` selects (see the module docstring)."""
    value = (setting or "on").strip().lower()
    if value in ON_WORDS:
        return list(SPEEDUPS)
    if value in OFF_WORDS:
        return []
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(names) - set(SPEEDUPS))
    if unknown:
        raise ValueError(f"{DISABLE_ENV}: unknown speed-up(s) {unknown}; known: {sorted(SPEEDUPS)}")
    return names


def apply() -> Tuple[str, ...]:
    """Apply the selected speed-ups, if Rasa is the pinned version; returns what is
    active. Applying twice changes nothing."""
    if not supported():
        logger.warning(
            "Rasa %s is installed, these patches are for %s: running unpatched (see bot/plugins/patches.py)",
            rasa_version(),
            RASA_VERSION,
        )
        return ()
    for name in selected(os.environ.get(DISABLE_ENV)):
        SPEEDUPS[name]()
    names = active()
    logger.info("Rasa %s patched: %s", RASA_VERSION, ", ".join(names))
    return names


def active() -> Tuple[str, ...]:
    """The patches in place in this process (looked up where each one lives)."""
    import importlib

    names = []
    for name, (module_name, class_name, attribute) in TARGETS.items():
        owner: Any = importlib.import_module(module_name)
        if class_name:
            owner = getattr(owner, class_name)
        if getattr(getattr(owner, attribute, None), "__bot_patch__", None) == name:
            names.append(name)
    return tuple(names)


def apply_tensorflow_stand_in(model_file: Optional[Path]) -> bool:
    """Serve without TensorFlow (bot/plugins/tensorflow_stand_in.py): only for the pinned
    Rasa, a model (file, or the directory it was unpacked into) whose components all run
    without it, and ``BOT_TENSORFLOW`` not ``on``. Must run before Rasa's modules are
    imported; True when the stand-in is in place."""
    from bot.plugins import tensorflow_stand_in

    if os.environ.get(TENSORFLOW_ENV, "").strip().lower() in ON_WORDS:
        return False
    if model_file is None or not model_file.exists() or not supported():
        return False
    needing = tensorflow_stand_in.tensorflow_components(model_file)
    if needing:
        logger.info("TensorFlow is loaded: the model's %s may need it", ", ".join(needing))
        return False
    tensorflow_stand_in.install()
    return True


# The model loaded by the process that forks the Sanic workers, by file (path and
# signature), until a worker takes it.
_PRELOADED: Dict[Tuple[str, Any], Tuple[Any, ...]] = {}
_SERVED_PRELOADED: List[str] = []


def unpack_model(model_file: Optional[Path]) -> Optional[Unpacking]:
    """The model archive being unpacked in one pass (bot/plugins/model_archive.py), for
    the TensorFlow decision and then for Rasa (``preload_model``); None on another Rasa."""
    if model_file is None or not supported():
        return None
    return model_archive.start_unpacking(model_file)


def _install_unpacked(unpacked: Unpacked) -> None:
    """Rasa's extraction of the archive ``unpacked`` was made from takes its files, once;
    any other archive (a publish) is extracted as Rasa extracts it."""
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    rasa_extract = _original(LocalModelStorage._extract_archive_to_directory)
    waiting = [unpacked]

    def _extract_archive_to_directory(model_archive_path: Any, temporary_directory: Path) -> None:
        if waiting and model_archive.archive_key(model_archive_path) == waiting[0].key:
            waiting.pop().move_into(Path(temporary_directory))
            LocalModelStorage._assert_not_rasa2_archive(temporary_directory)
        else:
            rasa_extract(model_archive_path, temporary_directory)

    _extract_archive_to_directory.__wrapped__ = rasa_extract  # type: ignore[attr-defined]
    LocalModelStorage._extract_archive_to_directory = staticmethod(_marked(_extract_archive_to_directory, "preload"))


def preload_model(model_file: Path, unpacked: Optional[Unpacked] = None) -> None:
    """Load the model in the process that forks the Sanic workers, before it forks: the
    workers then start with it instead of each loading their own, so its arrays, the
    content and the language data stay pages the workers share (copy-on-write) and the
    model is read once instead of once per worker (docs/performance.md, memory). ``MessageProcessor._load_model`` hands
    the preloaded model to the first caller in each process that asks for that file (each
    worker's ``Agent``); any other model (a publish) loads as Rasa loads it. ``unpacked``:
    the archive's files, unpacked already (``unpack_model``)."""
    from rasa.core.processor import MessageProcessor

    key = model_archive.archive_key(model_file)
    if key is None or not supported():
        return
    original = _original(MessageProcessor._load_model)
    if unpacked is not None:
        _install_unpacked(unpacked)
    try:
        _PRELOADED[key] = original(str(model_file))
    finally:
        if unpacked is not None:
            unpacked.discard()  # if the archive changed meanwhile and Rasa read it instead
    # Leave the objects made so far to the permanent generation: the workers' garbage
    # collector would otherwise write to every one of them, and each page it writes to
    # becomes the worker's own copy.
    gc.collect()
    gc.freeze()

    def _load_model(model_path: Any) -> Tuple[Any, ...]:
        preloaded = _PRELOADED.pop(model_archive.archive_key(model_path) or ("", None), None)
        if preloaded is None:
            return original(model_path)
        _SERVED_PRELOADED.append(str(model_path))
        return preloaded

    _load_model.__wrapped__ = original  # type: ignore[attr-defined]
    MessageProcessor._load_model = staticmethod(_marked(_load_model, "preload"))


def served_preloaded() -> bool:
    """Whether this process's agent took the model preloaded before the fork."""
    return bool(_SERVED_PRELOADED)


def set_action_timeout(seconds: float) -> bool:
    """How long Rasa waits for the action server; False (and Rasa's default) on another
    Rasa version."""
    if not supported():
        logger.warning("Rasa %s: the action timeout stays Rasa's default", rasa_version())
        return False
    import rasa.core.actions.action as rasa_actions

    rasa_actions.DEFAULT_REQUEST_TIMEOUT = seconds
    return True
