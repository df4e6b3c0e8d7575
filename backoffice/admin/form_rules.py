"""Form rules for Flask-Admin screens that lay their forms out with form_create/edit_rules."""

from typing import Any

from flask import render_template
from flask_admin import helpers
from flask_admin.form import rules
from markupsafe import Markup


class RenderedHidden(rules.BaseRule):
    """A hidden field in a form's rules: the form renders it with its other hidden inputs."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    @property
    def visible_fields(self) -> list[str]:
        return [self.name]

    def __call__(self, form: Any, form_opts: Any = None, field_args: Any = None) -> str:
        return ""


class Included(rules.BaseRule):
    """A template rendered between the form's fields, with the page's own variables."""

    def __init__(self, template: str) -> None:
        super().__init__()
        self.template = template

    def __call__(self, form: Any, form_opts: Any = None, field_args: Any = None) -> Markup:
        page = helpers.get_render_ctx()
        return Markup(render_template(self.template, **(page.get_all() if page else {})))
