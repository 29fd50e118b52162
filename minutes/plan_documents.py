"""The child's resettlement plan as a document, per audience: tagged PDF (WeasyPrint) and Word (python-docx), the
same way as the minutes (minutes.presenters.record_pdf / record_docx)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from django.template.loader import render_to_string

from minutes.word import table
from panels.record_selectors import ResettlementView
from panels.resettlement import FOUR_QUESTIONS, PLAN_AUDIENCES


@dataclass
class PlanDocument:
    title: str
    audience: str
    audience_label: str
    made_on: date
    words: list[tuple[str, str]]
    pathways: list[dict]  # {"name", "unowned", "rows": [{"setting", "goal", "how", "who", "by_when", "progress"}]}
    network: list[dict] = field(default_factory=list)  # full audience only
    flags: list[str] = field(default_factory=list)  # full audience only
    y2a: list[tuple[str, str]] = field(default_factory=list)  # full audience only


def plan_document(view: ResettlementView, *, audience: str, today: date) -> PlanDocument:
    if audience not in PLAN_AUDIENCES:
        raise ValueError(f"Unknown audience {audience!r}: choose one of {', '.join(PLAN_AUDIENCES)}")
    child, full = view.child, audience == "full"
    pathways = [{
        "name": p.pathway.name, "unowned": p.unowned and full,
        "rows": [{"setting": r.get_setting_display(), "goal": r.goal, "how": r.how, "who": r.who or "Nobody yet",
                  "by_when": f"{r.by_when:%-d %B %Y}" if r.by_when else "", "progress": r.progress}
                 for r in p.custody + p.community],
    } for p in view.pathways if p.pathway.is_active or p.custody or p.community]
    document = PlanDocument(
        title=f"Resettlement plan: {child.display_name} ({child.reference})" if full
        else f"{child.display_name}'s resettlement plan",
        audience=audience, audience_label=PLAN_AUDIENCES[audience], made_on=today,
        words=[(question, getattr(view.words, name)) for name, question in FOUR_QUESTIONS],
        pathways=pathways,
    )
    if full:
        document.network = [{"role": m.get_role_display(), "name": m.display_name,
                             "agency": (m.contact_agency.name if m.contact_agency else ""),
                             "contact": ", ".join(x for x in (m.contact_email, m.phone) if x)} for m in view.network]
        document.flags = ([f"Nobody is responsible before release for: {', '.join(view.unowned)}."]
                          if view.unowned else []) + [f.text for f in view.y2a_flags]
        document.y2a = [
            ("Transfer decision", child.get_transfer_decision_display() if child.transfer_decision else "Not recorded"),
            ("Reason", view.words.transfer_reason or "—"),
            ("Named probation officer", view.probation_officer.display_name if view.probation_officer else "None"),
        ]
    else:
        document.network = [{"role": m.get_role_display(), "name": m.display_name, "agency": "", "contact": ""}
                            for m in view.network]
    return document


def plan_pdf(request, document: PlanDocument) -> bytes:
    """Tagged PDF (PDF/UA-1)."""
    from weasyprint import HTML

    html = render_to_string("minutes/plan_document.html", {"doc": document}, request=request)
    return HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        pdf_variant="pdf/ua-1", custom_metadata=True)


def plan_docx(document: PlanDocument) -> bytes:
    """An accessible Word document: real headings, tables with repeated header rows, title and language."""
    from docx import Document

    out = Document()
    out.core_properties.title = document.title
    out.core_properties.language = "en-GB"
    out.core_properties.subject = document.audience_label
    out.add_heading(document.title, level=0)
    out.add_paragraph(f"{document.audience_label}. Made on {document.made_on:%-d %B %Y}. OFFICIAL-SENSITIVE.")

    for flag in document.flags:
        out.add_paragraph(flag, style="Intense Quote")
    out.add_heading("In my own words", level=1)
    for question, answer in document.words:
        out.add_heading(question, level=2)
        out.add_paragraph(answer or "Not written yet.")
    if document.network:
        out.add_heading("The people around me" if document.audience == "family" else "Network", level=1)
        if document.audience == "full":
            table(out, ["Role", "Name", "Agency", "Contact"],
                  [[n["role"], n["name"], n["agency"], n["contact"]] for n in document.network])
        else:
            table(out, ["Who", "Role"], [[n["name"], n["role"]] for n in document.network])
    out.add_heading("Plan by pathway", level=1)
    for pathway in document.pathways:
        out.add_heading(pathway["name"] + (" (nobody responsible before release)" if pathway["unowned"] else ""),
                        level=2)
        if pathway["rows"]:
            table(out, ["Where", "Goal", "How", "Who", "By when", "Progress"],
                  [[r["setting"], r["goal"], r["how"], r["who"], r["by_when"], r["progress"]] for r in pathway["rows"]])
        else:
            out.add_paragraph("Nothing planned yet.")
    if document.y2a:
        out.add_heading("Youth to adult", level=1)
        table(out, ["", ""], [[k, v] for k, v in document.y2a])
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
