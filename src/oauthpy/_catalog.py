"""Known model names and reasoning efforts per provider, for help texts and validation.

The names come from the registry (`oauthpy._registry`), so that `oauthpy --help`
imports no provider. Model names are not validated: each vendor accepts names this list does
not know yet (new releases, custom gateways). Efforts are validated, because a wrong one fails
only after the vendor process has started.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from oauthpy import _registry as registry

if TYPE_CHECKING:
    from oauthpy._events import ModelInfo


def models(provider: str) -> tuple[str, ...]:
    return registry.get(provider).models


def efforts(provider: str) -> tuple[str, ...]:
    return registry.get(provider).efforts


def default_model(provider: str) -> str:
    """The model a run without one gets, as help texts say it."""
    return registry.get(provider).default_model


def describe(provider: str) -> str:
    """One paragraph for help texts: the known models and efforts of ``provider``."""
    agent = registry.get(provider)
    known = ", ".join(agent.models) or "the agent's own (see Client.models())"
    return f"{provider}: models {known}; efforts {', '.join(agent.efforts) or 'none'}"


def catalog_models(provider: str) -> tuple[ModelInfo, ...]:
    """oauthpy's own list of ``provider``'s models (``source="catalog"``)."""
    from oauthpy._events import ModelInfo

    agent = registry.get(provider)
    return tuple(
        ModelInfo(id=name, display_name=name, is_default=name == agent.catalog_default, efforts=agent.efforts)
        for name in agent.models
    )
