"""python manage.py model_diagram — the data model as a Mermaid ER diagram (docs/data-model.md)."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models

APPS = ("panels", "agendas", "minutes", "notifications")


def render() -> str:
    lines = [
        "# Data model",
        "",
        "Generated from the models by `python manage.py model_diagram > docs/data-model.md`;",
        "a test fails when this file is out of date.",
        "",
        "```mermaid",
        "erDiagram",
    ]
    relations = []
    for label in APPS:
        for model in sorted(apps.get_app_config(label).get_models(), key=lambda m: m.__name__):
            lines.append(f"    {model.__name__} {{")
            for field in model._meta.get_fields():
                if not field.concrete or field.auto_created and not field.primary_key:
                    continue
                if isinstance(field, models.ForeignKey | models.OneToOneField):
                    kind = "||--o|" if isinstance(field, models.OneToOneField) else "}o--||"
                    if field.null:
                        kind = kind.replace("||", "o|", 1) if kind.endswith("||") else kind
                    relations.append(f"    {model.__name__} {kind} {field.related_model.__name__} : {field.name}")
                    lines.append(f"        int {field.name}_id FK")
                    continue
                if field.many_to_many:
                    relations.append(f"    {model.__name__} }}o--o{{ {field.related_model.__name__} : {field.name}")
                    continue
                key = " PK" if field.primary_key else (" UK" if field.unique else "")
                lines.append(f"        {field.get_internal_type().removesuffix('Field') or 'Field'} {field.name}{key}")
            lines.append("    }")
    lines += relations
    lines += ["```", ""]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the data model as Markdown with a Mermaid ER diagram."

    def handle(self, *args, **options) -> None:
        self.stdout.write(render(), ending="")
